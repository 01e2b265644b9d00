import type { NormalizedEvent, RecordText } from '../model/index.js';
import type { CommitCounters, CommitResult, FileRecord } from './types.js';

/**
 * The store's one write path (EventStore.commit): a batch of files, each with its normalised
 * events and the counters to bump with it. How events are encoded, compressed and grouped into
 * transactions is each backend's business; callers never see a storage format.
 */

/** One file's share of a write. */
export interface WritePart {
  /** The file's record (the store fills newEvents), or null for events tied to no file (tests, API). */
  file: FileRecord | null;
  events: readonly NormalizedEvent[];
  /** For each event, its record's own text in its file when the parser found it (ParsedFile.texts): stored as it is. */
  texts?: readonly (RecordText | undefined)[];
  /** Per-account counters to bump in the same transaction; the store adds the part's new and duplicate events. */
  counters?: CommitCounters;
}

/**
 * Parts encoded beforehand by a store's own encoder (see StoreEncoder), typically on a parse
 * worker thread. Opaque: everything but these two fields is the backend's format, and a store
 * refuses a batch of another format. Plain data (typed arrays, strings), so it crosses threads.
 */
export interface EncodedBatch {
  /** The encoding, e.g. "sqlite-chunk/1"; a store accepts only its own. */
  readonly format: string;
  /** How many parts it holds (one CommitResult each). */
  readonly parts: number;
}

/** What EventStore.commit takes: plain parts (encoded on the caller's thread) or an encoded batch. */
export type WriteBatch = readonly WritePart[] | EncodedBatch;

/**
 * The outcome of an atomic commit: one result per part, in order. The promise resolves only once
 * every event, file record, counter, usage and coverage row and detection of the batch is
 * durable; it rejects having written none of them. There is no partial outcome.
 */
export type AtomicCommitResult = CommitResult[];

export interface CommitOptions {
  /**
   * Commit at once. By default a batch of a few hundred events or fewer may wait a few
   * milliseconds to share one transaction with batches committed meanwhile (group commit, a
   * large gain for small files); a caller that commits one batch at a time and waits for it
   * (bulk import) gains nothing by waiting.
   */
  immediate?: boolean;
}

/**
 * Where a thread finds a store's pure encode step. Plain data, so it can be posted to a worker:
 * the worker imports `module` and calls its `createBatchEncoder(options)` (CreateBatchEncoder).
 * The caller runs it without knowing the format and hands the result to EventStore.commit.
 */
export interface StoreEncoder {
  /** URL of an ES module exporting `createBatchEncoder`. */
  readonly module: string;
  /** JSON-compatible options for createBatchEncoder. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Builds one EncodedBatch part by part. Pure: no I/O, no store, safe on any thread. */
export interface BatchEncoder {
  /** Adds one part; throws, having added nothing, when an event cannot be encoded. */
  add(part: WritePart): void;
  /** The batch, and the ArrayBuffers that can be transferred with it instead of copied. */
  finish(): { batch: EncodedBatch; transfer: ArrayBuffer[] };
}

export type CreateBatchEncoder = (options: Readonly<Record<string, unknown>>) => BatchEncoder;
