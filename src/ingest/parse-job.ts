import { readFileSync } from 'node:fs';
import { parseFile, ParseError } from '../parse/index.js';
import type { BatchEncoder, EncodedBatch, StoreEncoder } from '../store/index.js';
import { groupFileRejects } from './rejected-reasons.js';
import type { FileRejectGroup } from './rejected-reasons.js';

/** Files to read, parse and encode into one store transaction (see ParsePool). */
export interface ParseJob {
  type: 'files';
  files: { path: string; size: number }[];
  processedAt: string;
  /** The store's encode step (EventStore.encoder): the job never learns the store's format. */
  encoder: StoreEncoder;
  /** Decompressed bytes a file may hold (default: the parser's DEFAULT_MAX_DECODED_BYTES). */
  maxFileBytes?: number;
}

export interface FileOutcome {
  path: string;
  status: 'done' | 'skipped' | 'failed';
  events: number;
  rejectedRecords: number;
  /** Why records were rejected, grouped by kind with the first few of each (see rejected-reasons). */
  rejectedGroups?: FileRejectGroup[];
  /** For failed files: what went wrong and how to fix it. */
  reason?: string;
  fix?: string;
}

export interface ParsedJob {
  /** One part per file of the job, in order, each with its file record: for EventStore.commit. */
  batch: EncodedBatch;
  /** Buffers of the batch a worker transfers rather than copies (empty once received). */
  transfer: ArrayBuffer[];
  outcomes: FileOutcome[];
  /** Bytes read, for sizing the next jobs. */
  bytes: number;
}

/** The import option that raises the decompressed size limit, named when a file is over it. */
export const MAX_FILE_OPTION = '--max-file-mb';

export const BUG_FIX = 'report this as a bug, with the file if you can share it';

/**
 * Reads, parses and encodes the job's files. Never throws for a bad file: a file that cannot be
 * read or parsed becomes a failed part (its record says why), so the rest of the job goes on.
 */
export function runParseJob(job: ParseJob, makeEncoder: () => BatchEncoder): ParsedJob {
  // Each file is encoded as soon as it is parsed, so its records can be collected at once.
  const builder = makeEncoder();
  const outcomes: FileOutcome[] = [];
  let bytesRead = 0;
  for (const { path, size } of job.files) {
    const base = { source: 'file', key: path, size, connector: 'import', processedAt: job.processedAt };
    const failed = (reason: string, fix: string, rejectedRecords = 0) => {
      outcomes.push({ path, status: 'failed', events: 0, rejectedRecords, reason, fix });
      builder.add({ file: { ...base, status: 'failed', kind: 'other', eventCount: 0, newEvents: 0, error: reason }, events: [] });
    };
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      failed((err as Error).message, 'check file permissions');
      continue;
    }
    bytesRead += bytes.length;
    let parsed;
    try {
      parsed = parseFile(bytes, path, {
        receivedAt: job.processedAt,
        recordTexts: true,
        maxBytesOption: MAX_FILE_OPTION,
        ...(job.maxFileBytes !== undefined ? { maxBytes: job.maxFileBytes } : {}),
      });
    } catch (err) {
      if (err instanceof ParseError) failed(err.reason, err.fix);
      else failed((err as Error).message, BUG_FIX);
      continue;
    }
    const rejectedRecords = parsed.rejected.length;
    const rejectedGroups = rejectedRecords > 0 ? { rejectedGroups: groupFileRejects(parsed.rejected) } : {};
    if (parsed.kind === 'digest' || parsed.kind === 'other') {
      outcomes.push({ path, status: 'skipped', events: 0, rejectedRecords, ...rejectedGroups });
      builder.add({ file: { ...base, status: 'skipped', kind: parsed.kind, eventCount: 0, newEvents: 0 }, events: [] });
      continue;
    }
    try {
      builder.add({ file: { ...base, status: 'done', kind: parsed.kind, eventCount: parsed.events.length, newEvents: 0 }, events: parsed.events, ...(parsed.texts ? { texts: parsed.texts } : {}) });
      outcomes.push({ path, status: 'done', events: parsed.events.length, rejectedRecords, ...rejectedGroups });
    } catch (err) {
      // an event the store cannot encode (a bug): this file fails alone
      failed(`could not be stored: ${(err as Error).message}`, BUG_FIX, rejectedRecords);
    }
  }
  const { batch, transfer } = builder.finish();
  return { batch, transfer, outcomes, bytes: bytesRead };
}
