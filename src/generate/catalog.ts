/**
 * The API calls the synthetic organization makes, with requestParameters / responseElements
 * shaped like the ones real CloudTrail records carry for the same call.
 *
 * The calls are defined by service family (catalog-identity, catalog-compute, catalog-data,
 * catalog-ops) on the shared helpers of catalog-base; this module registers them, in a fixed
 * order, and looks them up.
 */
import type { ApiCall } from './catalog-base.js';
import { IAM_CALLS, SIGNIN_CALLS, STS_CALLS } from './catalog-identity.js';
import { EC2_CALLS, LAMBDA_CALLS } from './catalog-compute.js';
import { KMS_CALLS, S3_CALLS, STORE_CALLS } from './catalog-data.js';
import { CLOUDFORMATION_CALLS, MONITORING_CALLS } from './catalog-ops.js';

export type { ApiCall, BuiltCall, CallContext, CloudTrailResource } from './catalog-base.js';
export { isoNoMs, monthDay } from './catalog-base.js';

/** Every call the generator knows, by key. */
export const CALLS: Record<string, ApiCall> = {};
function add(...calls: ApiCall[]): void {
  for (const c of calls) CALLS[c.key] = c;
}

add(...STS_CALLS, ...IAM_CALLS, ...SIGNIN_CALLS);
add(...S3_CALLS, ...EC2_CALLS, ...LAMBDA_CALLS, ...KMS_CALLS);
add(...MONITORING_CALLS, ...STORE_CALLS, ...CLOUDFORMATION_CALLS);

export function getCall(key: string): ApiCall {
  const c = CALLS[key];
  if (!c) throw new Error(`unknown call ${key}`);
  return c;
}

/** IAM actions a list of calls needs (one source of truth for grants derived from activity). */
export function actionsOf(callKeys: string[]): string[] {
  return [...new Set(callKeys.map((k) => getCall(k).action))].sort();
}
