import { defineEventRule } from '../types.js';
import { accountOf, actorOf, actorUserName, params, str, succeeded, userArn, who } from './helpers.js';

/** An MFA device deactivated or a virtual one deleted: MFA removed from a user (or root). */
export const mfaDeviceDeactivated = defineEventRule({
  id: 'mfa-device-deactivated',
  title: 'MFA device deactivated',
  severity: 'medium',
  description:
    'An MFA device was deactivated or a virtual MFA device deleted. Without it, the identity\'s password or keys alone are enough; removing MFA is a step attackers take before using stolen credentials, and it breaks MFA-conditioned policies.',
  remediation:
    'Confirm the user asked for it (device lost or replaced) and that a new device was enrolled; if not, reset the credentials and re-enroll MFA.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_disable.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-19',
  ],
  attack: ['T1556.006'],
  prefilter: { eventSource: ['iam.amazonaws.com'], eventName: ['DeactivateMFADevice', 'DeleteVirtualMFADevice'] },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const p = params(e);
    const serial = str(p.serialNumber) ?? null;
    const target = str(p.userName) ?? actorUserName(e);
    const root = (!target && e.identityType === 'Root') || (serial !== null && /:mfa\/root-account-mfa-device$|:root$/.test(serial));
    const resource = root ? `arn:aws:iam::${accountOf(e)}:root` : target ? userArn(e, target) : actorOf(e);
    return {
      resource,
      severity: root ? 'high' : 'medium',
      title: root ? 'MFA removed from the root user' : `MFA device deactivated${target ? ` for ${target}` : ''}`,
      details: { ...who(e), targetUser: target ?? null, serialNumber: serial },
    };
  },
});
