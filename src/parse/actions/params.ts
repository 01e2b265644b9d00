/**
 * Defensive, case-insensitive access to CloudTrail request/response parameters.
 * Records are hostile input: values are only ever read as strings, lookups are bounded.
 */

const MAX_KEYS_SCANNED = 256;
const MAX_ARRAY_ITEMS = 256;
/** Longest string we accept as an ARN or name. */
export const MAX_VALUE_LENGTH = 2048;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj[key]`, falling back to a case-insensitive key match (`roleArn` / `RoleArn` / `roleARN`). */
export function getCI(obj: unknown, key: string): unknown {
  if (!isRecord(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  let n = 0;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    if (++n > MAX_KEYS_SCANNED) break;
    if (k.toLowerCase() === lower) return obj[k];
  }
  return undefined;
}

/**
 * Values at a dotted path, case-insensitive per segment. A segment ending in `[]` fans out over an
 * array (`targets[].roleArn`); a plain segment that meets an array also fans out, since CloudTrail
 * sometimes logs a one-element list where the API has a scalar.
 */
export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const rawSegment of path.split('.')) {
    const segment = rawSegment.endsWith('[]') ? rawSegment.slice(0, -2) : rawSegment;
    const next: unknown[] = [];
    for (const node of current) {
      const v = getCI(node, segment);
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) {
        for (const item of v.slice(0, MAX_ARRAY_ITEMS)) if (item !== undefined && item !== null) next.push(item);
      } else {
        next.push(v);
      }
    }
    if (next.length === 0) return [];
    current = next;
  }
  return current;
}

/** Strings at a path (non-strings ignored), trimmed, bounded in length. */
export function stringsAt(root: unknown, path: string): string[] {
  const out: string[] = [];
  for (const v of valuesAt(root, path)) {
    if (typeof v !== 'string') continue;
    const s = v.trim();
    if (s && s.length <= MAX_VALUE_LENGTH) out.push(s);
  }
  return out;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_VALUE_LENGTH ? v : undefined;
}

/** The partition for ARNs built for this record: from the caller's ARN, else the region, else `aws`. */
export function partitionOf(record: Record<string, unknown>): string {
  const callerArn = str(getCI(record.userIdentity, 'arn'));
  if (callerArn) {
    const m = /^arn:(aws[a-z-]*):/.exec(callerArn);
    if (m?.[1]) return m[1];
  }
  const region = str(record.awsRegion) ?? '';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** The account whose resources the call named: recipientAccountId, else the caller's account. */
export function accountOf(record: Record<string, unknown>): string | undefined {
  const recipient = str(record.recipientAccountId);
  if (recipient && /^\d{12}$/.test(recipient)) return recipient;
  const caller = str(getCI(record.userIdentity, 'accountId'));
  if (caller && /^\d{12}$/.test(caller)) return caller;
  return undefined;
}
