/** The S3 key layout of CloudTrail deliveries: what a source lists, a notification names and parse and store read. */
import type { FileKind } from './event.js';

export interface KeyInfo {
  kind: FileKind;
  /** The 12-digit account folder (for organization trails, the member account). */
  accountId?: string;
  /** The organization id folder of an organization trail (o-xxxxxxxxxx). */
  orgId?: string;
  region?: string;
  /** The delivery date folder, YYYY-MM-DD. This is delivery time, not event time. */
  date?: string;
  /** Everything before AWSLogs/, without the trailing slash ('' when the key starts with AWSLogs/). */
  prefix?: string;
}

// The prefix is greedy on purpose: a prefix may itself contain "AWSLogs/", and the layout
// that matters is the last one before the CloudTrail folder.
const LAYOUT =
  /^(?:(.*)\/)?AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)\/([A-Za-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

const KIND_BY_FOLDER: Record<string, FileKind> = {
  CloudTrail: 'events',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-Insight': 'insight',
};

/**
 * Classifies an S3 key or a local path by CloudTrail's delivery layout
 * (`[prefix/]AWSLogs/[o-id/]<acct>/CloudTrail[-Digest|-Insight]/<region>/YYYY/MM/DD/<file>`).
 * Keys must already be URL-decoded. Anything that does not follow the layout is 'other':
 * the caller decides whether to read it anyway (local imports do, by content).
 */
export function classifyKey(key: string): KeyInfo {
  const path = key.includes('\\') ? key.replace(/\\/g, '/') : key;
  const m = LAYOUT.exec(path);
  if (!m) return { kind: 'other' };
  const [, prefix, orgId, accountId, folder, region, yyyy, mm, dd] = m;
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > 31) return { kind: 'other' };
  const info: KeyInfo = {
    kind: KIND_BY_FOLDER[folder as string] ?? 'other',
    accountId,
    region,
    date: `${yyyy}-${mm}-${dd}`,
    prefix: prefix ?? '',
  };
  if (orgId) info.orgId = orgId;
  return info;
}
