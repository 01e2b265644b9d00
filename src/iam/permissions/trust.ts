import { actionMatchesPattern } from '@cloud-copilot/iam-expand';
import type { IamRole } from '../types.js';
import { asList } from '../snapshot/policy-document.js';
import type { DecidableContext } from './conditions.js';
import type { Simulator } from './simulator.js';
import { isTimeKey, timeConditionVerdict } from './time-conditions.js';

/**
 * The trust-policy side of sts:AssumeRole* on an imported role (PMapper's rule): the trust
 * policy must allow the caller — by ARN, by account (then the caller's own policies must
 * allow too) or by "*" — and no trust statement may deny it.
 */
export function trustSide(
  simulator: Simulator,
  action: string,
  role: IamRole,
  pctx: DecidableContext,
  context: Record<string, string | string[]>,
  asOfMs = NaN,
): { result: 'allowed' | 'denied' | 'conditional'; namesCaller: boolean } {
  const callerArn = pctx.arn;
  const matchesPrincipal = (principal: unknown): 'arn' | 'account' | false => {
    if (principal === '*') return 'account';
    if (!principal || typeof principal !== 'object') return false;
    const aws = (principal as Record<string, unknown>).AWS;
    for (const v of aws === undefined ? [] : Array.isArray(aws) ? aws : [aws]) {
      if (v === '*') return 'account';
      if (v === callerArn) return 'arn';
      if (v === pctx.accountId || v === `arn:aws:iam::${pctx.accountId}:root`) return 'account';
    }
    return false;
  };
  let best: 'allowed' | 'conditional' | 'denied' = 'denied';
  let namesCaller = false;
  const ctx = { ...pctx.ctx, ...context };
  const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
  for (const st of role.trustPolicy.Statement) {
    const m = matchesPrincipal(st.Principal);
    if (!m || !asList(st.Action).some((a) => actionMatchesPattern(action, a))) continue;
    let decided: 'allowed' | 'conditional' | 'denied' = 'allowed';
    const condition = st.Condition ? withoutTimeEntries(st.Condition, asOfMs, pctx.kind) : undefined;
    if (condition === null) continue; // a time condition that can never hold at the analysis instant
    if (condition) {
      const keys = Object.values(condition).flatMap((e) => Object.keys(e));
      if (keys.every((k) => given.has(k.toLowerCase()) || pctx.isKnown(k))) {
        decided = simulator.conditionHolds(condition, pctx, ctx) ? 'allowed' : 'denied';
      } else decided = 'conditional';
    }
    if (st.Effect === 'Deny') {
      if (decided === 'allowed') return { result: 'denied', namesCaller };
      if (decided === 'conditional' && best === 'allowed') best = 'conditional';
      continue;
    }
    if (decided === 'denied') continue;
    if (decided === 'allowed' || best === 'denied') best = decided;
    if (m === 'arn' && decided === 'allowed') namesCaller = true;
  }
  return { result: best, namesCaller };
}

/**
 * The condition with its date and time entries decided at the analysis instant: null when one
 * can never hold, undefined when nothing is left to decide, else the remaining entries.
 */
function withoutTimeEntries(
  condition: Record<string, Record<string, unknown>>,
  asOfMs: number,
  principalKind: string,
): Record<string, Record<string, unknown>> | null | undefined {
  if (Number.isNaN(asOfMs)) return condition;
  const rest: Record<string, Record<string, unknown>> = {};
  let left = false;
  for (const [op, entries] of Object.entries(condition)) {
    for (const [key, value] of Object.entries(entries)) {
      const verdict = isTimeKey(key) ? timeConditionVerdict(op, key, value, asOfMs, principalKind) : 'unknown';
      if (verdict === 'never') return null;
      if (verdict === 'always') continue;
      (rest[op] ??= {})[key] = value;
      left = true;
    }
  }
  return left ? rest : undefined;
}
