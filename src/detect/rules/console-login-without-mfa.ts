import { defineEventRule } from '../types.js';
import { accountOf, actorOf, additional, succeeded, who } from './helpers.js';

/**
 * A successful console sign-in with a password and no MFA, by an IAM user or root. Federated
 * sign-ins (SAML, Identity Center, role sessions) are out: MFA is the identity provider's, and
 * CloudTrail's MFAUsed says nothing about it.
 */
export const consoleLoginWithoutMfa = defineEventRule({
  id: 'console-login-without-mfa',
  title: 'Console sign-in without MFA',
  severity: 'medium',
  description:
    'An IAM user or the root user signed in to the AWS console with a password only. A phished or reused password is then enough to take over the identity.',
  remediation:
    'Require MFA for every console user (an IAM policy denying everything without aws:MultiFactorAuthPresent, or move people to IAM Identity Center), and enable MFA on root. Check the sign-in came from the person and place you expect.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5',
  ],
  attack: ['T1078.004'],
  prefilter: { eventSource: ['signin.amazonaws.com'], eventName: ['ConsoleLogin'], identityType: ['IAMUser', 'Root'] },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const extra = additional(e);
    if (extra.MFAUsed !== 'No') return null;
    if (extra.SamlProviderArn !== undefined) return null;
    const root = e.identityType === 'Root';
    return {
      resource: actorOf(e),
      accountId: root ? (e.principalAccountId ?? accountOf(e)) : accountOf(e),
      severity: root ? 'high' : 'medium',
      title: root ? 'Root console sign-in without MFA' : 'Console sign-in without MFA',
      details: { ...who(e), loginTo: extra.LoginTo ?? null },
    };
  },
});
