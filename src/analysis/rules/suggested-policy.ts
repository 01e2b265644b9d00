import { suggestPolicy } from '../policy.js';
import type { SuggestedPolicy } from '../policy.js';
import type { IdentityAnalysis } from '../identities.js';
import type { RuleContext } from '../types.js';

/** The least-privilege policy a rule proposes for an identity it judges (its own observed use). */
export function suggestedPolicyFor(ctx: RuleContext, id: IdentityAnalysis): SuggestedPolicy {
  const s = id.summary;
  return suggestPolicy({
    principalArn: s.arn,
    usage: id.usage,
    permissions: id.permissions,
    evaluator: ctx.evaluator,
    identity: id.iam,
    snapshot: ctx.snapshots.find((x) => x.accountId === s.accountId) ?? null,
    passRoleServices: ctx.passRoleServices?.get(s.arn),
  });
}
