import { open, realpath, stat } from 'node:fs/promises';
import type { Store } from '../store/index.js';
import { walkFiles } from '../sources/index.js';
import { ParsePool, WORKER_MAX_DECODED_BYTES, WORKER_MAX_FILE_BYTES, defaultParseThreads } from './parse-pool.js';
import { runParseTask } from './parse-task.js';
import type { ParseJob, ParsedJob } from './parse-job.js';
import { RejectedReasons } from './rejected-reasons.js';
import type { RejectedReasonGroup } from './rejected-reasons.js';

export interface ImportFailure {
  path: string;
  reason: string;
  fix: string;
}

export interface ImportSummary {
  filesRead: number;
  eventsNew: number;
  duplicates: number;
  /** Files skipped: digests, non-CloudTrail files and files already imported. */
  skipped: number;
  alreadyImported: number;
  failed: number;
  rejectedRecords: number;
  /**
   * Duplicates whose content differs from the event kept under the same eventID and time (the
   * first is kept): a forged or corrupt record. A few examples name the file.
   */
  duplicateConflicts: { count: number; examples: { path: string; eventId: string }[] };
  /** Why records were rejected: counts per kind of reason, most frequent first, with examples. */
  rejectedReasons: RejectedReasonGroup[];
  failures: ImportFailure[];
}

export interface ImportProgress {
  path: string;
  filesDone: number;
  eventsNew: number;
}

export interface ImportOptions {
  now?: () => Date;
  onProgress?: (p: ImportProgress) => void;
  onFailure?: (f: ImportFailure) => void;
  /** Parse worker threads (default: one per core, at most 4; 0 parses inline). */
  parseThreads?: number;
  /** Files bigger than this (bytes on disk) are parsed on the main thread (default 4 MiB). */
  inlineAboveBytes?: number;
  /** Decompressed bytes a file may hold; a bigger one fails with its reason (default 256 MiB). */
  maxFileBytes?: number;
}

const READ_FIX = 'check that the path exists and is readable';

/** A job's size: enough events to compress well as one block, few enough to keep memory flat. */
const JOB_TARGET_EVENTS = 768;
const JOB_MAX_FILES = 256;
/** Conflicting duplicates named in the summary; the rest are counted. */
const MAX_CONFLICT_EXAMPLES = 5;
/** Bytes per event assumed until the first jobs tell (gzipped CloudTrail runs ~200-300). */
const INITIAL_BYTES_PER_EVENT = 256;

/**
 * Imports local files and directories (recursively) into the store. Idempotent: a file already
 * imported with the same size is skipped, and events are deduplicated by eventID, so importing
 * the same tree twice adds nothing.
 *
 * Files are grouped into jobs of about JOB_TARGET_EVENTS events; parse threads read, parse and
 * encode jobs while this thread commits the previous ones in order, one transaction per job.
 */
