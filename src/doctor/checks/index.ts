/** Every doctor check, in the order they run (facts fetched by earlier checks are reused). */
import type { DoctorCheck } from '../types.js';
import { identity } from './identity.js';
import { externalIdRequired } from './external-id-required.js';
import { trailConfigured } from './trail-configured.js';
import { trailLogging } from './trail-logging.js';
import { managementEvents } from './management-events.js';
import { queueNotification } from './queue-notification.js';
import { bucketQueueRegion } from './bucket-queue-region.js';
import { queuePolicy } from './queue-policy.js';
import { queueSettings } from './queue-settings.js';
import { queueBacklog } from './queue-backlog.js';
import { recentFileReadable } from './recent-file-readable.js';
import { kmsKey } from './kms-key.js';
import { organizationAccounts } from './organization-accounts.js';
import { accountFilesRecent } from './account-files-recent.js';

export const ALL_CHECKS: readonly DoctorCheck[] = [
  identity,
  externalIdRequired,
  trailConfigured,
  trailLogging,
  managementEvents,
  queueNotification,
  bucketQueueRegion,
  queuePolicy,
  queueSettings,
  queueBacklog,
  recentFileReadable,
  kmsKey,
  organizationAccounts,
  accountFilesRecent,
];
