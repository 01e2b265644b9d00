/**
 * Planted cases with known answers. Each case creates its identity, its grants and its events
 * through OrgBuilder and states its expectation from the same values, so expected.json cannot
 * drift from what was generated.
 *
 * The cases are defined by category (planted-super, planted-inactive, planted-unused,
 * planted-privesc, planted-trust) on the shared helpers of planted-kit. They run in a fixed
 * order: they draw from one random stream, and expected.json lists them in that order.
 */
import type { OrgBuilder } from './builder.js';
import { plantKit } from './planted-kit.js';
import type { PlantContext } from './planted-kit.js';
import { plantSuperCases } from './planted-super.js';
import { plantInactiveCases } from './planted-inactive.js';
import { plantUnusedCases } from './planted-unused.js';
import { plantPrivescCases } from './planted-privesc.js';
import { plantTrustCases } from './planted-trust.js';

export { INACTIVITY_DAYS } from './planted-kit.js';
export type { PlantContext } from './planted-kit.js';

export function plantCases(b: OrgBuilder, ctx: PlantContext): void {
  const k = plantKit(b, ctx);
  // ops-admin (a super user) also creates the new hire of the inactivity cases.
  const opsAdminActor = plantSuperCases(k);
  plantInactiveCases(k, opsAdminActor);
  // The Lambda service actor of the over-provisioned ETL role also assumes the escalation's role.
  const lambdaService = plantUnusedCases(k);
  plantPrivescCases(k, lambdaService);
  plantTrustCases(k);
}
