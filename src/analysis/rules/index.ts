/**
 * The built-in rules. Adding a rule = adding its file and one line here; the engine never changes.
 */
import type { Rule } from '../types.js';
import { inactiveIdentity } from './inactive-identity.js';
import { overprovisionedIdentity } from './overprovisioned-identity.js';
import { superIdentity } from './super-identity.js';
import { unusedAccessKey } from './unused-access-key.js';
import { unusedConsolePassword } from './unused-console-password.js';

export const builtinRules: readonly Rule[] = [
  inactiveIdentity,
  overprovisionedIdentity,
  superIdentity,
  unusedAccessKey,
  unusedConsolePassword,
];
