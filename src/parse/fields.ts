/** Small typed readers for untrusted JSON. CloudTrail content is attacker-influenced data. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or null. CloudTrail uses "" for "absent" in several fields (accessKeyId, arn). */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function obj(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

/** CloudTrail writes some booleans as strings ("true", and "True" in hand-written samples). */
export function bool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return null;
}

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: unknown): Arn | null {
  if (typeof value !== 'string' || !value.startsWith('arn:')) return null;
  const parts = value.split(':');
  if (parts.length < 6) return null;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  if (!partition || !service) return null;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

const PARTITION_BY_REGION_PREFIX: Array<[string, string]> = [
  ['us-gov-', 'aws-us-gov'],
  ['cn-', 'aws-cn'],
  ['us-isob-', 'aws-iso-b'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
];

/** The partition a region belongs to; 'aws' for anything not known to be elsewhere. */
export function partitionOfRegion(region: string | null): string {
  if (region) {
    for (const [prefix, partition] of PARTITION_BY_REGION_PREFIX) if (region.startsWith(prefix)) return partition;
  }
  return 'aws';
}

// Control, bidi-override and line-separator characters: rejected-record reasons quote record
// content and end up on operators' terminals and in logs.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Makes text quoted from untrusted content safe to print: escapes control characters, caps length. */
export function printable(text: string, max = 500): string {
  const safe = text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return safe.length > max ? `${safe.slice(0, max - 3)}...` : safe;
}
