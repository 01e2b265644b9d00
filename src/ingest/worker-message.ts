/**
 * One received message, from receive to settle: parse the notification, process its files one
 * after the other while a heartbeat keeps the message invisible, then delete it (every file
 * committed), quarantine it, leave it for the DLQ or make it visible again after a backoff.
 * The guarantees are those of ./worker.js, which owns the receive loop and the drain.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Store } from '../store/index.js';
import { classifyKey } from '../parse/index.js';
import { parseNotification } from '../sources/index.js';
import type { Notification, NotifiedFile } from '../sources/index.js';
import { VisibilityHeartbeat, backoffMs, changeVisibility, classifySqsError, deleteMessage, errorName, sleep } from '../sources/index.js';
import type { QueueSettings, ReceivedMessage } from '../sources/index.js';
import type { Logger } from './log.js';
import { classifyFailure, isNoSuchKey, problemKind } from './worker-failure.js';
import type { Failure, ProblemReporter } from './worker-failure.js';
import type { FileTask, QueueWorkerOptions, WorkerStats } from './worker-options.js';

/** A permanent failure: the notification names a bucket the connector does not read. */
function foreignBucket(file: NotifiedFile, bucket: string, connector: string): Error & Pick<Failure, 'kind' | 'code' | 'fix'> & { reason: string } {
  const reason = `the notification names bucket "${file.bucket}", but connector ${connector} reads only "${bucket}": the file was not fetched (a message naming another bucket could carry forged logs)`;
  return Object.assign(new Error(`s3://${file.bucket}/${file.key}: ${reason}`), {
    kind: 'permanent' as const,
    code: 'foreign-bucket',
    reason,
    fix: `if that bucket holds another trail's logs, give it its own connector and queue; otherwise find out who sends notifications for s3://${file.bucket} to this queue (the queue policy should allow only the trail bucket's notifications)`,
  });
}

export type Outcome =
  | { ok: true }
  | { ok: false; failure: Failure; file: FileTask | null }
  /** Stopped before every file was done (released, or the message is no longer ours): leave it alone. */
  | { ok: 'abandoned' };

export interface InFlight {
  msg: ReceivedMessage;
  heartbeat: VisibilityHeartbeat | null;
  released: boolean;
  done: Promise<void>;
}

/** What the message handler shares with the worker's receive loop. */
export interface MessageContext {
  opts: QueueWorkerOptions;
  connector: string;
  queueUrl: string;
  sqs: SQSClient;
  store: Store;
  log: Logger;
  queue: QueueSettings;
  stats: WorkerStats;
  /** Messages being processed; an entry removes itself when its message is settled. */
  inFlight: Set<InFlight>;
  maxReceives: number;
  retryBaseSeconds: number;
  now: () => Date;
  random: () => number;
  problem: ProblemReporter;
  /** Called each time a message is finished, so a receive loop waiting for a slot wakes up. */
  slotFreed: () => void;
}

/** handle(msg) starts processing a received message; setVisibility is shared with the receive loop and the drain. */
export function createMessageHandler(ctx: MessageContext): {
  handle: (msg: ReceivedMessage) => InFlight;
  setVisibility: (msg: ReceivedMessage, seconds: number) => Promise<void>;
} {
  const { opts, connector, queueUrl, sqs, store, log, queue, stats, inFlight, maxReceives, retryBaseSeconds, now, random, problem } = ctx;

  const bump = async (delta: Parameters<Store['ingest']['bumpCounters']>[0]) => {
    try {
      await store.ingest.bumpCounters(delta);
    } catch (err) {
      log.error('could not update counters', { connector, error: String(err) });
    }
  };

  const accountOf = (key: string | null | undefined) => (key ? (classifyKey(key).accountId ?? '-') : '-');

  const processOne = async (file: NotifiedFile): Promise<void> => {
    if (opts.bucket && file.bucket !== opts.bucket) {
      await bump({ connector, accountId: accountOf(file.key), errorKind: 'permanent:foreign-bucket', messageAt: now().toISOString() });
      throw foreignBucket(file, opts.bucket, connector);
    }
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
    const conflicts = (result as { conflicts?: { count: number; eventIds: string[] } } | undefined)?.conflicts;
    if (conflicts) {
      log.warn('duplicate events differ from the events kept under the same eventID; the first were kept', {
        connector,
        bucket: file.bucket,
        key: file.key,
        conflicts: conflicts.count,
        eventIds: conflicts.eventIds.join(' '),
      });
    }
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
        ctx.slotFreed();
      }
    })();
    inFlight.add(entry);
    return entry;
  };

  return { handle, setVisibility };
}
