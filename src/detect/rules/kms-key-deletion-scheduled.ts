import { defineEventRule } from '../types.js';
import { actorOf, params, response, str, succeeded, who } from './helpers.js';

/** A KMS key scheduled for deletion: once deleted, everything it encrypted is lost. */
export const kmsKeyDeletionScheduled = defineEventRule({
  id: 'kms-key-deletion-scheduled',
  title: 'KMS key scheduled for deletion',
  severity: 'high',
  description:
    'A KMS key was scheduled for deletion. When the waiting period ends, data encrypted under it (EBS volumes, S3 objects, secrets, backups) can never be decrypted again: a destructive or ransom step if it was not planned.',
  remediation:
    'If unplanned, cancel it at once (aws kms cancel-key-deletion) and re-enable the key, then find out who scheduled it. Deny kms:ScheduleKeyDeletion outside a break-glass role with an SCP.',
  references: [
    'https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3',
  ],
  attack: ['T1485'],
  prefilter: { eventSource: ['kms.amazonaws.com'], eventName: ['ScheduleKeyDeletion'] },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const p = params(e);
    const r = response(e);
    const key = str(r.keyId) ?? str(p.keyId) ?? null;
    return {
      resource: actorOf(e),
      details: { ...who(e), key, pendingWindowInDays: p.pendingWindowInDays ?? null, deletionDate: r.deletionDate ?? null },
    };
  },
});
