/**
 * The SQS ingest worker: long-polls one queue, processes the files each message names, and
 * deletes a message only once every file it names has been committed.
 *
 *   const stats = await runQueueWorker({ connector, queueUrl, sqs, store, processFile, log, signal });
 *
 * Guarantees (see ../shared/reference/ingestion.md §0, §2.9):
 * - At least once from SQS, exactly once in the store: a message is deleted only after
 *   processFile returned for every file it names; processFile commits a file's events atomically
 *   and deduplicates on eventID, so a redelivered message (crash, kill -9, expired visibility)
 *   adds nothing. A file already committed (same bucket/key, same ETag) is not fetched again.
 * - While a message is processed its visibility is extended every half visibility timeout;
 *   extension stops when SQS says the receipt handle is no longer valid.
 * - Backpressure: at most `concurrency` messages are in flight and a receive asks only for free
 *   slots, so a slow S3 or a slow store slows receiving.
 * - Poison messages: a permanent failure (unparseable body, NoSuchKey, a damaged file) is
 *   quarantined at once; a transient one (throttling, network, AccessDenied, KMS) is made visible
 *   again after a backoff and quarantined once it has been received `maxReceives` times.
 *   Quarantine = store.ingest.quarantine(...) then DeleteMessage, unless the queue has a redrive
 *   policy: then the message is left for the DLQ (and still recorded, at its last receive).
 *   Nothing is dropped silently: test events and non-CloudTrail keys are logged and counted.
 * - Receive errors (throttling, missing queue, network) back off exponentially with jitter.
 * - Stop (signal): receiving stops (a long poll under way is let return, at most
 *   waitTimeSeconds, and what it brought is released), in-flight messages finish within
 *   `graceMs` of the stop, the rest are released (visibility 0) so another worker picks them
 *   up at once.
 */
import { availableParallelism } from 'node:os';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Store } from '../store/index.js';
import { classifyKey } from '../parse/index.js';
import { NotificationError, parseNotification } from '../sources/sqs/notification.js';
import type { Notification, NotifiedFile } from '../sources/sqs/notification.js';
import {
  DEFAULT_VISIBILITY_TIMEOUT,
  VisibilityHeartbeat,
  backoffMs,
  changeVisibility,
  classifySqsError,
  deleteMessage,
  errorName,
  readQueueSettings,
  receiveMessages,
  sleep,
} from '../sources/sqs/poller.js';
import type { QueueSettings, ReceivedMessage } from '../sources/sqs/poller.js';
import type { Logger } from './log.js';

/** One S3 object to fetch, parse and commit. */
export interface FileTask {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
}

/**
 * Fetches, parses and commits one object (in production, processObject from ./object.js).
 * Must throw on failure; errors with `kind: 'permanent' | 'transient'` (SourceError) are
 * classified by that, ParseError is permanent, anything else is transient.
 */
export type ProcessFile = (file: FileTask) => Promise<unknown>;

export interface Failure {
  kind: 'permanent' | 'transient';
  code: string;
  message: string;
  fix: string;
}

export interface QueueWorkerOptions {
  connector: string;
  queueUrl: string;
  sqs: SQSClient;
  store: Store;
  processFile: ProcessFile;
  log: Logger;
  /** Messages in flight (default: 4 × cores, at most 64). */
  concurrency?: number;
  /** Receives before a transiently failing message is quarantined (default 5). Ignored with a redrive policy. */
  maxReceives?: number;
  /** Long-poll wait, 0..20 (default 20). */
  waitTimeSeconds?: number;
  /** Return once a receive comes back empty with nothing in flight. */
  exitWhenIdle?: boolean;
  /** First retry delay for a transiently failed message, doubled per receive (default 30 s). */
  retryBaseSeconds?: number;
  /** How long in-flight messages may finish after stop before they are released (default 25 s). */
  graceMs?: number;
  /** Progress line interval (default 60 s; 0 = never). */
  progressEveryMs?: number;
  /** Stops the worker (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Give up after this many consecutive failed receives with exitWhenIdle (default 5). */
  maxReceiveErrorsWhenIdle?: number;
  now?: () => Date;
  random?: () => number;
}

