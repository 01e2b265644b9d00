import { makeFinding } from '../finding.js';
import { judgeCredential } from './credentials.js';
import { activityKnown, type Finding, type Rule, type RuleContext } from '../types.js';

interface KeyView {
  /** 1 or 2, the credential report's column; null when only the order is known. */
  slot: number | null;
  id: string | null;
  active: boolean;
  lastUsed: string | null;
  createdAt: string | null;
}

/**
 * An active access key (credential report) not used in the window, or never used and older
 * than it. The root user's keys (from the report's root row) are judged too, at high severity:
 * the root user should have no access key at all.
 */
export const unusedAccessKey: Rule = {
  id: 'unused-access-key',
  title: 'Unused access key should be deactivated',
  severity: 'medium',
  description:
    'An active access key has not signed a request in the lookback window (or never has, and is older than the window). Long-lived keys nobody uses are pure exposure: they leak from laptops, CI logs and repositories.',
  remediation:
    'Deactivate the key (aws iam update-access-key --status Inactive), wait for complaints, then delete it. Prefer roles and IAM Identity Center over long-lived keys.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotate_access_keys',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-8',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html',
  ],
  needs: [],
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const id of ctx.identities) {
      if (id.iam?.type !== 'user') continue;
      const user = id.iam;
      const row = ctx.credentialReports?.get(id.summary.accountId)?.rows.find((r) => r.arn === user.arn);
      const keys: KeyView[] = row
        ? row.accessKeys.map((k) => ({ slot: k.slot, id: null, active: k.active, lastUsed: k.lastUsed, createdAt: k.lastRotated }))
        : (user.accessKeys ?? []).map((k) => ({ slot: null, id: k.id ?? null, active: k.active, lastUsed: k.lastUsed, createdAt: k.createdAt ?? null }));
      keys.forEach((k, i) => {
        const f = judgeKey(ctx, k, i, { arn: user.arn, name: user.name, accountId: id.summary.accountId, createdAt: user.createdAt, root: false });
        if (f) findings.push(f);
      });
    }
    for (const [accountId, report] of ctx.credentialReports ?? []) {
      if (ctx.snapshots.length > 0 && !ctx.snapshots.some((s) => s.accountId === accountId)) continue;
      for (const row of report.rows) {
        if (!row.isRoot) continue;
        row.accessKeys.forEach((k, i) => {
          const f = judgeKey(
            ctx,
            { slot: k.slot, id: null, active: k.active, lastUsed: k.lastUsed, createdAt: k.lastRotated },
            i,
            { arn: `arn:aws:iam::${accountId}:root`, name: 'root', accountId, createdAt: row.userCreationTime, root: true },
          );
          if (f) findings.push(f);
        });
      }
    }
    return findings;
  },
};

function judgeKey(
  ctx: RuleContext,
  key: KeyView,
  index: number,
  owner: { arn: string; name: string; accountId: string; createdAt: string | null; root: boolean },
): Finding | null {
  if (!key.active) return null;
  // Judged only where CloudTrail covered enough of the window (see src/analysis/coverage.ts).
  if (!activityKnown(ctx, owner.accountId)) return null;
  const verdict = judgeCredential(key.lastUsed, key.createdAt ?? owner.createdAt, ctx.windowStart, ctx.asOf);
  if (verdict !== 'unused' && verdict !== 'never-used') return null;
  const label = key.id ?? `access key ${key.slot ?? index + 1}`;
  const who = owner.root ? 'the root user' : `IAM user ${owner.name}`;
  return makeFinding(unusedAccessKey, {
    accountId: owner.accountId,
    resource: owner.arn,
    subject: key.id ?? `key${key.slot ?? index + 1}`,
    severity: owner.root ? 'high' : unusedAccessKey.severity,
    title: `${owner.root ? 'Root user' : `User ${owner.name}`}: ${label} is unused`,
    description:
      (verdict === 'never-used'
        ? `Active ${label} of ${who} has never been used and was created before the ${ctx.windowDays}-day window ending ${ctx.asOf}.`
        : `Active ${label} of ${who} was last used ${key.lastUsed}, before the ${ctx.windowDays}-day window ending ${ctx.asOf}.`) +
      (owner.root ? ' The root user should have no access keys at all.' : ''),
    remediation: owner.root
      ? 'Delete the root user\'s access keys (Security credentials page, signed in as root); use IAM roles for automation.'
      : undefined,
    details: {
      accessKeyId: key.id,
      keySlot: key.slot,
      verdict,
      lastUsed: key.lastUsed,
      createdAt: key.createdAt,
      windowDays: ctx.windowDays,
      asOf: ctx.asOf,
    },
  });
}
