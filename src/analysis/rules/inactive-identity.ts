import { makeFinding } from '../finding.js';
import type { Finding, Rule } from '../types.js';
import type { IamRole, IamUser } from '../../iam/types.js';

/**
 * An IAM user or role with no successful CloudTrail activity in the window. Identities
 * created inside the window and service-linked roles are not judged; failed calls are
 * attempts, not activity (they are listed as evidence).
 */
export const inactiveIdentity: Rule = {
  id: 'inactive-identity',
  title: 'Permissions of an inactive identity should be revoked',
  severity: 'medium',
  description:
    'The identity has made no successful AWS call in the lookback window. Standing permissions nobody uses widen the blast radius of a leaked key or a hijacked role without serving anyone.',
  remediation:
    'Confirm with the owner, then remove the identity, or detach its policies (and deactivate its keys and password). Keep an inline deny-all while you confirm, if deletion needs time.',
  references: [
    'https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-identity-access',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html',
  ],
  needs: [],
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const id of ctx.identities) {
      const s = id.summary;
      if (!id.iam || id.serviceLinked || id.createdInWindow) continue;
      // Any successful call counts, including permission-free ones (sts:GetCallerIdentity, console sign-in).
      if (s.lastActivity !== null && Date.parse(s.lastActivity) >= Date.parse(ctx.windowStart)) continue;
      const failures = [...(id.usage?.actions.values() ?? [])].filter((a) => a.failure);
      const failedCalls = failures.reduce((n, a) => n + (a.failure?.count ?? 0), 0);
      const admin = s.isAdmin === true;
      const last = s.lastActivity ? `last successful activity ${s.lastActivity}` : 'no successful activity on record';
      findings.push(
        makeFinding(inactiveIdentity, {
          accountId: s.accountId,
          resource: s.arn,
          severity: admin ? 'high' : inactiveIdentity.severity,
          title: `Inactive ${s.type} ${s.name} should have its permissions revoked`,
          description:
            `${s.type === 'user' ? 'IAM user' : 'IAM role'} ${s.name} made no successful call in the ${ctx.windowDays} days before ${ctx.asOf} (${last})` +
            (s.grantedActionCount !== null ? ` but is granted ${s.grantedActionCount} actions${admin ? ', full administrator access' : ''}.` : '.') +
            (failedCalls > 0 ? ` ${failedCalls} failed call(s) in the window are attempts, not use.` : ''),
          details: {
            windowDays: ctx.windowDays,
            windowStart: ctx.windowStart,
            asOf: ctx.asOf,
            createdAt: s.createdAt,
            lastActivity: s.lastActivity,
            grantedActionCount: s.grantedActionCount,
            isAdmin: s.isAdmin,
            failedCalls,
            failedActions: failures.map((a) => a.action).sort(),
            iamReportedLastUsed: iamReportedLastUsed(id.iam),
          },
          evidence: failures.flatMap((a) => a.failure?.eventIds ?? []).slice(0, 10),
        }),
      );
    }
    return findings;
  },
};

/** What IAM itself reports (RoleLastUsed, password/key last used): shown beside CloudTrail's view. */
function iamReportedLastUsed(iam: IamUser | IamRole): string | null {
  if (iam.type === 'role') return iam.lastUsed;
  const times = [iam.passwordLastUsed ?? null, ...(iam.accessKeys ?? []).map((k) => k.lastUsed)].filter(
    (t): t is string => typeof t === 'string' && t !== '',
  );
  return times.length > 0 ? times.sort()[times.length - 1] ?? null : null;
}
