import { makeFinding } from '../finding.js';
import { judgeCredential } from './credentials.js';
import { activityKnown, type Finding, type Rule } from '../types.js';

/**
 * A console password (credential report) not used in the window, or never used by a user
 * older than the window. The credential report's password_last_used is the signal: CloudTrail's
 * ConsoleLogin needs no IAM action (so it is not in usage aggregates) and its failures carry no
 * errorCode, so it cannot tell a sign-in from an attempt as reliably.
 */
export const unusedConsolePassword: Rule = {
  id: 'unused-console-password',
  title: 'Unused console password should be removed',
  severity: 'medium',
  description:
    'The IAM user has a console password that has not been used to sign in during the lookback window (or never, for a user older than the window). A dormant password is a phishing and credential-stuffing target nobody would notice being used.',
  remediation:
    'Delete the login profile (aws iam delete-login-profile --user-name <name>). People should sign in through IAM Identity Center instead of IAM user passwords.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-8',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html',
  ],
  needs: [],
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const id of ctx.identities) {
      if (id.iam?.type !== 'user') continue;
      const user = id.iam;
      if (user.hasConsolePassword !== true) continue;
      if (!activityKnown(ctx, id.summary.accountId)) continue;
      const verdict = judgeCredential(user.passwordLastUsed, user.createdAt, ctx.windowStart, ctx.asOf);
      if (verdict !== 'unused' && verdict !== 'never-used') continue;
      findings.push(
        makeFinding(unusedConsolePassword, {
          accountId: id.summary.accountId,
          resource: user.arn,
          title: `Console password of ${user.name} is unused`,
          description:
            (verdict === 'never-used'
              ? `IAM user ${user.name} has a console password that has never been used; the user is older than the ${ctx.windowDays}-day window ending ${ctx.asOf}.`
              : `IAM user ${user.name} last signed in to the console ${user.passwordLastUsed}, before the ${ctx.windowDays}-day window ending ${ctx.asOf}.`),
          details: {
            verdict,
            passwordLastUsed: user.passwordLastUsed ?? null,
            mfaActive: user.mfaActive ?? null,
            windowDays: ctx.windowDays,
            asOf: ctx.asOf,
          },
        }),
      );
    }
    return findings;
  },
};
