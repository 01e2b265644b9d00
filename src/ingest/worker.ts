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
import type { ReceivedMessage, QueueSettings } from '../sources/index.js';
import { DEFAULT_VISIBILITY_TIMEOUT, backoffMs, classifySqsError, errorName, readQueueSettings, receiveMessages, sleep } from '../sources/index.js';
import { createProblemReporter } from './worker-failure.js';
import { createMessageHandler } from './worker-message.js';
import type { InFlight } from './worker-message.js';
import { defaultConcurrency } from './worker-options.js';
import type { QueueWorkerOptions, WorkerStats } from './worker-options.js';

export { defaultConcurrency } from './worker-options.js';
export type { FileTask, ProcessFile, QueueWorkerOptions, WorkerStats } from './worker-options.js';
export { classifyFailure } from './worker-failure.js';
export type { Failure } from './worker-failure.js';

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
  const problem = createProblemReporter(store, connector, log, now);

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
  const { handle, setVisibility } = createMessageHandler({
    opts,
    connector,
    queueUrl,
    sqs,
    store,
    log,
    queue,
    stats,
    inFlight,
    maxReceives,
    retryBaseSeconds,
    now,
    random,
    problem,
    slotFreed: () => slotFreed?.(),
  });

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
