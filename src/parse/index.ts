/**
 * Parsing CloudTrail content into NormalizedEvents: delivery files, exports and shipper formats.
 *
 *   const parsed = parseFile(bytes, key);   // throws ParseError for a damaged file
 *   parsed.events; parsed.rejected;         // rejected records carry a reason, nothing is dropped
 */
import type { FileKind, NormalizedEvent, RecordText } from '../model/index.js';
import { decodeBytes } from './decode.js';
import type { DecodeOptions } from './decode.js';
import { envelopeOf, splitRecords, tooManyRejected } from './formats.js';
import { MAX_CONSECUTIVE_REJECTS } from './limits.js';
import type { FileFormat, RecordEnvelope } from './formats.js';
import { printable } from './fields.js';
import { ParseError } from './errors.js';
import { classifyKey } from './keys.js';
import { tryNormalize } from './normalize.js';
import type { RecordContext } from './normalize.js';

export { ParseError } from './errors.js';
export type { ParseErrorCode } from './errors.js';
export { classifyKey } from './keys.js';
export type { KeyInfo } from './keys.js';
export { normalizeRecord, compareEventVersion, RecordRejected } from './normalize.js';
export type { RecordContext } from './normalize.js';
export type { FileFormat, RecordEnvelope } from './formats.js';

export interface RejectedRecord {
  /** 0-based position of the record in the file. */
  index: number;
  /** 1-based line, for one-record-per-line files. */
  line?: number;
  reason: string;
}

export interface ParsedFile {
  /**
   * By content: 'digest' for digest files, 'insight' when every event is an Insight, 'other' for
   * content that is not CloudTrail at all (see `note`), else 'events'.
   */
  kind: FileKind;
  /** null when kind is 'other'. */
  format: FileFormat | null;
  /** How records were wrapped ('mixed' if several ways). */
  envelope: RecordEnvelope | 'mixed';
  gzipped: boolean;
  events: NormalizedEvent[];
  /**
   * With ParseOptions.recordTexts: for each event, its record's own text in the file when it can
   * be stored as it is (undefined for the others).
   */
  texts?: (RecordText | undefined)[];
  rejected: RejectedRecord[];
  /** Why the file yielded no events when that is not an error (digest, not CloudTrail). */
  note?: string;
}

/** Names that promise JSON: such a file whose content is not JSON is damaged, not foreign. */
const JSON_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;

function looksLikeJson(text: string): boolean {
  const m = /\S/.exec(text.length > 4096 ? text.slice(0, 4096) : text);
  return m !== null && (m[0] === '{' || m[0] === '[');
}

export interface ParseOptions extends DecodeOptions {
  /** When the file is read (ISO-8601; default now): events more than a day later are rejected. */
  receivedAt?: string;
  /** Find each record's own text in the file (ParsedFile.texts), for the store's raw records. */
  recordTexts?: boolean;
}

/**
 * Reads one file of CloudTrail content. gzip is detected by magic bytes and the format by
 * content, so the name only matters for error messages and for the account folder, which fills
 * recipientAccountId in records too old to carry it.
 *
 * Throws ParseError (with reason and fix) when the file itself is damaged: corrupt gzip, broken
 * JSON, a `Records` that is not an array. Content that is not CloudTrail at all (a README, a
 * CSV, a JSON document of another kind) is not an error: kind 'other' with a note.
 */
export function parseFile(bytes: Buffer, name: string, options: ParseOptions = {}): ParsedFile {
  const decoded = decodeBytes(bytes, name, options);
  const base = { envelope: 'none' as const, gzipped: decoded.gzipped, events: [], rejected: [] };
  if (decoded.binary && (decoded.gzipped || JSON_NAME.test(name))) {
    throw new ParseError('malformed-json', name, 'the file is named or compressed like CloudTrail JSON but holds binary content (NUL bytes)', 'check what produced this file; download CloudTrail files again from S3');
  }
  if (decoded.binary) return { ...base, kind: 'other', format: null, note: 'binary content (NUL bytes), not CloudTrail JSON' };
  // UTF-16 text may hold lone surrogates, which a UTF-8 line cannot keep: such records are serialised.
  const split = splitRecords(decoded.text, name, { recordTexts: options.recordTexts === true && !decoded.utf16, ...(decoded.bytes ? { bytes: decoded.bytes } : {}) });
  if (!split && (decoded.gzipped || JSON_NAME.test(name)) && !looksLikeJson(decoded.text)) {
    // A README in a tree is not an error, but a .json.gz that is not JSON is a damaged download
    // or a mislabelled file, and skipping it silently would hide missing events.
    throw new ParseError(
      'malformed-json',
      name,
      `the file is ${decoded.gzipped ? 'gzip-compressed' : 'named'} like CloudTrail JSON but its content is not JSON (it starts with "${decoded.text.trimStart().slice(0, 40)}"${decoded.text.trim() === '' ? ': only whitespace' : ''})`,
      'check what produced this file; download CloudTrail files again from S3, or move unrelated files out of the imported tree',
    );
  }
  if (!split) {
    return {
      ...base,
      kind: 'other',
      format: null,
      note: 'not CloudTrail: neither a delivery file, an array or lines of records, a lookup-events export nor a digest',
    };
  }
  if (split.format === 'digest') {
    return { ...base, kind: 'digest', format: 'digest', note: 'CloudTrail-Digest file: integrity data, no events' };
  }

  const key = classifyKey(name);
  const context: RecordContext = {};
  if (key.accountId) context.accountId = key.accountId;
  if (options.receivedAt) context.receivedAt = options.receivedAt;
  const events: NormalizedEvent[] = [];
  const texts: (RecordText | undefined)[] | undefined = options.recordTexts ? [] : undefined;
  const rejected: RejectedRecord[] = [];
  let foreign = 0;
  let streak = 0;
  for (const entry of split.records) {
    let outcome: NormalizedEvent | string;
    if (entry.record) {
      try {
        outcome = tryNormalize(entry.record, context);
      } catch (err) {
        // Hostile shapes (deep nesting, huge values) must cost one record, not the file.
        outcome = `could not be normalised: ${(err as Error).message}`;
      }
    } else {
      outcome = entry.reason ?? 'unreadable record';
      if (entry.foreign) foreign++;
    }
    if (typeof outcome === 'string') {
      const r: RejectedRecord = { index: entry.index, reason: printable(outcome) };
      if (entry.line !== undefined) r.line = entry.line;
      rejected.push(r);
      if (++streak >= MAX_CONSECUTIVE_REJECTS) throw tooManyRejected(name, entry.index, r.reason, split.records.length);
    } else {
      events.push(outcome);
      texts?.push(entry.text);
      streak = 0;
    }
  }

  const envelope = envelopeOf(split.records);
  if (events.length === 0 && rejected.length > 0 && foreign === rejected.length) {
    return { ...base, kind: 'other', format: split.format, note: `not CloudTrail: ${rejected[0]?.reason ?? ''}` };
  }
  let kind: FileKind = 'events';
  if (events.length > 0 ? events.every((e) => e.eventCategory === 'Insight') : key.kind === 'insight') kind = 'insight';
  return { kind, format: split.format, envelope, gzipped: decoded.gzipped, events, ...(texts ? { texts } : {}), rejected };
}
export { canonicalAction, cloudTrailVisibility } from './actions/index.js';
export type { CloudTrailVisibility } from './actions/index.js';
export { DEFAULT_MAX_DECODED_BYTES } from './decode.js';
export { printable } from './fields.js';
