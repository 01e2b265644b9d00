/**
 * The built-in event rules. Adding a rule = adding its file (and its test) and one line here;
 * the engine never changes.
 */
import type { EventRule } from '../types.js';
import { accessKeyCreatedForOtherUser } from './access-key-created-for-other-user.js';
import { consoleLoginWithoutMfa } from './console-login-without-mfa.js';
import { guarddutyDisabled } from './guardduty-disabled.js';
import { iamUserCreatedWithConsoleAccess } from './iam-user-created-with-console-access.js';
import { kmsKeyDeletionScheduled } from './kms-key-deletion-scheduled.js';
import { loggingDisabled } from './logging-disabled.js';
import { mfaDeviceDeactivated } from './mfa-device-deactivated.js';
import { rootAccountUsage } from './root-account-usage.js';
import { s3BucketMadePublic } from './s3-bucket-made-public.js';
import { securityGroupOpenToWorld } from './security-group-open-to-world.js';
import { unusualSourceIp } from './unusual-source-ip.js';

export const builtinEventRules: readonly EventRule[] = [
  accessKeyCreatedForOtherUser,
  consoleLoginWithoutMfa,
  guarddutyDisabled,
  iamUserCreatedWithConsoleAccess,
  kmsKeyDeletionScheduled,
  loggingDisabled,
  mfaDeviceDeactivated,
  rootAccountUsage,
  s3BucketMadePublic,
  securityGroupOpenToWorld,
  unusualSourceIp,
];
