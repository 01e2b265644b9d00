import { readFileSync } from 'node:fs';
import type { NormalizedEvent } from '../model/index.js';
import { parseFile, ParseError } from '../parse/index.js';
import { encodeChunk } from '../store/index.js';
import type { EncodedChunk, FileRecord } from '../store/index.js';

/** Files to read, parse and encode into one store transaction (see ParsePool). */
export interface ParseJob {
  files: { path: string; size: number }[];
  processedAt: string;
  /** Compress the raw records here when the chunk is big enough (true on worker threads). */
  compress: boolean;
}

export interface FileOutcome {
  path: string;
  status: 'done' | 'skipped' | 'failed';
  events: number;
  rejectedRecords: number;
  /** For failed files: what went wrong and how to fix it. */
  reason?: string;
  fix?: string;
}

export interface ParsedJob {
  /** One part per file of the job, in order, each with its file record. */
  chunk: EncodedChunk;
  outcomes: FileOutcome[];
  /** Bytes read, for sizing the next jobs. */
  bytes: number;
}

export const BUG_FIX = 'report this as a bug, with the file if you can share it';

/**
 * Reads, parses and encodes the job's files. Never throws for a bad file: a file that cannot be
 * read or parsed becomes a failed part (its record says why), so the rest of the job goes on.
 */
export function runParseJob(job: ParseJob): ParsedJob {
  const parts: { file: FileRecord; events: NormalizedEvent[] }[] = [];
  const outcomes: FileOutcome[] = [];
  let bytesRead = 0;
  for (const { path, size } of job.files) {
    const base = { source: 'file', key: path, size, connector: 'import', processedAt: job.processedAt };
    const failed = (reason: string, fix: string) => {
      outcomes.push({ path, status: 'failed', events: 0, rejectedRecords: 0, reason, fix });
      parts.push({ file: { ...base, status: 'failed', kind: 'other', eventCount: 0, newEvents: 0, error: reason }, events: [] });
    };
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      failed((err as Error).message, 'check file permissions');
      continue;
    }
    bytesRead += bytes.length;
    try {
      const parsed = parseFile(bytes, path);
      const rejectedRecords = parsed.rejected.length;
      if (parsed.kind === 'digest' || parsed.kind === 'other') {
        outcomes.push({ path, status: 'skipped', events: 0, rejectedRecords });
        parts.push({ file: { ...base, status: 'skipped', kind: parsed.kind, eventCount: 0, newEvents: 0 }, events: [] });
        continue;
      }
      outcomes.push({ path, status: 'done', events: parsed.events.length, rejectedRecords });
      parts.push({ file: { ...base, status: 'done', kind: parsed.kind, eventCount: parsed.events.length, newEvents: 0 }, events: parsed.events });
    } catch (err) {
      if (err instanceof ParseError) failed(err.reason, err.fix);
      else failed((err as Error).message, BUG_FIX);
    }
  }
  return { chunk: encodeParts(parts, outcomes, job.compress), outcomes, bytes: bytesRead };
}

/** Encodes the parts; a file whose events cannot be encoded (a bug) fails alone, not the job. */
function encodeParts(parts: { file: FileRecord; events: NormalizedEvent[] }[], outcomes: FileOutcome[], compress: boolean): EncodedChunk {
  try {
    return encodeChunk(parts, { compress });
  } catch {
    parts.forEach((part, k) => {
      try {
        encodeChunk([part]);
      } catch (err) {
        const reason = `could not be stored: ${(err as Error).message}`;
        outcomes[k] = { path: part.file.key, status: 'failed', events: 0, rejectedRecords: outcomes[k]!.rejectedRecords, reason, fix: BUG_FIX };
        parts[k] = { file: { ...part.file, status: 'failed', kind: 'other', eventCount: 0, error: reason }, events: [] };
      }
    });
    return encodeChunk(parts, { compress });
  }
}
