import type { GrantKind } from '../types.js';
import type { ActionUniverse } from './actions.js';
import { CONDITIONAL, FULL, LIMITED } from './compiled.js';

const KIND: Record<number, GrantKind> = { [FULL]: 'full', [LIMITED]: 'limited', [CONDITIONAL]: 'conditional' };

/**
 * A read-only Map view of an action-grade array: ~22,000 possible entries without materialising
 * them for every identity; identities with the same policy set share one instance. Lookups
 * accept any letter case (s3:getobject finds s3:GetObject). Mutating it throws.
 */
export class GrantMap extends Map<string, GrantKind> {
  constructor(
    private readonly universe: ActionUniverse,
    private readonly grade: Uint8Array,
    private readonly count: number,
  ) {
    super();
  }

  override get size(): number {
    return this.count;
  }

  override get(action: string): GrantKind | undefined {
    const i = this.universe.indexOf(action);
    return i === undefined ? undefined : KIND[this.grade[i]!];
  }

  override has(action: string): boolean {
    return this.get(action) !== undefined;
  }

  override *entries(): MapIterator<[string, GrantKind]> {
    for (let i = 0; i < this.grade.length; i++) {
      const k = KIND[this.grade[i]!];
      if (k) yield [this.universe.actions[i]!, k];
    }
  }

  override *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<GrantKind> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[string, GrantKind]> {
    return this.entries();
  }

  override forEach(fn: (value: GrantKind, key: string, map: Map<string, GrantKind>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  override set(): this {
    throw new TypeError('effective permissions are read-only');
  }

  override delete(): boolean {
    throw new TypeError('effective permissions are read-only');
  }

  override clear(): void {
    throw new TypeError('effective permissions are read-only');
  }
}
