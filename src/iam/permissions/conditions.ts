import type { IamGroup, IamRole, IamUser, PolicyDocument, PolicyStatement } from '../types.js';

/** What a principal ARN resolves to: an imported identity or an account root. */
export type ResolvedPrincipal = IamUser | IamRole | IamGroup | { type: 'root'; arn: string; accountId: string };

export interface DecidableContext {
  arn: string;
  accountId: string;
  /** 'user' | 'role' | 'root': which keys are decidable depends only on this */
  kind: string;
  ctx: Record<string, string | string[]>;
  isKnown(key: string): boolean;
}

const FIXED_PRINCIPAL_KEYS = ['aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:principalisawsservice'];

export function isPrincipalKey(key: string): boolean {
  const k = key.toLowerCase();
  return FIXED_PRINCIPAL_KEYS.includes(k) || k === 'aws:username' || k === 'aws:userid' || k.startsWith('aws:principaltag/');
}

/**
 * The request context the principal alone decides. Roles: their ARN, account and type only —
 * a session's aws:userid and principal tags (session tags override role tags) are unknown.
 * Users: also aws:username, aws:userid and their tags (an absent tag is known to be absent).
 */
export function decidableContext(p: ResolvedPrincipal): DecidableContext {
  const ctx: Record<string, string | string[]> = {
    'aws:PrincipalArn': p.arn,
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalIsAWSService': 'false',
    'aws:PrincipalType': p.type === 'user' ? 'User' : p.type === 'role' ? 'AssumedRole' : 'Account',
  };
  if (p.type === 'user') {
    ctx['aws:username'] = p.name;
    if (p.id) ctx['aws:userid'] = p.id;
    for (const [k, v] of Object.entries(p.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
    return {
      arn: p.arn,
      accountId: p.accountId,
      kind: 'user',
      ctx,
      isKnown: (key) => {
        const k = key.toLowerCase();
        return isPrincipalKey(k) && (k !== 'aws:userid' || !!p.id);
      },
    };
  }
  return { arn: p.arn, accountId: p.accountId, kind: p.type, ctx, isKnown: (key) => FIXED_PRINCIPAL_KEYS.includes(key.toLowerCase()) };
}

const transformCache = new WeakMap<PolicyDocument, Map<string, PolicyDocument>>();

/**
 * Statements whose conditions name keys the request context does not hold cannot be decided.
 * pessimistic: such Allows are dropped and such Denies apply (their unknown keys removed);
 * optimistic: such Allows apply (unknown keys removed) and such Denies are dropped.
 */
export function resolveConditions(
  doc: PolicyDocument,
  known: { isKnown(key: string): boolean; signature: string },
  mode: 'pessimistic' | 'optimistic',
): PolicyDocument {
  const sig = `${mode}|${known.signature}`;
  let perDoc = transformCache.get(doc);
  const hit = perDoc?.get(sig);
  if (hit) return hit;
  let changed = false;
  const statements: PolicyStatement[] = [];
  for (const s of doc.Statement) {
    if (!s.Condition) {
      statements.push(s);
      continue;
    }
    const decided: Record<string, Record<string, unknown>> = {};
    let undecided = false;
    for (const [op, entries] of Object.entries(s.Condition)) {
      for (const [key, value] of Object.entries(entries)) {
        if (known.isKnown(key)) (decided[op] ??= {})[key] = value;
        else undecided = true;
      }
    }
    if (!undecided) {
      statements.push(s);
      continue;
    }
    changed = true;
    const applies = (s.Effect === 'Allow') === (mode === 'optimistic');
    if (!applies) continue;
    const copy: PolicyStatement = { ...s };
    if (Object.keys(decided).length) copy.Condition = decided;
    else delete copy.Condition;
    statements.push(copy);
  }
  const out = changed ? { ...doc, Statement: statements } : doc;
  if (!perDoc) {
    perDoc = new Map();
    transformCache.set(doc, perDoc);
  }
  perDoc.set(sig, out);
  return out;
}
