import { authorizationDetails, importIam, tempStore, allow, allowAll, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import type { RuleContext } from '../types.js';
import type { PolicyDocument } from '../../iam/types.js';

export const CREATED = '2025-01-01T00:00:00Z';

export function trust(principal: unknown, action: string = 'sts:AssumeRole', condition?: Record<string, Record<string, unknown>>): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) }] };
}

/** Imports roles with these trust policies (read-only unless admin) through the real importer; returns the analysis context. */
export async function trustContext(roles: { name: string; trust: PolicyDocument; admin?: boolean }[]): Promise<{ t: TempStore; ctx: RuleContext }> {
  const t = await tempStore();
  await importIam(t.store, {
    authz: [authorizationDetails({ roles: roles.map((r) => ({ name: r.name, created: CREATED, trust: r.trust, inline: [r.admin ? allowAll() : allow(['s3:GetObject'])] })) })],
  });
  const ctx = (await loadAnalysis(t.store, { asOf: '2026-06-01T00:00:00Z', windowDays: 90 })).ctx;
  return { t, ctx };
}
