/**
 * Backfill: import what a trail already delivered to S3, by delivery-time range, and the
 * completeness audit that finds files no notification announced.
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
import { listTrailKeys, dayOf, toMs, classifyS3Error, SourceError } from '../sources/s3/index.js';
import type { S3Clients, TrailKey, TrailFileKind } from '../sources/s3/index.js';
import { processObject } from './object.js';

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

interface Cursor {
  from: string;
  through: string;
}

export const cursorKey = (bucket: string, folder: string) => `backfill:${bucket}:${folder}`;

function nextDay(day: string): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
}

/** Tracks, per region folder, which days are finished, to move the persisted cursor. */
class FolderTracker {
  /** Unfinished days in listing order (ascending within a folder). */
  private readonly days = new Map<string, { pending: number; failed: boolean }>();
  private listingDone = false;
  private expected: number | undefined;
  private received = 0;
  private latestSeen: string | undefined;
  private writes: Promise<void> = Promise.resolve();
  committed: string | undefined;

  constructor(
    private readonly save: (through: string) => Promise<void>,
    /** Days before this one are outside the range. */
    private readonly firstDay: string,
    /** Last day entirely inside the range: later days are partial and never committed. */
    private readonly lastFullDay: string,
  ) {}

  started(day: string): void {
    const d = this.days.get(day) ?? { pending: 0, failed: false };
    d.pending++;
    this.received++;
    if (this.expected !== undefined && this.received >= this.expected) this.listingDone = true;
    this.days.set(day, d);
    if (!this.latestSeen || day > this.latestSeen) this.latestSeen = day;
    this.advance();
  }
  /** ok=false (a transient failure) pins the cursor before this day, so a rerun retries it. */
  finished(day: string, ok: boolean): void {
    const d = this.days.get(day);
    if (d) {
      d.pending--;
      if (!ok) d.failed = true;
    }
    this.advance();
  }
  /** The folder's listing ended after `total` keys; it is done once all of them were received. */
  listed(total: number): void {
    this.expected = total;
    if (this.received >= total) this.listingDone = true;
    this.advance();
  }
  flush(): Promise<void> {
    return this.writes;
  }

  private advance(): void {
    for (const [day, d] of this.days) {
      const closed = this.listingDone || (this.latestSeen !== undefined && day < this.latestSeen);
      if (!closed || d.pending > 0 || d.failed) break;
      this.days.delete(day);
    }
    let through: string | undefined;
    const head = this.days.keys().next();
    if (!head.done) {
      // Everything before the first unfinished day is done, days without files included.
      through = dayOf(Date.parse(`${head.value}T00:00:00Z`) - 86_400_000);
    } else if (this.listingDone) {
      through = this.lastFullDay;
    } else if (this.latestSeen) {
      through = dayOf(Date.parse(`${this.latestSeen}T00:00:00Z`) - 86_400_000);
    }
    if (!through || through < this.firstDay) return;
    if (through > this.lastFullDay) through = this.lastFullDay;
    if (!this.committed || through > this.committed) {
      this.committed = through;
      const value = through;
      this.writes = this.writes.then(() => this.save(value));
    }
  }
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
