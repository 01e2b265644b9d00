/**
 * The coverage a committed file proves, computed with the file's encoding (on a parse worker
 * during bulk import). A CloudTrail delivery key names the account, the region and the delivery
 * time (`<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`): the file proves that
 * CloudTrail was delivering that account's trail for that region in that hour, whatever its
 * events. Only the delivery hour is marked, not the hours of its events: CloudTrail sometimes
 * delivers an event hours late, and one late event must not make a missing hour look covered.
 * A file without that layout (lookup-events export, JSON array, one event per line) proves only
 * the hours of its events, per recipientAccountId and awsRegion.
 */
import type { NormalizedEvent } from '../../model/index.js';
import type { FileRecord } from '../types.js';
import { classifyKey } from '../../model/index.js';
import { HOUR_MS, timeToMs } from './time.js';

/** [accountId, region, hour start in ms, files, events]: one covered hour bucket of a part. */
export type CoverageMark = [string, string, number, number, number];

const ACCOUNT = /^\d{12}$/;
const STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/\\]*$/;

/** The delivery hour (ms) of a CloudTrail log file key, or null when the key does not say. */
export function deliveryHour(key: string): { accountId: string; region: string; hour: number } | null {
  const info = classifyKey(key);
  if (info.kind !== 'events' || !info.accountId || !info.region) return null;
  const m = STAMP.exec(key);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(ms) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return { accountId: info.accountId, region: info.region, hour: ms - (ms % HOUR_MS) };
}

/** The hour buckets one file (or a file-less batch of events) proves covered. */
export function coverageMarks(file: FileRecord | null, events: readonly NormalizedEvent[]): CoverageMark[] {
  // A failed or skipped file (corrupt, digest) proves nothing was held.
  if (file && file.status !== 'done') return [];
  const delivered = file ? deliveryHour(file.key) : null;
  if (delivered) return [[delivered.accountId, delivered.region, delivered.hour, 1, events.length]];
  const byBucket = new Map<string, CoverageMark>();
  for (const e of events) {
    if (!e.recipientAccountId || !ACCOUNT.test(e.recipientAccountId)) continue;
    const t = timeToMs(e.eventTime);
    const hour = t - (((t % HOUR_MS) + HOUR_MS) % HOUR_MS);
    const region = e.awsRegion ?? '';
    const k = `${e.recipientAccountId}\u0000${region}\u0000${hour}`;
    const mark = byBucket.get(k);
    if (mark) mark[4]++;
    else byBucket.set(k, [e.recipientAccountId, region, hour, 0, 1]);
  }
  return [...byBucket.values()];
}