export interface WorkerStats {
  messages: number;
  deleted: number;
  files: number;
  /** Files named again (redelivery) that were already committed: not fetched again. */
  alreadyDone: number;
  events: number;
  duplicates: number;
  testEvents: number;
  ignoredMessages: number;
  ignoredKeys: number;
  quarantined: number;
  leftForDlq: number;
  retried: number;
  released: number;
  receiveErrors: number;
  heartbeats: number;
}

export function defaultConcurrency(): number {
  return Math.max(2, Math.min(64, 4 * availableParallelism()));
}

interface AwsErrorShape {
  name?: string;
  kind?: unknown;
  code?: unknown;
  reason?: unknown;
  fix?: unknown;
  message?: string;
}

/** Maps an error thrown by processFile (or the body parser) to permanent/transient. */
export function classifyFailure(err: unknown): Failure {
  const e = (err ?? {}) as AwsErrorShape;
  const message = e instanceof Error || typeof e.message === 'string' ? String(e.message) : String(err);
  if (err instanceof NotificationError) {
    return { kind: 'permanent', code: 'unparseable-message', message: err.reason, fix: err.fix };
  }
  if (e.kind === 'permanent' || e.kind === 'transient') {
    return {
      kind: e.kind,
      code: typeof e.code === 'string' ? e.code : errorName(err),
      // SourceError keeps the bare reason apart from bucket/key
      message: typeof e.reason === 'string' ? e.reason : message,
      fix: typeof e.fix === 'string' ? e.fix : 'see the error message',
    };
  }
  if (e.name === 'ParseError') {
    return {
      kind: 'permanent',
      code: typeof e.code === 'string' ? e.code : 'parse-error',
      message: typeof e.reason === 'string' ? e.reason : message,
      fix: typeof e.fix === 'string' ? e.fix : 'check the object: it is not a readable CloudTrail file',
    };
  }
  const name = errorName(err);
  if (name === 'NoSuchKey' || name === 'NotFound') {
    return {
      kind: 'permanent',
      code: 'NoSuchKey',
      message,
      fix: 'the object named by the notification does not exist (deleted by a lifecycle rule, or the notification is for another bucket); nothing to ingest',
    };
  }
  return { kind: 'transient', code: name, message, fix: 'retried automatically; if it persists, check the error message and `trailscope status`' };
}

/** The health-problem kind for a failure worth an operator's attention, or null. */
function problemKind(f: Failure): string | null {
  if (/kms/i.test(f.code)) return 'kms-decrypt';
  if (/AccessDenied|access-denied|Forbidden|NotAuthorized|InvalidAccessKeyId|ExpiredToken|SignatureDoesNotMatch|credentials/i.test(f.code)) return 'access-denied';
  if (/NoSuchBucket|no-such-bucket/i.test(f.code)) return 'bucket-missing';
  if (/wrong-region/.test(f.code)) return 'wrong-region';
  return null;
}

const isNoSuchKey = (f: Failure) => f.code === 'NoSuchKey' || f.code === 'no-such-key';

type Outcome =
  | { ok: true }
  | { ok: false; failure: Failure; file: FileTask | null }
  /** Stopped before every file was done (released, or the message is no longer ours): leave it alone. */
  | { ok: 'abandoned' };

interface InFlight {
  msg: ReceivedMessage;
  heartbeat: VisibilityHeartbeat | null;
  released: boolean;
  done: Promise<void>;
}

