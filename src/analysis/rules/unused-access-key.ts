import { makeFinding } from '../finding.js';
import { judgeCredential } from './credentials.js';
import type { Finding, Rule } from '../types.js';

/** An active access key (credential report) not used in the window, or never used and older than it. */
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
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const id of ctx.identities) {
      if (id.iam?.type !== 'user') continue;
      const user = id.iam;
      (user.accessKeys ?? []).forEach((key, index) => {
        if (!key.active) return;
        const verdict = judgeCredential(key.lastUsed, key.createdAt ?? user.createdAt, ctx.windowStart, ctx.asOf);
        if (verdict !== 'unused' && verdict !== 'never-used') return;
        const label = key.id ?? `access key ${index + 1}`;
        findings.push(
          makeFinding(unusedAccessKey, {
            accountId: id.summary.accountId,
            resource: user.arn,
            subject: key.id ?? `key${index + 1}`,
            title: `Access key ${label} of ${user.name} is unused`,
            description:
              verdict === 'never-used'
                ? `Active access key ${label} of IAM user ${user.name} has never been used and was created before the ${ctx.windowDays}-day window ending ${ctx.asOf}.`
                : `Active access key ${label} of IAM user ${user.name} was last used ${key.lastUsed}, before the ${ctx.windowDays}-day window ending ${ctx.asOf}.`,
            details: {
              accessKeyId: key.id ?? null,
              keyIndex: index + 1,
              verdict,
              lastUsed: key.lastUsed,
              createdAt: key.createdAt ?? null,
              windowDays: ctx.windowDays,
              asOf: ctx.asOf,
            },
          }),
        );
      });
    }
    return findings;
  },
};
