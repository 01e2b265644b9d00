/**
 * The queue worker's public shapes: the file task it hands to processFile, its options and the
 * stats it returns. The worker itself is ./worker.js.
 */
import { availableParallelism } from 'node:os';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Store } from '../store/index.js';
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

export interface QueueWorkerOptions {
  connector: string;
  queueUrl: string;
  sqs: SQSClient;
  store: Store;
  processFile: ProcessFile;
  log: Logger;
  /**
   * The connector's bucket. When set, a notification naming another bucket is quarantined, never
   * fetched: anyone allowed to send to the queue could otherwise have forged logs in a bucket of
   * theirs read as this trail's events.
   */
  bucket?: string;
  /** Messages in flight (default: 8 × cores, at most 64). */
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

/**
 * Messages in flight by default: 8 × cores, at most 64. Waiting on S3 and SQS costs no CPU, and
 * the store commits the files of messages in flight together (group commit), so more of them
 * means fewer, larger transactions.
 */
export function defaultConcurrency(): number {
  return Math.max(2, Math.min(64, 8 * availableParallelism()));
}
