import { makeFinding } from '../finding.js';
import { suggestedPolicyFor } from './suggested-policy.js';
import type { Finding, Rule } from '../types.js';

/**
 * An identity allowed every action on every resource after permission boundaries, SCPs and
 * explicit denies (the IAM evaluator's isAdmin). Service-linked roles are AWS's to manage.
 */
export const superIdentity: Rule = {
  id: 'super-identity',
  title: 'Identity with full administrative access',
  severity: 'high',
  description:
    'The identity may perform every action on every resource: no permission boundary, SCP or explicit deny narrows it. One leaked credential or assumable session is a full account compromise.',
  remediation:
    'Keep full access only for break-glass identities guarded by MFA and alerting. For others, replace AdministratorAccess (or "*:*") with the suggested policy from observed use, or a permission boundary.',
  references: [
    'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
  ],
  needs: [],
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const id of ctx.identities) {
      const s = id.summary;
      if (!id.iam || !id.permissions?.isAdmin || id.serviceLinked) continue;
      const used = s.usedActions;
      const policy = suggestedPolicyFor(ctx, id);
      const active = id.usage?.lastSuccess != null;
      findings.push(
        makeFinding(superIdentity, {
          accountId: s.accountId,
          resource: s.arn,
          title: `${s.type === 'user' ? 'IAM user' : 'IAM role'} ${s.name} has full administrative access`,
          description:
            `${s.name} may perform every action on every resource in account ${s.accountId}. ` +
            (active
              ? `In the ${ctx.windowDays} days before ${ctx.asOf} it used ${used.length} distinct action(s).`
              : `It made no successful call in the ${ctx.windowDays} days before ${ctx.asOf}.`),
          details: {
            windowDays: ctx.windowDays,
            asOf: ctx.asOf,
            active,
            lastActivity: s.lastActivity,
            usedActionCount: used.length,
            usedActions: used,
            grantedActionCount: s.grantedActionCount,
            people: s.people,
            suggestedPolicy: policy.document,
            suggestedPolicyNotes: policy.notes,
          },
          evidence: [...(id.usage?.actions.values() ?? [])].flatMap((a) => a.success?.eventIds.slice(0, 1) ?? []).slice(0, 20),
        }),
      );
    }
    return findings;
  },
};
