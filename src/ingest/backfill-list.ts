/**
 * S3 listings of the shared backfill: the region folders a run covers (discovered with
 * delimiter listings, cheap whatever the history), and the keys of one work unit (one day of
 * one region folder, within its delivery-time window, after its cursor).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { deliveryTimeOf, discoverAccounts, listFolders, unquoteEtag } from '../sources/index.js';
import type { TrailFileKind, TrailKey } from '../sources/index.js';
import type { BackfillUnit } from '../store/index.js';

const KIND_FOLDER: Record<TrailFileKind, string> = { events: 'CloudTrail', digest: 'CloudTrail-Digest', insight: 'CloudTrail-Insight' };

export interface RegionFolder {
  /** `[prefix/]AWSLogs/[o-id/]<acct>/<kind folder>/<region>/` */
  folder: string;
  accountId: string;
  orgId?: string;
  region: string;
  kind: TrailFileKind;
}

export async function listRegionFolders(
  s3: S3Client,
  opts: {
    bucket: string;
    prefix?: string;
    accountIds?: readonly string[];
    orgIds?: readonly string[];
    regions?: readonly string[];
    kinds?: readonly TrailFileKind[];
    signal?: AbortSignal;
  },
): Promise<RegionFolder[]> {
  const kinds = opts.kinds?.length ? opts.kinds : (['events'] as const);
  const out: RegionFolder[] = [];
  for await (const acct of discoverAccounts(s3, opts)) {
    for (const kind of kinds) {
      const parent = `${acct.path}${KIND_FOLDER[kind]}/`;
      for await (const region of listFolders(s3, opts.bucket, parent, opts)) {
        if (opts.regions?.length && !opts.regions.includes(region)) continue;
        out.push({ folder: `${parent}${region}/`, accountId: acct.accountId, ...(acct.orgId ? { orgId: acct.orgId } : {}), region, kind });
      }
    }
  }
  return out;
}

/** The kind of files a region folder holds, from its path. */
export function kindOfFolder(folder: string): TrailFileKind {
  const parts = folder.split('/');
  const name = parts[parts.length - 3];
  return name === 'CloudTrail-Digest' ? 'digest' : name === 'CloudTrail-Insight' ? 'insight' : 'events';
}

/** YYYYMMDDTHHmm of a time, as in event file names. */
function nameStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * The unit's keys in listing order: after its cursor, delivered inside its window. Event file
 * names of a folder share `<acct>_CloudTrail_<region>_` and then the delivery time, so they sort
 * by time: the listing starts at the window's start and stops at its end.
 */
export async function* listUnitKeys(
  s3: S3Client,
  unit: Pick<BackfillUnit, 'bucket' | 'folder' | 'accountId' | 'region' | 'day' | 'fromMs' | 'untilMs' | 'cursor'>,
  opts: { signal?: AbortSignal; pageSize?: number } = {},
): AsyncGenerator<TrailKey> {
  const kind = kindOfFolder(unit.folder);
  const dayPrefix = `${unit.folder}${unit.day.replace(/-/g, '/')}/`;
  const dayStart = Date.parse(`${unit.day}T00:00:00Z`);
  const namePrefix = `${unit.accountId}_CloudTrail_${unit.region}_`;
  let startAfter = dayPrefix;
  if (kind === 'events' && unit.fromMs > dayStart) startAfter = `${dayPrefix}${namePrefix}${nameStamp(unit.fromMs)}`;
  if (unit.cursor && unit.cursor > startAfter) startAfter = unit.cursor;
  let token: string | undefined;
  do {
    opts.signal?.throwIfAborted();
    const res = await s3.send(
      new ListObjectsV2Command({ Bucket: unit.bucket, Prefix: dayPrefix, StartAfter: token ? undefined : startAfter, ContinuationToken: token, MaxKeys: opts.pageSize }),
      opts.signal ? { abortSignal: opts.signal } : {},
    );
    for (const o of res.Contents ?? []) {
      if (!o.Key) continue;
      const name = o.Key.slice(dayPrefix.length);
      if (name.includes('/')) continue;
      const delivered = deliveryTimeOf(name) ?? dayStart;
      if (delivered >= unit.untilMs && kind === 'events' && name.startsWith(namePrefix)) return;
      if (delivered < unit.fromMs || delivered >= unit.untilMs) continue;
      const k: TrailKey = {
        key: o.Key,
        kind,
        accountId: unit.accountId,
        region: unit.region,
        date: unit.day,
        deliveredAt: new Date(delivered).toISOString(),
        regionPrefix: unit.folder,
      };
      if (o.Size !== undefined) k.size = o.Size;
      const etag = unquoteEtag(o.ETag);
      if (etag) k.etag = etag;
      if (o.LastModified) k.lastModified = o.LastModified;
      yield k;
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
}
