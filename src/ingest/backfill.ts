/**
 * Backfill: import what a trail already delivered to S3, by delivery-time range, and the
 * completeness audit that finds files no notification announced (./backfill-audit.js,
 * re-exported here).
 *
 * Safe beside live ingestion: every file goes through processObject (skip done files, atomic
 * commit, dedup on eventID), so overlap with `ingest` costs reads, never doubles.
 *
 * Shared and resumable: the range is cut into work units, one day of one region folder
 * (`…/CloudTrail/<region>/YYYY/MM/DD/`), kept in the store's work table (store.backfill). Each
 * run plans the units of its range (idempotent), then claims them one at a time under a lease,
 * so any number of runs on any number of machines against one database share the work
 * (./backfill-units.js). A done unit is never listed again; a unit given back (stop, transient
 * failure) or left by a dead worker resumes from its cursor, after the lease for the latter. A
 * run ends when no unit of its range is left, waiting for the units other workers hold.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BackfillScope, BackfillUnitPlan, Store } from '../store/index.js';
import { dayOf, toMs, classifyS3Error, SourceError, } from '../sources/index.js';
import { sleep } from '../sources/index.js';
import type { S3Clients, TrailKey, TrailFileKind } from '../sources/index.js';
import { listRegionFolders } from './backfill-list.js';
import type { RegionFolder } from './backfill-list.js';
import { Slots, workUnit } from './backfill-units.js';
import type { FileOutcome, UnitContext } from './backfill-units.js';
import { processObject } from './object.js';

export { auditRecentKeys, auditAndRepair } from './backfill-audit.js';
export type { AuditResult, AuditRepairResult } from './backfill-audit.js';

/** How long a claimed unit stays a worker's without a renewal (renewed every third of it). */
export const DEFAULT_LEASE_SECONDS = 60;
/** Units planned per store call. */
const PLAN_CHUNK = 5000;

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
  /** Region folders with units done or begun by an earlier run (or by another worker). */
  resumedFolders: number;
  /** Work units (region folder × day) of the range. */
  units: number;
  /** Of those, finished by this run. */
  unitsDone: number;
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
  /** Work units (region folder × day) worked on at once (default 4); files share `concurrency`. */
  listConcurrency?: number;
  /** Stops listing; files in flight finish and are committed; the summary says aborted. */
  signal?: AbortSignal;
  /** Skip units done before and resume begun ones (default true); false redoes every unit of the range. */
  resume?: boolean;
  /** Lease of a claimed unit, in seconds (default 60): how soon another worker takes over a dead one's unit. */
  leaseSeconds?: number;
  /** This worker's name in the work table (default host:pid:random). */
  workerId?: string;
  onProgress?: (p: BackfillProgress) => void;
  onFailure?: (f: BackfillFailure) => void;
  now?: () => Date;
  /** S3 list page size (tests). */
  pageSize?: number;
}

/**
 * Imports the trail's files delivered in [since, until) with bounded concurrency, sharing the
 * work with every other run on the same database. Never throws for a file: failures are
 * collected with reason and fix. Throws SourceError when the bucket itself cannot be listed
 * (missing bucket, no s3:ListBucket).
 */
