import type { PolicyDocument, PolicyStatement, ScpChain } from '../types.js';

/** Per-action grades (0 = none): 3 full (Resource "*", no condition), 2 limited, 1 conditional. */
export const FULL = 3;
export const LIMITED = 2;
export const CONDITIONAL = 1;

/** A statement whose Action/NotAction list is expanded into a bitset over the action universe. */
export interface CompiledStatement {
  effect: 'Allow' | 'Deny';
  actions: Uint32Array;
  grade: number;
  statement: PolicyStatement;
}

export interface CompiledPolicy {
  id: string;
  name: string;
  document: PolicyDocument;
  statements: CompiledStatement[];
}

/** Everything that decides a principal's permissions; principals with the same key share results. */
export interface PolicySet {
  key: string;
  accountId: string;
  identity: CompiledPolicy[];
  /** undefined: no boundary; null: a boundary whose document is unknown */
  boundary: CompiledPolicy | null | undefined;
  scp: ScpChain | undefined;
  scpLevels: CompiledPolicy[][];
  unresolved: string[];
}
