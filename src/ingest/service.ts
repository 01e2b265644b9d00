/**
 * `trailscope ingest` as a library: one queue worker per connector, run together against one
 * store, plus the optional one-time backfill and the periodic completeness audit.
 *
 *   const result = await runIngestService({ connectors, store, log, signal, deps });
 *
 * Stops when `signal` aborts (SIGINT/SIGTERM), or with `exitWhenIdle` once every worker found
 * its queue empty with nothing in flight and the backfill is over.
 */
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';
import { runQueueWorker } from './worker.js';
import type { FileTask, QueueWorkerOptions, WorkerStats } from './worker.js';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** What the service needs to know about a connector (a subset of src/aws ConnectorConfig). */
export interface IngestConnector {
  name: string;
  queueUrl?: string;
  /** '' when unknown (needed only by backfill and the audit). */
  bucket: string;
  prefix?: string;
}

export interface AuditOutcome {
  /** Files found in the bucket that no notification announced (and were then ingested). */
  missing: number;
  /** Keys of some of them, for the log. */
  sample?: string[];
  /** Of the missing files, ingested by the audit. */
  ingested?: number;
  /** Keys listed. */
  listed?: number;
  /** Why the audit did not run this time (e.g. a backlog on the queue). */
  skipped?: string;
}

/** Per-connector operations, wired by the CLI to src/aws, processObject, runBackfill and the audit helper. */
export interface ConnectorRuntime<C extends IngestConnector = IngestConnector> {
  sqs: SQSClient;
  processFile(file: FileTask): Promise<unknown>;
  /** Runs the backfill of the last `days` days. */
  backfill?(days: number, signal: AbortSignal): Promise<unknown>;
  /** Lists recently delivered keys, ingests those not in the store, says how many were missing. */
  audit?(signal: AbortSignal): Promise<AuditOutcome>;
  connector: C;
  close?(): void;
}

export interface IngestServiceOptions<C extends IngestConnector = IngestConnector> {
  runtimes: ConnectorRuntime<C>[];
  store: Store;
  log: Logger;
  signal: AbortSignal;
  worker?: Partial<Pick<QueueWorkerOptions, 'concurrency' | 'maxReceives' | 'waitTimeSeconds' | 'exitWhenIdle' | 'retryBaseSeconds' | 'graceMs' | 'progressEveryMs'>>;
  /** Run a backfill of this many days once per connector (a state marker remembers it ran). */
  backfillDays?: number;
  /** Completeness audit interval in minutes (0 or undefined = off). */
  auditIntervalMinutes?: number;
  now?: () => Date;
}

export interface IngestServiceResult {
  workers: Record<string, WorkerStats>;
  failed: { connector: string; error: string }[];
}

export const backfillMarker = (connector: string, days: number) => `backfill-done:${connector}:${days}d`;

export const MISSING_NOTIFICATIONS_FIX =
  'is another consumer reading this queue? Consumers sharing one queue each get only part of the messages: give each consumer its own queue through SNS fan-out (or an EventBridge rule), and check the bucket notification prefix/suffix covers every CloudTrail folder';

export async function runIngestService<C extends IngestConnector>(opts: IngestServiceOptions<C>): Promise<IngestServiceResult> {
  const { store, log, signal } = opts;
  const now = opts.now ?? (() => new Date());
  const result: IngestServiceResult = { workers: {}, failed: [] };
  const background: Promise<void>[] = [];
  const timers: NodeJS.Timeout[] = [];

  const runOne = async (rt: ConnectorRuntime<C>) => {
    const name = rt.connector.name;

    // ---- one-time backfill, beside live ingestion ----
    let backfillDone: Promise<void> = Promise.resolve();
    if (opts.backfillDays && rt.backfill) {
      const marker = backfillMarker(name, opts.backfillDays);
      const already = await store.ingest.getState(marker);
      if (already) {
        log.info('backfill already done; skipped', { connector: name, days: opts.backfillDays, doneAt: already });
      } else {
        backfillDone = (async () => {
          log.info('backfill started', { connector: name, days: opts.backfillDays });
          try {
            await rt.backfill!(opts.backfillDays!, signal);
            if (!signal.aborted) {
              await store.ingest.setState(marker, now().toISOString());
              log.info('backfill finished', { connector: name, days: opts.backfillDays });
            }
          } catch (err) {
            log.error('backfill failed; it runs again on next start', { connector: name, error: (err as Error).message ?? String(err) });
          }
        })();
        background.push(backfillDone);
      }
    }

    // ---- periodic completeness audit ----
    if (opts.auditIntervalMinutes && rt.audit) {
      let running = false;
      const audit = async () => {
        if (running || signal.aborted) return;
        running = true;
        try {
          const out = await rt.audit!(signal);
          if (out.skipped) {
            log.info('audit postponed', { connector: name, reason: out.skipped });
          } else if (out.missing > 0) {
            const message = `${out.missing} recently delivered file(s) had no notification on this queue; ${out.ingested ?? 0} ingested by the audit`;
            log.warn(`notifications missing — ${MISSING_NOTIFICATIONS_FIX}`, { connector: name, missing: out.missing, ingested: out.ingested, sample: out.sample?.slice(0, 3).join(' ') });
            await store.ingest.reportProblem({ connector: name, kind: 'notifications-missing', message, fix: MISSING_NOTIFICATIONS_FIX, bucket: rt.connector.bucket || null, key: out.sample?.[0] ?? null, at: now().toISOString() });
          } else {
            log.info('audit: every recently delivered file was notified', { connector: name, listed: out.listed });
          }
        } catch (err) {
          log.warn('audit failed', { connector: name, error: (err as Error).message ?? String(err) });
        } finally {
          running = false;
        }
      };
      const t = setInterval(() => void audit(), opts.auditIntervalMinutes * 60_000);
      t.unref();
      timers.push(t);
    }

    if (!rt.connector.queueUrl) {
      log.warn('connector has no queueUrl: nothing to ingest live', { connector: name });
      await backfillDone;
      return;
    }
    try {
      result.workers[name] = await runQueueWorker({
        ...opts.worker,
        connector: name,
        queueUrl: rt.connector.queueUrl,
        ...(rt.connector.bucket ? { bucket: rt.connector.bucket } : {}),
        sqs: rt.sqs,
        store,
        processFile: (f) => rt.processFile(f),
        log,
        signal,
      });
    } catch (err) {
      const error = (err as Error).message ?? String(err);
      log.error('worker stopped on an error', { connector: name, error });
      result.failed.push({ connector: name, error });
    }
    // exitWhenIdle: the backfill is part of the work to finish.
    await backfillDone;
  };

  try {
    await Promise.all(opts.runtimes.map(runOne));
    await Promise.all(background);
  } finally {
    for (const t of timers) clearInterval(t);
  }
  return result;
}
