import { actionMatchesPattern } from '@cloud-copilot/iam-expand';
import type { IamRole } from '../types.js';
import { asList } from '../snapshot/policy-document.js';
import type { DecidableContext } from './conditions.js';
import type { Simulator } from './simulator.js';

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
    if (st.Condition) {
      const keys = Object.values(st.Condition).flatMap((e) => Object.keys(e));
      if (keys.every((k) => given.has(k.toLowerCase()) || pctx.isKnown(k))) {
        decided = simulator.conditionHolds(st.Condition, pctx, ctx) ? 'allowed' : 'denied';
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
