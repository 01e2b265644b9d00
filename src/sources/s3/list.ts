import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client, _Object } from '@aws-sdk/client-s3';
import { mergeAsync } from './merge.js';
import { unquoteEtag } from './fetch.js';

export type TrailFileKind = 'events' | 'digest' | 'insight';

const FOLDER: Record<TrailFileKind, string> = { events: 'CloudTrail', digest: 'CloudTrail-Digest', insight: 'CloudTrail-Insight' };
const ACCOUNT_ID = /^\d{12}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const DAY_FILE = /^(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)$/;
// Delivery time in the file name: _YYYYMMDDTHHmmZ_ (events, insight) or _YYYYMMDDTHHmmssZ. (digest).
const STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z(?=[_.])/g;

export interface TrailKey {
  key: string;
  size?: number;
  etag?: string;
  lastModified?: Date;
  kind: TrailFileKind;
  /** Account folder (for organization trails, the member account). */
  accountId: string;
  orgId?: string;
  region: string;
  /** Delivery day folder, YYYY-MM-DD (UTC). */
  date: string;
  /** Delivery time from the file name (ISO-8601); the day's midnight if the name has none. */
  deliveredAt: string;
  /** `[prefix/]AWSLogs/[o-id/]<acct>/CloudTrail/<region>/`: the folder this key was listed from. */
  regionPrefix: string;
}

export interface ListTrailKeysOptions {
  bucket: string;
  /** The trail's S3 key prefix (without AWSLogs/). */
  prefix?: string;
  /** Delivery time range [since, until). Minutes are the file names' precision: since is rounded down to its minute. */
  since: Date | string | number;
  until: Date | string | number;
  /** Only these account folders (member accounts for organization trails). */
  accountIds?: readonly string[];
  /** Only these organization folders (o-…); single-account folders are kept unless `orgOnly`. */
  orgIds?: readonly string[];
  regions?: readonly string[];
  /** Default ['events']: digests and Insights only when asked. */
  kinds?: readonly TrailFileKind[];
  /** Region folders listed at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Resume support: the first day (YYYY-MM-DD) to list in a region folder, when later than the
   * first day of the range. Called once per region folder before it is listed.
   */
  resumeDay?: (regionPrefix: string) => Promise<string | undefined> | string | undefined;
  /**
   * Called after a region folder has been listed to the end of the range, with the number of
   * keys it yielded. Keys are read ahead, so this can come before the consumer has received the
   * folder's last keys: compare the count with the keys received.
   */
  onRegionListed?: (regionPrefix: string, keys: number) => void;
  /** Keys per list page (S3's default and maximum is 1000). */
  pageSize?: number;
  /** Counts S3 list requests (for tests and measurements). */
  stats?: { listRequests: number };
}

