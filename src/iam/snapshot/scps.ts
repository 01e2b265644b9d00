import { z } from 'zod';
import type { PolicyDocument, ScpChain } from '../types.js';
import { decodePolicyDocument } from './policy-document.js';

/**
 * Service control policies of an AWS Organization, in trailscope's export shape
 * (written by `trailscope iam sync` and by the organisation generator as organizations/scps.json):
 *
 * {
 *   "managementAccountId": "111111111111",            // optional; SCPs never apply to it
 *   "policies": [ { "id": "p-...", "name": "...", "document": {...} | "<JSON or URL-encoded JSON>",
 *                   "targets": ["r-...", "ou-...", "123456789012"] } ],
 *   "accounts": [ { "id": "123456789012", "parents": ["ou-child", "ou-parent", "r-root"],
 *                   "management": false } ]        // parents: nearest first (root-first is also accepted)
 * }
 *
 * Each account's ScpChain has one level per target from the root down to the account; a level
 * holds the policies attached to that target. AWS requires at least one SCP on every target
 * while SCPs are enabled, so a level with none means the export is incomplete: it is left out
 * (no restriction assumed) and reported as a warning. Likewise a level whose SCPs only deny
 * (the export listed FullAWSAccess at the root only) gets FullAWSAccess assumed, with a warning.
 * The management account (`managementAccountId`, or `management`/`isManagement` on the account)
 * gets no levels: SCPs never restrict it.
 */
export class ScpExportError extends Error {}

const scpExportSchema = z.object({
  managementAccountId: z.string().optional().nullable(),
  organizationId: z.string().optional().nullable(),
  policies: z.array(
    z.object({
      id: z.string(),
      name: z.string().optional(),
      document: z.unknown(),
      targets: z.array(z.string()).default([]),
    }),
  ),
  accounts: z.array(
    z.object({
      id: z.string().regex(/^\d{12}$/, 'account id must be 12 digits'),
      parents: z.array(z.string()).default([]),
      management: z.boolean().optional(),
      isManagement: z.boolean().optional(),
      name: z.string().optional(),
    }),
  ),
});

export type ScpExport = z.input<typeof scpExportSchema>;

export interface StoredScpPolicy {
  id: string;
  name: string;
  document: PolicyDocument;
}

/** The normalised per-account document stored as kind 'scps'. */
export interface StoredScpChain {
  schema: 1;
  accountId: string;
  organizationId: string | null;
  isManagementAccount: boolean;
  levels: { target: string; policies: StoredScpPolicy[] }[];
  warnings: string[];
}

const FULL_AWS_ACCESS: StoredScpPolicy = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess (assumed)',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

export function looksLikeScpExport(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.policies) && Array.isArray(v.accounts);
}

/** Parses the export into one stored chain per account. */
export function parseScpExport(value: unknown, where = 'SCP export'): StoredScpChain[] {
  const r = scpExportSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ScpExportError(
      `${where}: not an SCP export (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}); expected {"policies":[{"id","name","document","targets"}],"accounts":[{"id","parents"}]}`,
    );
  }
  const exp = r.data;
  const byTarget = new Map<string, StoredScpPolicy[]>();
  for (const p of exp.policies) {
    const doc = decodePolicyDocument(p.document, `SCP ${p.name ?? p.id}`);
    for (const t of p.targets) {
      const list = byTarget.get(t) ?? [];
      list.push({ id: p.id, name: p.name ?? p.id, document: doc });
      byTarget.set(t, list);
    }
  }
  return exp.accounts.map((a) => {
    const isManagement = a.management === true || a.isManagement === true || (!!exp.managementAccountId && exp.managementAccountId === a.id);
    const parents = [...a.parents];
    // nearest first is the documented order; a list that starts at the root is already root-first
    const rootFirst = parents.length > 0 && parents[0]!.startsWith('r-') ? parents : parents.reverse();
    const warnings: string[] = [];
    const levels: StoredScpChain['levels'] = [];
    if (!isManagement) {
      for (const target of [...rootFirst, a.id]) {
        const policies = byTarget.get(target) ?? [];
        if (policies.length === 0) {
          warnings.push(`no SCP listed for ${target}; AWS requires one while SCPs are enabled, so that level is ignored`);
          continue;
        }
        if (!policies.some((p) => p.document.Statement.some((st) => st.Effect === 'Allow'))) {
          // Only Deny SCPs here would block every action in the account. Exports that list
          // FullAWSAccess only where it was attached first (the root) are far more common than
          // such a broken organisation, so FullAWSAccess is assumed at this level.
          warnings.push(`SCPs at ${target} only deny; FullAWSAccess is assumed there as well (AWS attaches it to every target by default)`);
          levels.push({ target, policies: [FULL_AWS_ACCESS, ...policies] });
          continue;
        }
        levels.push({ target, policies });
      }
    }
    return {
      schema: 1 as const,
      accountId: a.id,
      organizationId: exp.organizationId ?? null,
      isManagementAccount: isManagement,
      levels,
      warnings,
    };
  });
}

export function toScpChain(stored: StoredScpChain): ScpChain {
  return {
    accountId: stored.accountId,
    levels: stored.levels.map((l) => l.policies.map((p) => p.document)),
    targets: stored.levels.map((l) => l.target),
    policyNames: stored.levels.map((l) => l.policies.map((p) => p.name)),
    isManagementAccount: stored.isManagementAccount,
  };
}