export async function importPaths(store: Store, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const now = opts.now ?? (() => new Date());
  const summary: ImportSummary = {
    filesRead: 0,
    eventsNew: 0,
    duplicates: 0,
    skipped: 0,
    alreadyImported: 0,
    failed: 0,
    rejectedRecords: 0,
    rejectedReasons: [],
    duplicateConflicts: { count: 0, examples: [] },
    failures: [],
  };
  const rejectedReasons = new RejectedReasons();
  const fail = (failure: ImportFailure) => {
    summary.failed++;
    summary.failures.push(failure);
    opts.onFailure?.(failure);
  };

  const limits = opts.maxFileBytes !== undefined ? { maxFileBytes: opts.maxFileBytes } : {};
  const threads = opts.parseThreads ?? defaultParseThreads();
  const pool = new ParsePool(threads);
  const inFlight: Promise<ParsedJob>[] = [];
  const maxInFlight = 2 * Math.max(1, threads);
  let bytesPerEvent = INITIAL_BYTES_PER_EVENT;
  let job: ParseJob['files'] = [];
  let jobBytes = 0;
  // Files read but not committed yet: a path given twice must not be read twice meanwhile
  // (once committed, the store's file record answers). Bounded by the jobs in flight.
  const uncommitted = new Set<string>();
  let filesDone = 0;

  const commit = async (parsed: ParsedJob) => {
    // Jobs are committed one at a time, each big enough alone: waiting for company would only add latency.
    const results = await store.events.commit(parsed.batch, { immediate: true });
    const events = parsed.outcomes.reduce((n, o) => n + o.events, 0);
    if (events > 0 && parsed.bytes > 0) bytesPerEvent = Math.max(16, parsed.bytes / events);
    parsed.outcomes.forEach((outcome, k) => {
      uncommitted.delete(outcome.path);
      filesDone++;
      summary.rejectedRecords += outcome.rejectedRecords;
      if (outcome.rejectedGroups) rejectedReasons.addFile(outcome.path, outcome.rejectedGroups);
      if (outcome.status === 'failed') fail({ path: outcome.path, reason: outcome.reason ?? 'failed', fix: outcome.fix ?? READ_FIX });
      else if (outcome.status === 'skipped') summary.skipped++;
      const result = results[k];
      if (result) {
        summary.eventsNew += result.inserted;
        summary.duplicates += result.duplicates;
        if (result.conflicts) {
          const conflicts = summary.duplicateConflicts;
          conflicts.count += result.conflicts.count;
          for (const eventId of result.conflicts.eventIds) {
            if (conflicts.examples.length < MAX_CONFLICT_EXAMPLES) conflicts.examples.push({ path: outcome.path, eventId });
          }
        }
      }
    });
    const last = parsed.outcomes[parsed.outcomes.length - 1];
    if (last) opts.onProgress?.({ path: last.path, filesDone, eventsNew: summary.eventsNew });
  };
  const commitNext = async () => commit(await inFlight.shift()!);
  const dispatch = async () => {
    if (job.length === 0) return;
    inFlight.push(pool.run({ type: 'files', files: job, processedAt: now().toISOString(), encoder: store.events.encoder, ...limits }));
    job = [];
    jobBytes = 0;
    while (inFlight.length >= maxInFlight) await commitNext();
  };

  try {
    for await (const entry of walkFiles(paths)) {
      if ('error' in entry) {
        fail({ path: entry.path, reason: entry.error, fix: READ_FIX });
        continue;
      }
      let path: string;
      let size: number;
      try {
        path = await realpath(entry.path);
        size = (await stat(path)).size;
      } catch (err) {
        fail({ path: entry.path, reason: (err as Error).message, fix: READ_FIX });
        continue;
      }
      const previous = uncommitted.has(path) ? undefined : await store.files.get('file', path);
      if (uncommitted.has(path) || (previous && previous.status !== 'failed' && previous.size === size)) {
        summary.alreadyImported++;
        summary.skipped++;
        continue;
      }
      uncommitted.add(path);
      summary.filesRead++;
      if (size > (opts.inlineAboveBytes ?? WORKER_MAX_FILE_BYTES) || (await gzipDecodedSize(path, size)) > WORKER_MAX_DECODED_BYTES) {
        await dispatch();
        const big: ParseJob = { type: 'files', files: [{ path, size }], processedAt: now().toISOString(), encoder: store.events.encoder, ...limits };
        inFlight.push(runParseTask(big));
        continue;
      }
      job.push({ path, size });
      jobBytes += size;
      if (jobBytes >= JOB_TARGET_EVENTS * bytesPerEvent || job.length >= JOB_MAX_FILES) await dispatch();
    }
    await dispatch();
    while (inFlight.length) await commitNext();
  } finally {
    // On an error, let jobs under way settle before the pool goes (their results are not committed).
    await Promise.allSettled(inFlight);
    await pool.close();
  }
  summary.rejectedReasons = rejectedReasons.list();
  return summary;
}

/**
 * The decompressed size a gzip file declares in its trailer (modulo 4 GiB), or 0 for other files
 * and unreadable ones (reading them fails later, with the reason). A forged trailer can only
 * send a file to a worker that then dies; its job is parsed again on the main thread.
 */
async function gzipDecodedSize(path: string, size: number): Promise<number> {
  if (size < 18) return 0;
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return 0;
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, size - 4);
    return trailer.readUInt32LE(0);
  } catch {
    return 0;
  } finally {
    await handle?.close();
  }
}