export async function runBackfill(opts: BackfillOptions): Promise<BackfillSummary> {
  const started = Date.now();
  const now = opts.now ?? (() => new Date());
  const { store, bucket } = opts;
  const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const connector = typeof opts.connector === 'string' ? opts.connector : opts.connector.name;
  const sinceMs = Math.floor(toMs(opts.since) / 60_000) * 60_000;
  const untilMs = opts.until !== undefined ? toMs(opts.until) : now().getTime();
  if (!(sinceMs < untilMs)) throw new RangeError(`empty time range: since ${new Date(sinceMs).toISOString()} is not before until ${new Date(untilMs).toISOString()}`);
  const leaseMs = Math.max(200, Math.round((opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000));
  const worker = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  const summary: BackfillSummary = {
    bucket,
    prefix,
    since: new Date(sinceMs).toISOString(),
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
    units: 0,
    unitsDone: 0,
    aborted: false,
    complete: false,
    seconds: 0,
  };
  let listingDone = false;
  let transientFailures = 0;
  const finish = () => {
    summary.aborted = opts.signal?.aborted === true;
    summary.complete = !summary.aborted && transientFailures === 0;
    summary.seconds = (Date.now() - started) / 1000;
    return summary;
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
  const fail = (f: BackfillFailure) => {
    summary.failed++;
    summary.failures.push(f);
    opts.onFailure?.(f);
  };

  const importFile = async (k: TrailKey): Promise<FileOutcome> => {
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
      return { settled: true, events: r.inserted };
    } catch (err) {
      const e =
        err instanceof SourceError
          ? err
          : new SourceError('transient', 'internal', (err as Error).message ?? String(err), 'retried by the next backfill run; report it if it persists', bucket, k.key, { cause: err });
      if (e.kind === 'transient') transientFailures++;
      fail({ bucket, key: k.key, kind: e.kind, code: e.code, reason: e.reason, fix: e.fix });
      // A permanent failure is recorded with the file: retrying cannot help, the cursor may pass it.
      return { settled: e.kind === 'permanent', events: 0 };
    } finally {
      progress(k.key);
    }
  };

  // ---- the region folders of the range, and their (folder, day) units in the work table ----
  let folders: RegionFolder[];
  try {
    folders = await listRegionFolders(opts.clients.s3, {
      bucket,
      prefix,
      ...(opts.accountIds ? { accountIds: opts.accountIds } : {}),
      ...(opts.orgIds ? { orgIds: opts.orgIds } : {}),
      ...(opts.regions ? { regions: opts.regions } : {}),
      ...(opts.kinds ? { kinds: opts.kinds } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (opts.signal?.aborted) return finish();
    if (err instanceof SourceError) throw err;
    const c = classifyS3Error(err, bucket, prefix ? `${prefix}/AWSLogs/` : 'AWSLogs/');
    if (c.code === 'access-denied') {
      throw new SourceError(c.kind, c.code, `listing s3://${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/ was denied`, `allow s3:ListBucket on arn:aws:s3:::${bucket} for the reader (and in the bucket policy if the bucket is in another account)`, bucket, c.key, { cause: err });
    }
    throw c;
  }
  const days = daysOf(sinceMs, untilMs);
  const resumed = new Set<string>();
  // Planned a few thousand units at a time: a long history of a large organization is millions.
  const foldersPerPlan = Math.max(1, Math.floor(PLAN_CHUNK / days.length));
  for (let i = 0; i < folders.length; i += foldersPerPlan) {
    const plans: BackfillUnitPlan[] = [];
    for (const f of folders.slice(i, i + foldersPerPlan)) {
      for (const day of days) {
        const dayStart = Date.parse(`${day}T00:00:00Z`);
        plans.push({ connector, bucket, folder: f.folder, accountId: f.accountId, region: f.region, day, fromMs: Math.max(sinceMs, dayStart), untilMs: Math.min(untilMs, dayStart + 86_400_000) });
      }
    }
    for (const o of await store.backfill.plan(plans, { redo: opts.resume === false })) {
      if (!o.created && (o.status === 'done' || o.cursor !== null)) resumed.add(o.folder);
    }
    summary.units += plans.length;
  }
  summary.resumedFolders = resumed.size;

  // ---- claim units until none is left in the range (waiting out the leases of other workers) ----
  const scope: BackfillScope = { bucket, folders: folders.map((f) => f.folder), firstDay: days[0]!, lastDay: days[days.length - 1]! };
  const gaveUp: string[] = [];
  const slots = new Slots(Math.max(1, opts.concurrency ?? 8));
  const ctx: UnitContext = {
    store,
    s3: opts.clients.s3,
    slots,
    leaseMs,
    importFile,
    onListed: () => summary.listed++,
    onListingFailure: (err) => {
      const c = err instanceof SourceError ? err : classifyS3Error(err, bucket, prefix);
      transientFailures++;
      fail({ bucket, key: c.key ?? prefix, kind: 'transient', code: c.code, reason: c.reason, fix: c.fix });
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  };
  // Wakes runners waiting for units when one held here ends (they need not poll the store for it).
  let unitEnded: () => void = () => {};
  let nextUnitEnd = new Promise<void>((resolve) => (unitEnded = resolve));
  const runner = async () => {
    while (!opts.signal?.aborted) {
      const claim = await store.backfill.claim({ ...scope, skip: [...gaveUp] }, worker, leaseMs);
      if (!claim) {
        const left = await store.backfill.remaining({ ...scope, skip: [...gaveUp] });
        if (left.pending === 0) return;
        // Units held by other workers: wait for them to finish, or for a dead one's lease to end.
        const wait = left.leased > 0 && left.nextLeaseEndMs !== null ? left.nextLeaseEndMs - left.nowMs + 50 : 50;
        await Promise.race([sleep(Math.max(50, Math.min(wait, 2000)), opts.signal), nextUnitEnd]);
        continue;
      }
      const out = await workUnit(claim, ctx);
      const ended = unitEnded;
      nextUnitEnd = new Promise<void>((resolve) => (unitEnded = resolve));
      ended();
      if (out.status === 'done') summary.unitsDone++;
      // Retried by the next run (or by another worker now), not again and again by this one.
      else if (out.status === 'released' && out.error !== null) gaveUp.push(`${claim.unit.folder}${claim.unit.day}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.listConcurrency ?? 4) }, runner));
  listingDone = !opts.signal?.aborted;
  finish();
  progress();
  return summary;
}

/** The UTC days [since, until) touches, YYYY-MM-DD. */
function daysOf(sinceMs: number, untilMs: number): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${dayOf(sinceMs)}T00:00:00Z`); d < untilMs; d += 86_400_000) out.push(dayOf(d));
  return out;
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