export async function runQueueWorker(opts: QueueWorkerOptions): Promise<WorkerStats> {
  const { connector, queueUrl, sqs, store, log } = opts;
  const concurrency = Math.max(1, opts.concurrency ?? defaultConcurrency());
  const maxReceives = Math.max(1, opts.maxReceives ?? 5);
  const waitTimeSeconds = Math.max(0, Math.min(20, opts.waitTimeSeconds ?? 20));
  const retryBaseSeconds = Math.max(0, opts.retryBaseSeconds ?? 30);
  const graceMs = opts.graceMs ?? 25_000;
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const signal = opts.signal ?? new AbortController().signal;
  const stats: WorkerStats = {
    messages: 0,
    deleted: 0,
    files: 0,
    alreadyDone: 0,
    events: 0,
    duplicates: 0,
    testEvents: 0,
    ignoredMessages: 0,
    ignoredKeys: 0,
    quarantined: 0,
    leftForDlq: 0,
    retried: 0,
    released: 0,
    receiveErrors: 0,
    heartbeats: 0,
  };

  // ---- health problems, at most once a minute per kind ----
  const lastProblem = new Map<string, number>();
  const problem = async (kind: string, message: string, fix: string, where: { bucket?: string | null; key?: string | null } = {}) => {
    const t = Date.now();
    if ((lastProblem.get(kind) ?? -Infinity) > t - 60_000) return;
    lastProblem.set(kind, t);
    try {
      await store.ingest.reportProblem({ connector, kind, message, fix, bucket: where.bucket ?? null, key: where.key ?? null, at: now().toISOString() });
    } catch (err) {
      log.error('could not record health problem', { connector, kind, error: String(err) });
    }
  };

  // ---- queue settings, once, with backoff while the queue is missing or SQS unreachable ----
  let settings: QueueSettings | null = null;
  for (let attempt = 1; !settings && !signal.aborted; attempt++) {
    try {
      settings = await readQueueSettings(sqs, queueUrl, signal);
    } catch (err) {
      const cls = classifySqsError(err);
      if (cls === 'aborted') break;
      if (cls === 'access' || cls === 'other') {
        log.warn('cannot read queue attributes; assuming SQS defaults (visibility 30 s, no redrive policy)', {
          connector,
          queue: queueUrl,
          error: errorName(err),
          fix: 'allow sqs:GetQueueAttributes on the queue so trailscope sees its visibility timeout and dead-letter queue',
        });
        settings = { visibilityTimeout: DEFAULT_VISIBILITY_TIMEOUT, redrive: null, known: false };
        break;
      }
      stats.receiveErrors++;
      if (cls === 'queue-missing') {
        await problem('queue-missing', `queue ${queueUrl} does not exist`, 'check --queue-url and --region; create the queue and the bucket notification if needed', {});
      }
      if (opts.exitWhenIdle && attempt >= (opts.maxReceiveErrorsWhenIdle ?? 5)) {
        throw new Error(`cannot reach queue ${queueUrl}: ${errorName(err)}: ${(err as Error).message ?? ''}`);
      }
      const wait = backoffMs(attempt, 1000, 300_000, random);
      log.warn('queue not reachable, retrying', { connector, queue: queueUrl, error: errorName(err), kind: cls, retryInMs: wait });
      await sleep(wait, signal);
    }
  }
  if (!settings) return stats;
  const queue: QueueSettings = settings;
  if (queue.visibilityTimeout < 10) {
    log.warn('queue visibility timeout is very short; messages are extended every second while processed', { connector, visibilityTimeout: queue.visibilityTimeout });
  }
  log.info('ingesting from queue', {
    connector,
    queue: queueUrl,
    concurrency,
    visibilityTimeout: queue.visibilityTimeout,
    redrive: queue.redrive ? `${queue.redrive.deadLetterTargetArn} after ${queue.redrive.maxReceiveCount} receives` : 'none',
    maxReceives: queue.redrive ? null : maxReceives,
  });

  // ---- per message ----
  const inFlight = new Set<InFlight>();
  let slotFreed: (() => void) | null = null;

  const bump = async (delta: Parameters<Store['ingest']['bumpCounters']>[0]) => {
    try {
      await store.ingest.bumpCounters(delta);
    } catch (err) {
      log.error('could not update counters', { connector, error: String(err) });
    }
  };

  const accountOf = (key: string | null | undefined) => (key ? (classifyKey(key).accountId ?? '-') : '-');

  const processOne = async (file: NotifiedFile): Promise<void> => {
    const previous = await store.files.get(file.bucket, file.key);
    if (previous && (previous.status === 'done' || previous.status === 'skipped') && (!file.etag || !previous.etag || previous.etag === file.etag)) {
      stats.alreadyDone++;
      return;
    }
    const task: FileTask = { bucket: file.bucket, key: file.key };
    if (file.etag !== undefined) task.etag = file.etag;
    if (file.size !== undefined) task.size = file.size;
    let result: unknown;
    try {
      result = await opts.processFile(task);
    } catch (err) {
      const f = classifyFailure(err);
      if (!isNoSuchKey(f) || !file.altKey) throw err;
      log.info('key not found as given; trying its URL-decoded form', { connector, bucket: file.bucket, key: file.key, altKey: file.altKey });
      result = await opts.processFile({ ...task, key: file.altKey });
    }
    const r = (result ?? {}) as { inserted?: unknown; duplicates?: unknown; newEvents?: unknown; status?: unknown };
    if (r.status === 'duplicate-file') {
      stats.alreadyDone++;
      return;
    }
    stats.files++;
    const inserted = typeof r.inserted === 'number' ? r.inserted : typeof r.newEvents === 'number' ? r.newEvents : 0;
    stats.events += inserted;
    if (typeof r.duplicates === 'number') stats.duplicates += r.duplicates;
  };

  const processMessage = async (msg: ReceivedMessage, entry: InFlight): Promise<Outcome> => {
    let n: Notification;
    try {
      n = parseNotification(msg.body);
    } catch (err) {
      return { ok: false, failure: classifyFailure(err), file: null };
    }
    if (n.kind === 'test') {
      stats.testEvents++;
      log.info('S3 test event received and acknowledged: the bucket notification reaches this queue', { connector, bucket: n.bucket ?? null });
      return { ok: true };
    }
    for (const ig of n.ignored) {
      stats.ignoredKeys++;
      log.info('ignored a key that is not a CloudTrail log', { connector, bucket: ig.bucket, key: ig.key, messageId: msg.messageId });
      await bump({ connector, accountId: '-', errorKind: 'ignored-key', messageAt: now().toISOString() });
    }
    if (n.kind === 'ignored') {
      stats.ignoredMessages++;
      log.info('message names no CloudTrail file; deleted', { connector, messageId: msg.messageId, reason: n.reason, shape: n.shape });
      return { ok: true };
    }
    // Files one after the other: concurrency is across messages. Every file is attempted even
    // after a failure, so a retry only has the failed ones left to do.
    const failures: { failure: Failure; file: FileTask }[] = [];
    for (const file of n.files) {
      // Never delete a message with files left undone: it must come back.
      if (entry.released || entry.heartbeat?.lost) return { ok: 'abandoned' };
      try {
        await processOne(file);
      } catch (err) {
        const failure = classifyFailure(err);
        const task: FileTask = { bucket: file.bucket, key: file.key };
        log.warn('file failed', { connector, bucket: file.bucket, key: file.key, kind: failure.kind, code: failure.code, error: failure.message, receiveCount: msg.receiveCount });
        // processObject counts its own SourceErrors by code; count the others here.
        const counted = typeof err === 'object' && err !== null && 'kind' in err;
        if (!counted) await bump({ connector, accountId: accountOf(file.key), errorKind: `${failure.kind}:${failure.code}`, messageAt: now().toISOString() });
        const pk = problemKind(failure);
        if (pk) await problem(pk, failure.message, failure.fix, task);
        failures.push({ failure, file: task });
      }
    }
    if (failures.length === 0) return { ok: true };
    // A transient failure decides the message's fate over a permanent one: the message must come
    // back for the file that may still succeed (files already committed are not read again), and
    // the permanent one is quarantined on that later receive, or once the receives run out.
    const first = failures.find((f) => f.failure.kind === 'transient') ?? failures[0]!;
    if (failures.length === 1) return { ok: false, ...first };
    const others = failures.filter((f) => f !== first).map((f) => `s3://${f.file.bucket}/${f.file.key}: ${f.failure.code}`);
    return { ok: false, file: first.file, failure: { ...first.failure, message: `${first.failure.message} (and ${others.length} more file(s) of this message failed: ${others.slice(0, 5).join('; ')})` } };
  };

  const quarantine = async (msg: ReceivedMessage, out: { failure: Failure; file: FileTask | null }, leftForDlq: boolean) => {
    await store.ingest.quarantine({
      connector,
      messageId: msg.messageId,
      body: msg.body,
      bucket: out.file?.bucket ?? null,
      key: out.file?.key ?? null,
      reason: `${out.failure.code}: ${out.failure.message}`,
      fix: out.failure.fix,
      receiveCount: msg.receiveCount,
      leftForDlq,
      at: now().toISOString(),
    });
    await bump({ connector, accountId: accountOf(out.file?.key), errorKind: 'quarantined' });
    if (leftForDlq) stats.leftForDlq++;
    else stats.quarantined++;
    log.warn(leftForDlq ? 'message failed; left for the dead-letter queue' : 'message quarantined and deleted', {
      connector,
      messageId: msg.messageId,
      bucket: out.file?.bucket ?? null,
      key: out.file?.key ?? null,
      reason: out.failure.message,
      code: out.failure.code,
      fix: out.failure.fix,
      receiveCount: msg.receiveCount,
    });
  };

  const settle = async (msg: ReceivedMessage, out: Outcome, entry: InFlight) => {
    if (out.ok === 'abandoned') {
      log.warn('message left undone: it will be redelivered', { connector, messageId: msg.messageId, released: entry.released, visibilityLost: entry.heartbeat?.lost ?? false });
      return;
    }
    if (out.ok) {
      await deleteWithRetry(msg);
      return;
    }
    const { failure } = out;
    const redrive = queue.redrive;
    if (redrive) {
      // SQS moves the message to the DLQ on the receive after maxReceiveCount. Record it at its last
      // receive here; before that, let a permanent failure come back quickly (it will fail the same way).
      if (msg.receiveCount >= redrive.maxReceiveCount) {
        await quarantine(msg, out, true);
        await setVisibility(msg, 0);
      } else {
        const base = failure.kind === 'permanent' ? 1 : retryBaseSeconds;
        await retryLater(msg, base, entry);
      }
      return;
    }
    if (failure.kind === 'permanent' || msg.receiveCount >= maxReceives) {
      await quarantine(msg, out, false);
      await deleteWithRetry(msg);
      return;
    }
    await retryLater(msg, retryBaseSeconds, entry);
  };

  const setVisibility = async (msg: ReceivedMessage, seconds: number) => {
    try {
      await changeVisibility(sqs, queueUrl, msg.receiptHandle, seconds);
    } catch (err) {
      log.warn('could not change message visibility; it reappears after the visibility timeout', { connector, messageId: msg.messageId, error: errorName(err) });
    }
  };

  const retryLater = async (msg: ReceivedMessage, baseSeconds: number, entry: InFlight) => {
    stats.retried++;
    if (entry.heartbeat?.lost) return;
    const seconds = Math.min(900, Math.round(backoffMs(msg.receiveCount, baseSeconds * 1000, 900_000, random) / 1000));
    log.info('message will be retried', { connector, messageId: msg.messageId, receiveCount: msg.receiveCount, retryInSeconds: seconds });
    await setVisibility(msg, seconds);
  };

  const deleteWithRetry = async (msg: ReceivedMessage) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await deleteMessage(sqs, queueUrl, msg.receiptHandle);
        stats.deleted++;
        return;
      } catch (err) {
        const cls = classifySqsError(err);
        if (cls === 'receipt-invalid' || cls === 'queue-missing' || attempt === 5) {
          // Everything is committed, so a redelivery only finds files already done.
          log.warn('could not delete message; it will be redelivered and found already ingested', { connector, messageId: msg.messageId, error: errorName(err) });
          return;
        }
        await sleep(backoffMs(attempt, 200, 5000, random));
      }
    }
  };

  const handle = (msg: ReceivedMessage): InFlight => {
    const entry: InFlight = { msg, heartbeat: null, released: false, done: Promise.resolve() };
    entry.heartbeat = new VisibilityHeartbeat(sqs, queueUrl, msg.receiptHandle, queue.visibilityTimeout, (err, cls) => {
      if (cls === 'receipt-invalid') {
        log.warn('message visibility could not be extended: another consumer may process it too (the store deduplicates)', { connector, messageId: msg.messageId, error: errorName(err) });
      } else {
        log.warn('message visibility extension failed; will retry', { connector, messageId: msg.messageId, error: errorName(err) });
      }
    }).start();
    stats.messages++;
    entry.done = (async () => {
      try {
        const out = await processMessage(msg, entry);
        entry.heartbeat?.stop();
        stats.heartbeats += entry.heartbeat?.extensions ?? 0;
        if (entry.released) return;
        await settle(msg, out, entry);
      } catch (err) {
        // Store unavailable while quarantining, or a bug: leave the message to reappear.
        entry.heartbeat?.stop();
        log.error('message handling failed; it will reappear after its visibility timeout', { connector, messageId: msg.messageId, error: String(err) });
      } finally {
        inFlight.delete(entry);
        slotFreed?.();
      }
    })();
    inFlight.add(entry);
    return entry;
  };

  // ---- progress ----
  const started = Date.now();
  const progress = () =>
    log.info('progress', {
      connector,
      messages: stats.messages,
      files: stats.files,
      events: stats.events,
      duplicates: stats.duplicates,
      quarantined: stats.quarantined + stats.leftForDlq,
      retried: stats.retried,
      inFlight: inFlight.size,
      eventsPerSecond: Math.round(stats.events / Math.max(0.001, (Date.now() - started) / 1000)),
    });
  const progressTimer = opts.progressEveryMs === 0 ? null : setInterval(progress, opts.progressEveryMs ?? 60_000);
  progressTimer?.unref();

  // ---- receive loop ----
  // On stop, a receive under way is left to return (at most waitTimeSeconds) and its messages are
  // released at once, rather than aborted: SQS may already have handed messages to a long poll
  // whose connection we drop, and those would stay hidden for a whole visibility timeout.
  let stopAt = 0;
  const onStop = () => {
    stopAt = Date.now();
    slotFreed?.();
  };
  signal.addEventListener('abort', onStop, { once: true });
  let consecutiveErrors = 0;
  try {
    while (!signal.aborted) {
      while (inFlight.size >= concurrency && !signal.aborted) {
        await new Promise<void>((resolve) => {
          slotFreed = resolve;
        });
        slotFreed = null;
      }
      if (signal.aborted) break;
      let batch: ReceivedMessage[];
      try {
        batch = await receiveMessages(sqs, queueUrl, { max: concurrency - inFlight.size, waitTimeSeconds });
        consecutiveErrors = 0;
        if (signal.aborted) {
          // Stopped while this receive was under way: hand its messages straight back.
          await Promise.all(batch.map((m) => setVisibility(m, 0)));
          stats.released += batch.length;
          break;
        }
      } catch (err) {
        const cls = classifySqsError(err);
        if (cls === 'aborted' || signal.aborted) break;
        consecutiveErrors++;
        stats.receiveErrors++;
        if (cls === 'queue-missing') {
          await problem('queue-missing', `queue ${queueUrl} does not exist`, 'check --queue-url and --region; the queue may have been deleted');
        } else if (cls === 'access') {
          await problem('queue-access-denied', `cannot receive from ${queueUrl}: ${errorName(err)}`, 'allow sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility and sqs:GetQueueAttributes (and kms:Decrypt on the queue key if it is encrypted with a CMK)');
        }
        if (opts.exitWhenIdle && inFlight.size === 0 && consecutiveErrors >= (opts.maxReceiveErrorsWhenIdle ?? 5)) {
          throw new Error(`receiving from ${queueUrl} keeps failing: ${errorName(err)}: ${(err as Error).message ?? ''}`);
        }
        const wait = backoffMs(consecutiveErrors, 1000, cls === 'throttled' ? 60_000 : 300_000, random);
        log.warn('receive failed, backing off', { connector, error: errorName(err), kind: cls, retryInMs: wait });
        await sleep(wait, signal);
        continue;
      }
      if (batch.length === 0) {
        if (opts.exitWhenIdle && inFlight.size === 0) {
          log.info('queue is empty and nothing is in flight; exiting', { connector });
          break;
        }
        continue;
      }
      for (const msg of batch) handle(msg);
    }
  } finally {
    signal.removeEventListener('abort', onStop);
    // ---- drain: finish in-flight work within the grace period, then release the rest ----
    if (inFlight.size > 0) {
      // The grace period runs from the stop request, not from the end of the last receive.
      const remaining = Math.max(0, graceMs - (stopAt ? Date.now() - stopAt : 0));
      log.info('stopping: waiting for in-flight messages', { connector, inFlight: inFlight.size, graceMs: remaining });
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, remaining);
      });
      await Promise.race([Promise.all([...inFlight].map((e) => e.done)), grace]);
      clearTimeout(timer);
      const left = [...inFlight];
      for (const e of left) {
        e.released = true;
        e.heartbeat?.stop();
      }
      await Promise.all(
        left.map(async (e) => {
          await setVisibility(e.msg, 0);
          stats.released++;
        }),
      );
      if (left.length > 0) log.warn('released unfinished messages to the queue', { connector, released: left.length });
    }
    if (progressTimer) clearInterval(progressTimer);
    progress();
  }
  return stats;
}