export function toMs(t: Date | string | number): number {
  const ms = typeof t === 'string' ? Date.parse(t) : typeof t === 'number' ? t : t.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${String(t)}`);
  return ms;
}

/** YYYY-MM-DD of a UTC time. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dayFolder(day: string): string {
  return day.replace(/-/g, '/');
}

/** YYYYMMDDTHHmm of a time, as in event file names (the Z follows). */
function nameStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** The logs root of a trail: `[prefix/]AWSLogs/`. */
export function logsRoot(prefix?: string): string {
  const p = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return p ? `${p}/AWSLogs/` : 'AWSLogs/';
}

/** Delivery time of a CloudTrail file name, as ms; undefined when the name carries none. */
export function deliveryTimeOf(fileName: string): number | undefined {
  let last: RegExpExecArray | undefined;
  STAMP.lastIndex = 0;
  for (let m = STAMP.exec(fileName); m; m = STAMP.exec(fileName)) last = m;
  if (!last) return undefined;
  const [, y, mo, d, h, mi, s] = last;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Folder names (CommonPrefixes) directly under `prefix`, without `prefix` and the trailing '/'. */
export async function* listFolders(s3: S3Client, bucket: string, prefix: string, opts: Pick<ListTrailKeysOptions, 'signal' | 'stats'> = {}): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    opts.signal?.throwIfAborted();
    const res = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      opts.signal ? { abortSignal: opts.signal } : {},
    );
    if (opts.stats) opts.stats.listRequests++;
    for (const cp of res.CommonPrefixes ?? []) {
      if (cp.Prefix?.startsWith(prefix)) yield cp.Prefix.slice(prefix.length).replace(/\/$/, '');
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
}

async function* listObjects(s3: S3Client, bucket: string, prefix: string, startAfter: string, opts: Pick<ListTrailKeysOptions, 'signal' | 'stats' | 'pageSize'>): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    opts.signal?.throwIfAborted();
    const res = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, StartAfter: token ? undefined : startAfter, ContinuationToken: token, MaxKeys: opts.pageSize }),
      opts.signal ? { abortSignal: opts.signal } : {},
    );
    if (opts.stats) opts.stats.listRequests++;
    for (const o of res.Contents ?? []) yield o;
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
}

interface AccountFolder {
  path: string;
  accountId: string;
  orgId?: string;
}

/** Account folders under the logs root, both layouts: AWSLogs/<acct>/ and AWSLogs/<o-id>/<acct>/. */
export async function* discoverAccounts(
  s3: S3Client,
  opts: Pick<ListTrailKeysOptions, 'bucket' | 'prefix' | 'accountIds' | 'orgIds' | 'signal' | 'stats'>,
): AsyncGenerator<AccountFolder> {
  const root = logsRoot(opts.prefix);
  const wantAccount = (a: string) => !opts.accountIds?.length || opts.accountIds.includes(a);
  for await (const name of listFolders(s3, opts.bucket, root, opts)) {
    if (ACCOUNT_ID.test(name)) {
      if (wantAccount(name)) yield { path: `${root}${name}/`, accountId: name };
    } else if (ORG_ID.test(name)) {
      if (opts.orgIds?.length && !opts.orgIds.includes(name)) continue;
      const orgRoot = `${root}${name}/`;
      for await (const acct of listFolders(s3, opts.bucket, orgRoot, opts)) {
        if (ACCOUNT_ID.test(acct) && wantAccount(acct)) yield { path: `${orgRoot}${acct}/`, accountId: acct, orgId: name };
      }
    }
  }
}

/**
 * Lists CloudTrail files delivered in [since, until), for every account and region folder under
 * `[prefix/]AWSLogs/`, in both the single-account and the organization layout. Accounts, then
 * regions, are discovered with delimiter listings; in each region folder the listing starts at
 * the first day of the range (StartAfter) and stops after the last, so cost follows the range,
 * never the bucket. Files are filtered on the delivery time in their name, so partial days at
 * both ends are exact. Within a region folder keys come in delivery-day order; region folders
 * are listed `concurrency` at a time and interleave.
 */
export async function* listTrailKeys(s3: S3Client, opts: ListTrailKeysOptions): AsyncGenerator<TrailKey> {
  const sinceMs = Math.floor(toMs(opts.since) / 60_000) * 60_000;
  const untilMs = toMs(opts.until);
  if (!(sinceMs < untilMs)) throw new RangeError(`empty time range: since ${new Date(sinceMs).toISOString()} is not before until ${new Date(untilMs).toISOString()}`);
  const firstDay = dayOf(sinceMs);
  const lastDay = dayOf(untilMs - 1);
  const kinds = opts.kinds?.length ? opts.kinds : (['events'] as const);
  const regionWanted = (r: string) => !opts.regions?.length || opts.regions.includes(r);

  async function* regionFolders(): AsyncGenerator<{ acct: AccountFolder; kind: TrailFileKind; region: string; prefix: string }> {
    for await (const acct of discoverAccounts(s3, opts)) {
      for (const kind of kinds) {
        const folder = `${acct.path}${FOLDER[kind]}/`;
        for await (const region of listFolders(s3, opts.bucket, folder, opts)) {
          if (regionWanted(region)) yield { acct, kind, region, prefix: `${folder}${region}/` };
        }
      }
    }
  }

  async function* listRegion(f: { acct: AccountFolder; kind: TrailFileKind; region: string; prefix: string }): AsyncGenerator<TrailKey> {
    const resume = await opts.resumeDay?.(f.prefix);
    const startDay = resume && resume > firstDay ? resume : firstDay;
    if (startDay > lastDay) {
      opts.onRegionListed?.(f.prefix, 0);
      return;
    }
    let yielded = 0;
    // Every key of the start day sorts after "<region>/YYYY/MM/DD/", every earlier day before it.
    // Event file names of one folder share "<acct>_CloudTrail_<region>_" and then the delivery
    // time, so they sort by time: the first day can start at `since` itself.
    const namePrefix = `${f.acct.accountId}_CloudTrail_${f.region}_`;
    let startAfter = `${f.prefix}${dayFolder(startDay)}/`;
    if (f.kind === 'events' && startDay === firstDay) startAfter += `${namePrefix}${nameStamp(sinceMs)}`;
    for await (const o of listObjects(s3, opts.bucket, f.prefix, startAfter, opts)) {
      if (!o.Key) continue;
      const m = DAY_FILE.exec(o.Key.slice(f.prefix.length));
      if (!m) continue;
      const date = `${m[1]}-${m[2]}-${m[3]}`;
      if (date > lastDay) break;
      if (date < startDay) continue;
      const delivered = deliveryTimeOf(m[4] as string) ?? Date.parse(`${date}T00:00:00Z`);
      if (delivered >= untilMs && f.kind === 'events' && (m[4] as string).startsWith(namePrefix)) break;
      if (delivered < sinceMs || delivered >= untilMs) continue;
      const k: TrailKey = {
        key: o.Key,
        kind: f.kind,
        accountId: f.acct.accountId,
        region: f.region,
        date,
        deliveredAt: new Date(delivered).toISOString(),
        regionPrefix: f.prefix,
      };
      if (f.acct.orgId) k.orgId = f.acct.orgId;
      if (o.Size !== undefined) k.size = o.Size;
      const etag = unquoteEtag(o.ETag);
      if (etag) k.etag = etag;
      if (o.LastModified) k.lastModified = o.LastModified;
      yielded++;
      yield k;
    }
    opts.onRegionListed?.(f.prefix, yielded);
  }

  async function* perRegion(): AsyncGenerator<AsyncIterable<TrailKey>> {
    for await (const f of regionFolders()) yield listRegion(f);
  }

  yield* mergeAsync(perRegion(), opts.concurrency ?? 8);
}
