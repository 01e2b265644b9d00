/**
 * The built-in rules. Adding a rule = adding its file and one line here; the engine never changes.
 */
import type { Rule } from '../types.js';
import { adminRoleAssumableByService } from './admin-role-assumable-by-service.js';
import { identityPermissionsChanged } from './identity-permissions-changed.js';
import { inactiveIdentity } from './inactive-identity.js';
import { overprovisionedIdentity } from './overprovisioned-identity.js';
import { privilegeEscalation } from './privilege-escalation.js';
import { roleTrustExternalWithoutExternalId } from './role-trust-external-without-externalid.js';
import { roleTrustOidcUnscoped } from './role-trust-oidc-unscoped.js';
import { roleTrustPublic } from './role-trust-public.js';
import { superIdentity } from './super-identity.js';
import { unusedAccessKey } from './unused-access-key.js';
import { unusedConsolePassword } from './unused-console-password.js';

export const builtinRules: readonly Rule[] = [
  adminRoleAssumableByService,
  identityPermissionsChanged,
  inactiveIdentity,
  overprovisionedIdentity,
  privilegeEscalation,
  roleTrustExternalWithoutExternalId,
  roleTrustOidcUnscoped,
  roleTrustPublic,
  superIdentity,
  unusedAccessKey,
  unusedConsolePassword,
];
