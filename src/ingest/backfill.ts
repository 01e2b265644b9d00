/**
 * Backfill: import what a trail already delivered to S3, by delivery-time range, and the
 * completeness audit that finds files no notification announced (./backfill-audit.js,
 * re-exported here).
 *
 * Safe beside live ingestion: every file goes through processObject (skip done files, atomic
 * commit, dedup on eventID), so overlap with `ingest` costs reads, never doubles.
 *
 * Resumable: per region folder (`…/CloudTrail/<region>/`), the store keeps the range already
 * covered (`backfill:<bucket>:<folder>` = {from, through}: every file delivered from `from` to the
 * end of day `through` is done or permanently failed). A rerun whose range starts inside that
 * coverage lists each folder only from the day after `through`; files of a partly done day are
 * skipped by their file record. A transient failure stops that folder's cursor, so the file is
 * listed and retried next time.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Store } from '../store/index.js';
import { listTrailKeys, dayOf, toMs, classifyS3Error, SourceError } from '../sources/index.js';
import type { S3Clients, TrailKey, TrailFileKind } from '../sources/index.js';
import { FolderTracker, cursorKey, nextDay } from './backfill-cursor.js';
import type { Cursor } from './backfill-cursor.js';
import { processObject } from './object.js';

export { cursorKey } from './backfill-cursor.js';
export { auditRecentKeys, auditAndRepair } from './backfill-audit.js';
export type { AuditResult, AuditRepairResult } from './backfill-audit.js';

/** The seed's promise: 90 days of history without asking; more only with an explicit --since. */
export const MAX_BACKFILL_DAYS = 90;

export interface BackfillFailure {
  bucket: string;
  key: string;
  kind: 'permanent' | 'transient';
  code: string;
  reason: string;
  fix: string;
}

export interface BackfillProgress {
  /** Keys listed so far (the total once `listingDone`). */
  listed: number;
  listingDone: boolean;
  /** Files finished (imported, already done, skipped or failed). */
  finished: number;
  imported: number;
  alreadyDone: number;
  eventsNew: number;
  duplicates: number;
  skipped: number;
  failed: number;
  eventsPerSecond: number;
  key?: string;
}

export interface BackfillSummary {
  bucket: string;
  prefix: string;
  since: string;
  until: string;
  listed: number;
  /** Files read and committed by this run. */
  imported: number;
  /** Files already done before (by ingest or an earlier backfill): not read again. */
  alreadyDone: number;
  eventsNew: number;
  duplicates: number;
  /** Files recorded without events (digests when asked for, non-event content). */
  skipped: number;
  failed: number;
  rejectedRecords: number;
  failures: BackfillFailure[];
  /** Region folders whose cursor was resumed from an earlier run. */
  resumedFolders: number;
  aborted: boolean;
  /** Not aborted and no transient failure left: nothing would be gained by running again. */
  complete: boolean;
  seconds: number;
}

export interface BackfillOptions {
  store: Store;
  clients: S3Clients & { s3: S3Client };
  connector: string | { name: string };
  bucket: string;
  prefix?: string;
  since: Date | string;
  /** Default: now. */
  until?: Date | string;
  accountIds?: readonly string[];
  orgIds?: readonly string[];
  regions?: readonly string[];
  kinds?: readonly TrailFileKind[];
  /** Files imported at once (default 8). */
  concurrency?: number;
  /** Region folders listed at once (default 4). */
  listConcurrency?: number;
  /** Stops listing; files in flight finish and are committed; the summary says aborted. */
  signal?: AbortSignal;
  /** Use and update the per-folder cursors (default true). */
  resume?: boolean;
  onProgress?: (p: BackfillProgress) => void;
  onFailure?: (f: BackfillFailure) => void;
  now?: () => Date;
  /** S3 list page size (tests). */
  pageSize?: number;
}

