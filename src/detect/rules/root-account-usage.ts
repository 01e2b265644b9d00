import { defineEventRule } from '../types.js';
import { accountOf, succeeded, who } from './helpers.js';

/**
 * Any call made by the root user itself (CIS AWS Foundations 1.7 / 4.3's metric filter): not one
 * an AWS service made on root's behalf (invokedBy), not an AwsServiceEvent. Failed calls are left
 * to the sign-in and recon rules: a failed root login is an attempt, not usage.
 */
export const rootAccountUsage = defineEventRule({
  id: 'root-account-usage',
  title: 'The root user was used',
  severity: 'high',
  description:
    'The account root user signed in or called an API. Root cannot be restricted by IAM policies or permission boundaries; day-to-day use of it defeats least privilege and every identity control.',
  remediation:
    'Confirm who used root and why. Lock root away: MFA on it (hardware key), no access keys, credentials in a vault, and use IAM Identity Center or roles for everyday work. In an Organization, consider centralised root access management.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-20',
  ],
  attack: ['T1078.004'],
  prefilter: { identityType: ['Root'] },
  input: 'full',
  match(e) {
    if (e.invokedBy || e.eventType === 'AwsServiceEvent' || !succeeded(e)) return null;
    const account = e.principalAccountId ?? accountOf(e);
    return { resource: `arn:aws:iam::${account}:root`, accountId: account, details: { ...who(e), readOnly: e.readOnly } };
  },
});
