/**
 * The completeness audit: finds files delivered to the trail's bucket that no notification
 * announced (lost, or taken by another consumer of the queue), and imports them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Store } from '../store/index.js';
import { listTrailKeys, SourceError } from '../sources/index.js';
import type { S3Clients, TrailKey } from '../sources/index.js';
import type { BackfillFailure } from './backfill.js';
import { processObject } from './object.js';

export interface AuditResult {
  /** Keys delivered in the window that the store has never seen. */
  missing: TrailKey[];
  listed: number;
  since: string;
  until: string;
}

/**
 * Completeness audit: lists the keys delivered in the last `hours` (up to `graceMinutes` ago,
 * default 10, so notifications still in flight do not count) and returns those `store.files`
 * has never seen. Missing files mean notifications were lost or taken by another consumer of
 * the queue; the caller ingests them (processObject) and reports the health problem.
 */
export async function auditRecentKeys(opts: {
  store: Store;
  clients: { s3: S3Client };
  connector?: string | { name: string };
  bucket: string;
  prefix?: string;
  hours: number;
  graceMinutes?: number;
  accountIds?: readonly string[];
  regions?: readonly string[];
  signal?: AbortSignal;
  now?: () => Date;
}): Promise<AuditResult> {
  const nowMs = (opts.now ?? (() => new Date()))().getTime();
  const until = nowMs - (opts.graceMinutes ?? 10) * 60_000;
  const since = nowMs - opts.hours * 3_600_000;
  const seenByFolder = new Map<string, Set<string>>();
  const missing: TrailKey[] = [];
  let listed = 0;
  for await (const k of listTrailKeys(opts.clients.s3, {
    bucket: opts.bucket,
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    since,
    until,
    ...(opts.accountIds ? { accountIds: opts.accountIds } : {}),
    ...(opts.regions ? { regions: opts.regions } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  })) {
    listed++;
    // One store lookup per day folder, not per key.
    const folder = k.key.slice(0, k.key.lastIndexOf('/') + 1);
    let seen = seenByFolder.get(folder);
    if (!seen) {
      seen = await opts.store.files.listKeys(opts.bucket, folder);
      seenByFolder.set(folder, seen);
    }
    if (!seen.has(k.key)) missing.push(k);
  }
  return { missing, listed, since: new Date(since).toISOString(), until: new Date(until).toISOString() };
}

export interface AuditRepairResult {
  /** Files found in the bucket that no notification announced. */
  missing: number;
  /** Up to 5 of their keys, for the log and the health problem. */
  sample: string[];
  /** Of those, imported now. */
  ingested: number;
  failures: BackfillFailure[];
  listed: number;
}

/**
 * auditRecentKeys, then imports what was missing through processObject. Shaped for the ingest
 * service's `audit(signal)` hook: the caller reports 'notifications-missing' when `missing` > 0.
 */
export async function auditAndRepair(opts: Parameters<typeof auditRecentKeys>[0] & { clients: S3Clients & { s3: S3Client }; connector: string | { name: string }; concurrency?: number }): Promise<AuditRepairResult> {
  const audit = await auditRecentKeys(opts);
  const result: AuditRepairResult = { missing: audit.missing.length, sample: audit.missing.slice(0, 5).map((k) => k.key), ingested: 0, failures: [], listed: audit.listed };
  const queue = [...audit.missing];
  const worker = async () => {
    for (let k = queue.shift(); k; k = queue.shift()) {
      if (opts.signal?.aborted) return;
      try {
        await processObject({ store: opts.store, clients: opts.clients, connector: opts.connector, bucket: opts.bucket, key: k.key, ...(k.etag ? { etag: k.etag } : {}), ...(k.size !== undefined ? { size: k.size } : {}) });
        result.ingested++;
      } catch (err) {
        const e = err instanceof SourceError ? err : new SourceError('transient', 'internal', String((err as Error).message ?? err), 'retried at the next audit', opts.bucket, k.key);
        result.failures.push({ bucket: opts.bucket, key: k.key, kind: e.kind, code: e.code, reason: e.reason, fix: e.fix });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return result;
}
