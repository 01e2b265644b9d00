/**
 * The CPU-bound half of processObject (./object.ts): parse a fetched S3 object and encode its
 * events for the store, without the store. Pure, so it runs on a parse worker thread (ParsePool)
 * and the thread that owns the store only commits the encoded batch it hands back.
 */
import type { BatchEncoder, EncodedBatch, FileRecord, StoreEncoder } from '../store/index.js';
import type { FileKind, NormalizedEvent } from '../model/index.js';
import { parseFile, ParseError } from '../parse/index.js';
import type { ParseErrorCode } from '../parse/index.js';

export interface ObjectJob {
  type: 'object';
  /** The object's bytes (transferred to the worker). */
  bytes: Uint8Array;
  key: string;
  connector: string;
  /** Account folder of the key, when it follows the CloudTrail layout. */
  keyAccount: string | null;
  /** The file record, but for what parsing tells (status, kind, counts, account). */
  record: Omit<FileRecord, 'status' | 'kind' | 'eventCount' | 'newEvents' | 'accountId'>;
  /** ISO time for the counters' message and file times. */
  at: string;
  encoder: StoreEncoder;
}

export type ParsedObject =
  /** Events to commit: the batch holds the file's one part (record, events, counters). */
  | { outcome: 'events'; kind: FileKind; events: number; rejected: number; accountId: string | null; batch: EncodedBatch; transfer: ArrayBuffer[] }
  /** A digest or a file without CloudTrail records. */
  | { outcome: 'no-events'; kind: FileKind; rejected: number; note: string | null }
  /** The parser refused the file (a permanent failure). */
  | { outcome: 'parse-error'; code: ParseErrorCode; reason: string; fix: string }
  /** Anything else: a bug in the parser (the file fails) or the encoder (retried like a store error). */
  | { outcome: 'bug'; stage: 'parse' | 'encode'; message: string };

function newest(events: readonly NormalizedEvent[]): string | undefined {
  let max: string | undefined;
  for (const e of events) if (!max || e.eventTime > max) max = e.eventTime;
  return max;
}

export function parseObject(job: ObjectJob, makeEncoder: () => BatchEncoder): ParsedObject {
  let parsed;
  try {
    parsed = parseFile(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.key, { receivedAt: job.at, recordTexts: true });
  } catch (err) {
    if (err instanceof ParseError) return { outcome: 'parse-error', code: err.code, reason: err.reason, fix: err.fix };
    return { outcome: 'bug', stage: 'parse', message: `the parser failed: ${(err as Error).message}` };
  }
  if (parsed.kind === 'digest' || parsed.kind === 'other') {
    return { outcome: 'no-events', kind: parsed.kind, rejected: parsed.rejected.length, note: parsed.note ?? null };
  }
  const events = parsed.events;
  const accountId = job.keyAccount ?? events.find((e) => e.recipientAccountId)?.recipientAccountId ?? null;
  const first = parsed.rejected[0];
  const rejectedNote = first ? `${parsed.rejected.length} record(s) rejected, first: #${first.index}: ${first.reason}` : null;
  const newestTime = newest(events);
  // The account's counters move in the commit's transaction: a crash cannot leave them behind.
  const counters = accountId
    ? { connector: job.connector, accountId, files: 1, messageAt: job.at, fileAt: job.at, fileKey: job.key, ...(newestTime ? { newestEventTime: newestTime } : {}) }
    : undefined;
  const file: FileRecord = { ...job.record, accountId, status: 'done', kind: parsed.kind, eventCount: events.length, newEvents: 0, ...(rejectedNote ? { error: rejectedNote } : {}) };
  try {
    const encoder = makeEncoder();
    encoder.add({ file, events, ...(parsed.texts ? { texts: parsed.texts } : {}), ...(counters ? { counters } : {}) });
    const { batch, transfer } = encoder.finish();
    return { outcome: 'events', kind: parsed.kind, events: events.length, rejected: parsed.rejected.length, accountId, batch, transfer };
  } catch (err) {
    return { outcome: 'bug', stage: 'encode', message: `the events could not be encoded for the store: ${(err as Error).message}` };
  }
}
