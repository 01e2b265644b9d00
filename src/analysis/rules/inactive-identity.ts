import { makeFinding } from '../finding.js';
import { activityKnown, type Finding, type Rule, type RuleContext } from '../types.js';
import type { IamRole, IamUser } from '../../iam/index.js';

/**
 * An IAM user or role with no successful CloudTrail activity in the window, and no use IAM
 * itself reports in it (RoleLastUsed, password and access-key last used, from the snapshot or
 * the credential report; an access key's date does not count when CloudTrail saw only denied
 * calls from the identity, which move it too). Identities created inside the window and service-linked roles are
 * not judged, nor accounts whose CloudTrail coverage of the window is under the minimum span
 * (absence of logs is no evidence of inactivity); failed calls are attempts, not activity.
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
      if (!activityKnown(ctx, s.accountId)) continue;
      // What IAM saw counts as activity: CloudTrail may have missed it (a gap, a region not ingested).
      const iamLastUsed = iamReportedLastUsed(id.iam, ctx, s.accountId);
      const hasFailures = [...(id.usage?.actions.values() ?? [])].some((a) => a.failure);
      // A key's last-used date also moves on denied calls: when CloudTrail saw only failures, they explain it.
      const keyOnly = id.iam.type === 'user' && iamLastUsed !== null && iamLastUsed !== latestPasswordUse(id.iam, ctx, s.accountId);
      if (iamLastUsed !== null && Date.parse(iamLastUsed) >= Date.parse(ctx.windowStart) && !(keyOnly && hasFailures)) continue;
      const coverage = ctx.coverage?.get(s.accountId);
      const partly = coverage !== undefined && coverage.coveredDays < ctx.windowDays;
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
            `${s.type === 'user' ? 'IAM user' : 'IAM role'} ${s.name} made no successful call in the ${ctx.windowDays} days before ${ctx.asOf}` +
            (partly ? ` as far as CloudTrail shows (its logs cover ${coverage.coveredDays} of those days)` : '') +
            ` (${last}; ${iamLastUsed ? `IAM last saw it used ${iamLastUsed}` : 'IAM reports no use'})` +
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
            iamReportedLastUsed: iamLastUsed,
            cloudTrail: { lastActivity: s.lastActivity, coveredDays: coverage?.coveredDays ?? ctx.windowDays, spans: coverage?.spans ?? null },
            iam: { lastUsed: iamLastUsed },
          },
          evidence: failures.flatMap((a) => a.failure?.eventIds ?? []).slice(0, 10),
        }),
      );
    }
    return findings;
  },
};

/**
 * What IAM itself reports (RoleLastUsed; password and access-key last used from the snapshot
 * and the credential report), at or before asOf: a later report cannot say what happened before.
 */
export function iamReportedLastUsed(iam: IamUser | IamRole, ctx: Pick<RuleContext, 'asOf' | 'credentialReports'>, accountId: string): string | null {
  const asOf = Date.parse(ctx.asOf);
  const row = iam.type === 'user' ? ctx.credentialReports?.get(accountId)?.rows.find((r) => r.arn === iam.arn) : undefined;
  const candidates =
    iam.type === 'role'
      ? [iam.lastUsed]
      : [iam.passwordLastUsed ?? null, ...(iam.accessKeys ?? []).map((k) => k.lastUsed), row?.passwordLastUsed ?? null, ...(row?.accessKeys ?? []).map((k) => k.lastUsed)];
  const times = candidates.filter(
    (t): t is string => typeof t === 'string' && t !== '' && Date.parse(t) <= asOf,
  );
  return times.length > 0 ? times.sort((a, b) => Date.parse(a) - Date.parse(b))[times.length - 1] ?? null : null;
}

function latestPasswordUse(iam: IamUser, ctx: Pick<RuleContext, 'credentialReports'>, accountId: string): string | null {
  const row = ctx.credentialReports?.get(accountId)?.rows.find((r) => r.arn === iam.arn);
  const times = [iam.passwordLastUsed ?? null, row?.passwordLastUsed ?? null].filter((t): t is string => typeof t === 'string' && t !== '');
  return times.sort((a, b) => Date.parse(a) - Date.parse(b))[times.length - 1] ?? null;
}