/**
 * Imports the trail's files delivered in [since, until) with bounded concurrency. Never throws
 * for a file: failures are collected with reason and fix. Throws SourceError when the bucket
 * itself cannot be listed (missing bucket, no s3:ListBucket).
 */
export async function runBackfill(opts: BackfillOptions): Promise<BackfillSummary> {
  const started = Date.now();
  const now = opts.now ?? (() => new Date());
  const { store, bucket } = opts;
  const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const connector = typeof opts.connector === 'string' ? opts.connector : opts.connector.name;
  const sinceMs = Math.floor(toMs(opts.since) / 60_000) * 60_000;
  const untilMs = opts.until !== undefined ? toMs(opts.until) : now().getTime();
  const sinceIso = new Date(sinceMs).toISOString();
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const resume = opts.resume !== false;
  // The last day wholly before `until` (its next midnight is at or before until).
  const lastFullDay = dayOf(untilMs - 86_400_000);

  const summary: BackfillSummary = {
    bucket,
    prefix,
    since: sinceIso,
    until: new Date(untilMs).toISOString(),
    listed: 0,
    imported: 0,
    alreadyDone: 0,
    eventsNew: 0,
    duplicates: 0,
    skipped: 0,
    failed: 0,
    rejectedRecords: 0,
    failures: [],
    resumedFolders: 0,
    aborted: false,
    complete: false,
    seconds: 0,
  };
  let listingDone = false;
  let transientFailures = 0;

  const trackers = new Map<string, FolderTracker>();
  const coverageFrom = new Map<string, string>();
  const tracker = (folder: string): FolderTracker => {
    let t = trackers.get(folder);
    if (!t) {
      const from = coverageFrom.get(folder) ?? sinceIso;
      t = new FolderTracker(
        (through) => (resume ? store.ingest.setState(cursorKey(bucket, folder), JSON.stringify({ from, through } satisfies Cursor)) : Promise.resolve()),
        dayOf(sinceMs),
        lastFullDay,
      );
      trackers.set(folder, t);
    }
    return t;
  };

  const resumeDay = async (folder: string): Promise<string | undefined> => {
    if (!resume) return undefined;
    const raw = await store.ingest.getState(cursorKey(bucket, folder));
    if (!raw) return undefined;
    let c: Cursor;
    try {
      c = JSON.parse(raw) as Cursor;
    } catch {
      return undefined;
    }
    // The earlier coverage must start at or before our range and reach into it.
    if (typeof c.from !== 'string' || typeof c.through !== 'string' || c.from > sinceIso || c.through < dayOf(sinceMs - 86_400_000)) return undefined;
    coverageFrom.set(folder, c.from);
    summary.resumedFolders++;
    return nextDay(c.through);
  };

  const progress = (key?: string) => {
    if (!opts.onProgress) return;
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    opts.onProgress({
      listed: summary.listed,
      listingDone,
      finished: summary.imported + summary.alreadyDone + summary.skipped + summary.failed,
      imported: summary.imported,
      alreadyDone: summary.alreadyDone,
      eventsNew: summary.eventsNew,
      duplicates: summary.duplicates,
      skipped: summary.skipped,
      failed: summary.failed,
      eventsPerSecond: Math.round(summary.eventsNew / secs),
      ...(key ? { key } : {}),
    });
  };

  const importOne = async (k: TrailKey): Promise<void> => {
    const t = tracker(k.regionPrefix);
    let ok = true;
    try {
      const r = await processObject({
        store,
        clients: opts.clients,
        connector,
        bucket,
        key: k.key,
        ...(k.etag ? { etag: k.etag } : {}),
        ...(k.size !== undefined ? { size: k.size } : {}),
        now,
      });
      summary.rejectedRecords += r.rejected;
      if (r.status === 'duplicate-file') summary.alreadyDone++;
      else if (r.status === 'skipped') summary.skipped++;
      else {
        summary.imported++;
        summary.eventsNew += r.inserted;
        summary.duplicates += r.duplicates;
      }
    } catch (err) {
      const e =
        err instanceof SourceError
          ? err
          : new SourceError('transient', 'internal', (err as Error).message ?? String(err), 'retried by the next backfill run; report it if it persists', bucket, k.key, { cause: err });
      if (e.kind === 'transient') {
        ok = false;
        transientFailures++;
      }
      const f: BackfillFailure = { bucket, key: k.key, kind: e.kind, code: e.code, reason: e.reason, fix: e.fix };
      summary.failed++;
      summary.failures.push(f);
      opts.onFailure?.(f);
    } finally {
      t.finished(k.date, ok);
      progress(k.key);
    }
  };

  const inflight = new Set<Promise<void>>();
  try {
    const keys = listTrailKeys(opts.clients.s3, {
      bucket,
      prefix,
      since: sinceMs,
      until: untilMs,
      ...(opts.accountIds ? { accountIds: opts.accountIds } : {}),
      ...(opts.orgIds ? { orgIds: opts.orgIds } : {}),
      ...(opts.regions ? { regions: opts.regions } : {}),
      ...(opts.kinds ? { kinds: opts.kinds } : {}),
      ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
      concurrency: opts.listConcurrency ?? 4,
      ...(opts.signal ? { signal: opts.signal } : {}),
      resumeDay,
      onRegionListed: (folder, total) => tracker(folder).listed(total),
    });
    for await (const k of keys) {
      if (opts.signal?.aborted) break;
      summary.listed++;
      tracker(k.regionPrefix).started(k.date);
      const p = importOne(k).finally(() => inflight.delete(p));
      inflight.add(p);
      while (inflight.size >= concurrency) await Promise.race(inflight);
      if (opts.signal?.aborted) break;
    }
    listingDone = !opts.signal?.aborted;
  } catch (err) {
    await Promise.allSettled(inflight);
    if (opts.signal?.aborted) {
      // Interrupted while listing: what was imported stays, the cursors say where to resume.
      await Promise.all([...trackers.values()].map((t) => t.flush()));
      summary.aborted = true;
      summary.seconds = (Date.now() - started) / 1000;
      return summary;
    }
    if (err instanceof SourceError) throw err;
    const c = classifyS3Error(err, bucket, prefix ? `${prefix}/AWSLogs/` : 'AWSLogs/');
    if (c.code === 'access-denied') {
      throw new SourceError(c.kind, c.code, `listing s3://${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/ was denied`, `allow s3:ListBucket on arn:aws:s3:::${bucket} for the reader (and in the bucket policy if the bucket is in another account)`, bucket, c.key, { cause: err });
    }
    throw c;
  }
  await Promise.allSettled(inflight);
  await Promise.all([...trackers.values()].map((t) => t.flush()));
  summary.aborted = opts.signal?.aborted === true;
  summary.complete = !summary.aborted && transientFailures === 0;
  summary.seconds = (Date.now() - started) / 1000;
  progress();
  return summary;
}

/**
 * The backfill `ingest --backfill-days N` runs: the last `days` days up to now. Throws when it
 * did not complete (aborted, or transient failures left), so the caller does not mark it done;
 * a rerun resumes from the cursors and costs little.
 */
export async function backfillDays(opts: Omit<BackfillOptions, 'since' | 'until'> & { days: number }): Promise<BackfillSummary> {
  const now = (opts.now ?? (() => new Date()))();
  const summary = await runBackfill({ ...opts, since: new Date(now.getTime() - opts.days * 86_400_000), until: now });
  if (!summary.complete && !summary.aborted) {
    const first = summary.failures.find((f) => f.kind === 'transient');
    throw new Error(
      `backfill incomplete: ${summary.failures.filter((f) => f.kind === 'transient').length} file(s) failed transiently` +
        (first ? `, e.g. s3://${first.bucket}/${first.key}: ${first.reason} (fix: ${first.fix})` : ''),
    );
  }
  return summary;
}
