/**
 * Just enough of IAM policy evaluation for the doctor's questions: "does this queue policy let
 * that service send, for that source?" and "does this key policy let that principal decrypt?".
 * Not a full evaluator: conditions other than aws:SourceArn are reported, not evaluated.
 */
import { wildcardMatch } from './arn.js';

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/** The statements of a policy document; [] for an empty or unreadable one (the caller says so). */
export function statementsOf(policy: string | undefined): Statement[] | undefined {
  if (!policy) return [];
  try {
    const doc = JSON.parse(policy) as { Statement?: unknown };
    const s = doc.Statement;
    return (Array.isArray(s) ? s : s ? [s] : []) as Statement[];
  } catch {
    return undefined;
  }
}

export function actionMatches(s: Statement, action: string): boolean {
  if (s.NotAction !== undefined) return !asList(s.NotAction).some((a) => wildcardMatch(a, action, true));
  return asList(s.Action).some((a) => wildcardMatch(a, action, true));
}

export function resourceMatches(s: Statement, arn: string): boolean {
  const r = asList(s.Resource);
  return r.length === 0 || r.some((p) => wildcardMatch(p, arn));
}

/** Principal values of one kind ('Service', 'AWS'); "*" for a Principal of "*". */
export function principalsOf(s: Statement, kind: 'Service' | 'AWS'): string[] {
  if (s.Principal === '*') return ['*'];
  if (!s.Principal || typeof s.Principal !== 'object') return [];
  return asList((s.Principal as Record<string, unknown>)[kind]);
}

/** Values of a condition key under any operator (keys are case-insensitive in IAM). */
export function conditionValues(s: Statement, key: string): { operator: string; values: string[] }[] {
  const out: { operator: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    for (const [k, v] of Object.entries(block ?? {})) if (k.toLowerCase() === key.toLowerCase()) out.push({ operator, values: asList(v) });
  }
  return out;
}

/** Condition keys a statement uses, for reporting. */
export function conditionKeys(s: Statement): string[] {
  return Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block ?? {}));
}

export type SendVerdict =
  /** Allowed, scoped to the publisher by aws:SourceArn (or to its account by aws:SourceAccount). */
  | { verdict: 'allowed'; sid?: string; scope: 'source' | 'account' }
  /** Anyone may send (Principal "*" and no condition): forged notifications can name any bucket. */
  | { verdict: 'public'; sid?: string }
  /** Allowed without an aws:SourceArn: any bucket/topic/rule of any account may send. */
  | { verdict: 'unscoped'; sid?: string }
  /** A statement for the service exists, but its aws:SourceArn names another source. */
  | { verdict: 'other-source'; sources: string[] }
  | { verdict: 'denied'; sid?: string }
  | { verdict: 'missing' };

/** Whether a queue policy lets `service` (s3.amazonaws.com, …) send to `queueArn` for `sourceArn`. */
export function canSend(statements: Statement[], service: string, queueArn: string, sourceArn: string | undefined): SendVerdict {
  const forService = statements.filter(
    (s) =>
      actionMatches(s, 'sqs:SendMessage') &&
      resourceMatches(s, queueArn) &&
      [...principalsOf(s, 'Service'), ...principalsOf(s, 'AWS')].some((p) => p === '*' || p.toLowerCase() === service),
  );
  const sourceOk = (s: Statement): 'match' | 'mismatch' | 'account' | 'none' => {
    const conds = conditionValues(s, 'aws:SourceArn');
    if (conds.length === 0) return conditionValues(s, 'aws:SourceAccount').length ? 'account' : 'none';
    if (!sourceArn) return 'match';
    return conds.every((c) => c.values.some((v) => wildcardMatch(v, sourceArn))) ? 'match' : 'mismatch';
  };
  const deny = forService.find((s) => s.Effect === 'Deny' && sourceOk(s) !== 'mismatch');
  if (deny) return { verdict: 'denied', ...(deny.Sid ? { sid: deny.Sid } : {}) };
  const allows = forService.filter((s) => s.Effect === 'Allow');
  const open = (s: Statement) => [...principalsOf(s, 'Service'), ...principalsOf(s, 'AWS')].includes('*') && !s.Condition;
  const anyone = allows.find(open);
  if (anyone) return { verdict: 'public', ...(anyone.Sid ? { sid: anyone.Sid } : {}) };
  const scoped = allows.find((s) => sourceOk(s) === 'match') ?? allows.find((s) => sourceOk(s) === 'account');
  if (scoped) return { verdict: 'allowed', scope: sourceOk(scoped) === 'match' ? 'source' : 'account', ...(scoped.Sid ? { sid: scoped.Sid } : {}) };
  const unscoped = allows.find((s) => sourceOk(s) === 'none');
  if (unscoped) return { verdict: 'unscoped', ...(unscoped.Sid ? { sid: unscoped.Sid } : {}) };
  if (allows.length) return { verdict: 'other-source', sources: allows.flatMap((s) => conditionValues(s, 'aws:SourceArn').flatMap((c) => c.values)) };
  return { verdict: 'missing' };
}

export type DecryptVerdict =
  | { verdict: 'principal'; sid?: string; conditions: string[] }
  /** The account root is allowed: IAM policies of the account decide (IAM delegation). */
  | { verdict: 'account'; sid?: string; conditions: string[] }
  | { verdict: 'denied'; sid?: string }
  | { verdict: 'missing' };

/** Whether a key policy lets `principal` (a role ARN) use kms:Decrypt. */
export function canDecrypt(statements: Statement[], principal: string, principalAccount: string | undefined): DecryptVerdict {
  const rootForms = principalAccount ? [principalAccount, `arn:aws:iam::${principalAccount}:root`] : [];
  const matching = statements.filter((s) => actionMatches(s, 'kms:Decrypt'));
  const names = (s: Statement) => principalsOf(s, 'AWS');
  const direct = (s: Statement) => names(s).some((p) => p === '*' || wildcardMatch(p, principal));
  const root = (s: Statement) => names(s).some((p) => rootForms.includes(p.replace(/^arn:aws[a-z-]*:/, 'arn:aws:')));
  const deny = matching.find((s) => s.Effect === 'Deny' && (direct(s) || root(s)) && !s.Condition);
  if (deny) return { verdict: 'denied', ...(deny.Sid ? { sid: deny.Sid } : {}) };
  const allows = matching.filter((s) => s.Effect === 'Allow');
  const byPrincipal = allows.find(direct);
  if (byPrincipal) return { verdict: 'principal', ...(byPrincipal.Sid ? { sid: byPrincipal.Sid } : {}), conditions: conditionKeys(byPrincipal) };
  const byRoot = allows.find(root);
  if (byRoot) return { verdict: 'account', ...(byRoot.Sid ? { sid: byRoot.Sid } : {}), conditions: conditionKeys(byRoot) };
  return { verdict: 'missing' };
}
