import { ParseError } from './errors.js';
import { isObject } from './fields.js';
import { MAX_CONSECUTIVE_REJECTS } from './limits.js';
import type { JsonObject } from './fields.js';
import type { RecordText } from '../model/index.js';
import { deliveryRecordTexts } from './record-text.js';

/**
 * How the records are laid out in the file:
 * - 'cloudtrail': a delivery file, `{"Records":[...]}` (other top-level keys are ignored);
 * - 'json-array': `[record, ...]`;
 * - 'json-object': one record, possibly pretty-printed;
 * - 'ndjson': one record per line;
 * - 'lookup-events': `{"Events":[...]}` from `aws cloudtrail lookup-events` / Event history;
 * - 'digest': a CloudTrail-Digest file (no events).
 */
export type FileFormat = 'cloudtrail' | 'json-array' | 'json-object' | 'ndjson' | 'lookup-events' | 'digest';

/**
 * How each record is wrapped:
 * - 'none': a plain CloudTrail record;
 * - 'lookup-event': Event history / lookup-events, the record is the JSON string `CloudTrailEvent`;
 * - 'eventbridge': an EventBridge event, the record is `detail`;
 * - 'event-field': a collector envelope (Splunk HEC, detection-rule test cases), the record is `event`;
 * - 'log-shipper': a flattened record whose eventTime a shipper replaced with `@timestamp`, or the
 *   record as a JSON string in a shipper's `message` (Filebeat, Logstash) or `log` (Fluent Bit).
 */
export type RecordEnvelope = 'none' | 'lookup-event' | 'eventbridge' | 'event-field' | 'log-shipper';

export interface RawRecord {
  /** Position of the record in the file (0-based). */
  index: number;
  /** 1-based line number, for one-record-per-line files. */
  line?: number;
  record?: JsonObject;
  envelope?: RecordEnvelope;
  /** Set instead of record when the entry could not be read as a record. */
  reason?: string;
  /** The entry is not CloudTrail at all (rather than a damaged CloudTrail record). */
  foreign?: boolean;
  /** The record's own text in the file, when asked for and the record is the element itself (see RecordText). */
  text?: RecordText;
}

export interface SplitFile {
  format: FileFormat;
  records: RawRecord[];
}

/** Prefix of the reason given for elements that are not CloudTrail at all (as opposed to damaged records). */
export const NOT_CLOUDTRAIL = 'not a CloudTrail record';

/**
 * Fields only CloudTrail records carry at top level; at least one makes a record. eventSource and
 * eventName alone do not: descriptions and rule metadata (TrailDiscover, Sigma) carry them too.
 */
const STRONG_FIELDS = ['eventVersion', 'eventTime', 'userIdentity', 'eventID'] as const;

function hasAny(o: JsonObject, fields: readonly string[]): boolean {
  for (const f of fields) if (o[f] !== undefined) return true;
  return false;
}

/** Unwraps one element into a CloudTrail record; a string is the reason it is not one. */
export function unwrapRecord(value: unknown): { record: JsonObject; envelope: RecordEnvelope } | string {
  if (!isObject(value)) {
    return `${NOT_CLOUDTRAIL}: expected a JSON object, found ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`;
  }
  if (typeof value.eventSource === 'string' && value.eventSource.startsWith('aws:')) {
    // S3, SNS and SQS event notifications share field names with CloudTrail (eventVersion 2.x).
    return `${NOT_CLOUDTRAIL}: eventSource "${value.eventSource.slice(0, 40)}" marks an AWS event notification (S3/SNS/SQS), not an API call record`;
  }
  if (hasAny(value, STRONG_FIELDS)) {
    const shipped = value.eventTime === undefined && typeof value['@timestamp'] === 'string';
    return { record: value, envelope: shipped ? 'log-shipper' : 'none' };
  }
  if (typeof value.CloudTrailEvent === 'string') {
    let inner: unknown;
    try {
      inner = JSON.parse(value.CloudTrailEvent);
    } catch (err) {
      return `CloudTrailEvent is not valid JSON (${(err as Error).message})`;
    }
    if (!isObject(inner)) return 'CloudTrailEvent does not hold a JSON object';
    return { record: inner, envelope: 'lookup-event' };
  }
  if (isObject(value.detail) && typeof value['detail-type'] === 'string' && hasAny(value.detail, STRONG_FIELDS)) {
    return { record: value.detail, envelope: 'eventbridge' };
  }
  if (isObject(value.event) && hasAny(value.event, STRONG_FIELDS)) {
    return { record: value.event, envelope: 'event-field' };
  }
  // Filebeat/Logstash (`message`) and Fluent Bit (`log`) forward an unparsed line as a string.
  for (const field of ['message', 'log'] as const) {
    const line = value[field];
    if (typeof line !== 'string' || !line.startsWith('{')) continue;
    let inner: unknown;
    try {
      inner = JSON.parse(line);
    } catch {
      continue;
    }
    if (isObject(inner) && hasAny(inner, STRONG_FIELDS)) return { record: inner, envelope: 'log-shipper' };
  }
  if (isLowerCased(value) || isLowerCased(value.event) || isLowerCased(value.detail)) {
    return `${NOT_CLOUDTRAIL} as written: its field names are lower-cased (eventtime, eventversion...), as data-lake and SQL exports do; export the records with CloudTrail's original field names`;
  }
  return `${NOT_CLOUDTRAIL}: none of eventVersion, eventTime, userIdentity, eventID is present, and no known envelope (CloudTrailEvent, EventBridge detail, event, message, log) holds one`;
}

function isLowerCased(value: unknown): boolean {
  return isObject(value) && (value.eventtime !== undefined || value.eventversion !== undefined);
}

function unwrapAll(items: unknown[], file: string, texts?: readonly (RecordText | undefined)[] | null): RawRecord[] {
  const out: RawRecord[] = new Array(items.length);
  let streak = 0;
  for (let i = 0; i < items.length; i++) {
    const u = unwrapRecord(items[i]);
    if (typeof u === 'string') {
      out[i] = { index: i, reason: u, foreign: u.startsWith(NOT_CLOUDTRAIL) };
      if (++streak >= MAX_CONSECUTIVE_REJECTS) throw tooManyRejected(file, i, u, items.length);
    } else {
      const text = texts && u.record === items[i] ? texts[i] : undefined;
      out[i] = text ? { index: i, record: u.record, envelope: u.envelope, text } : { index: i, record: u.record, envelope: u.envelope };
      streak = 0;
    }
  }
  return out;
}

/** The file is given up: MAX_CONSECUTIVE_REJECTS records in a row could not be read. */
export function tooManyRejected(file: string, lastIndex: number, reason: string, total?: number): ParseError {
  const first = lastIndex - MAX_CONSECUTIVE_REJECTS + 1;
  return new ParseError(
    'too-many-rejected',
    file,
    `${MAX_CONSECUTIVE_REJECTS} consecutive records were rejected (records ${first} to ${lastIndex}${total !== undefined ? ` of ${total}` : ''}; the last because: ${reason}); the rest of the file was not read`,
    'the file is damaged or is not CloudTrail: check what produced it; a CloudTrail file never holds that many unreadable records in a row',
  );
}

export function isDigest(o: JsonObject): boolean {
  return o.Records === undefined && typeof o.digestStartTime === 'string' && Array.isArray(o.logFiles);
}

/**
 * Splits decoded text into records by content. Returns null when the text is not JSON-like at
 * all (the caller reports it as not CloudTrail); throws ParseError for JSON-looking text that is
 * broken, since that is a damaged file rather than a foreign one.
 */
export function splitRecords(text: string, file: string, opts: { recordTexts?: boolean; bytes?: Uint8Array } = {}): SplitFile | null {
  const first = firstNonSpace(text);
  if (first !== '{' && first !== '[') return null;
  assertPlausibleDensity(text, file);
  let whole: unknown;
  let wholeError: Error | undefined;
  try {
    whole = JSON.parse(text);
  } catch (err) {
    wholeError = err as Error;
  }
  if (wholeError) return splitLines(text, file, wholeError);
  if (Array.isArray(whole)) return { format: 'json-array', records: unwrapAll(whole, file) };
  if (!isObject(whole)) return null;
  if (whole.Records !== undefined) {
    if (!Array.isArray(whole.Records)) {
      throw new ParseError(
        'malformed-cloudtrail',
        file,
        `"Records" is ${whole.Records === null ? 'null' : `a ${typeof whole.Records}`}, not an array`,
        'a CloudTrail delivery file is {"Records":[...]}; check what produced this file',
      );
    }
    // Each record's own text, for a store that keeps raw records as JSON (ParseOptions.recordTexts).
    let texts = opts.recordTexts ? deliveryRecordTexts(text, opts.bytes) : null;
    if (texts && texts.length !== whole.Records.length) texts = null;
    return { format: 'cloudtrail', records: unwrapAll(whole.Records, file, texts) };
  }
  if (Array.isArray(whole.Events) && !hasAny(whole, STRONG_FIELDS)) {
    return { format: 'lookup-events', records: unwrapAll(whole.Events, file) };
  }
  if (isDigest(whole)) return { format: 'digest', records: [] };
  if (typeof unwrapRecord(whole) !== 'string') return { format: 'json-object', records: unwrapAll([whole], file) };
  return null;
}

/**
 * Bytes per JSON object or array, on average over a big file, below which it cannot be CloudTrail.
 * A CloudTrail record takes a kilobyte or more with some twenty objects and arrays, about one per
 * 50-100 bytes. `[{},{},…]` packs one every 3 bytes, and V8 takes 22 s and gigabytes to parse
 * ten million of them, so such a file is refused before it is parsed.
 */
const MIN_BYTES_PER_CONTAINER = 16;
const DENSITY_CHECK_ABOVE = 1024 * 1024;

function assertPlausibleDensity(text: string, file: string): void {
  if (text.length <= DENSITY_CHECK_ABOVE) return;
  let containers = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) containers++; // '{' or '['
  }
  if (containers * MIN_BYTES_PER_CONTAINER <= text.length) return;
  throw new ParseError(
    'too-many-rejected',
    file,
    `the file holds ${containers} JSON objects and arrays in ${text.length} characters (one every ${(text.length / containers).toFixed(1)}); CloudTrail records take hundreds of bytes each, so this cannot be CloudTrail and was not parsed`,
    'the file is damaged or is not CloudTrail: check what produced it',
  );
}

function splitLines(text: string, file: string, wholeError: Error): SplitFile {
  const records: RawRecord[] = [];
  let start = 0;
  let lineNo = 0;
  let sawRecordLine = false;
  let streak = 0;
  const rejectLine = (entry: RawRecord & { reason: string }) => {
    records.push(entry);
    if (++streak >= MAX_CONSECUTIVE_REJECTS) throw tooManyRejected(file, entry.index, entry.reason);
  };
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      // If the very first line is not a complete JSON value, this is one broken JSON document
      // (pretty-printed or not), not NDJSON: report it as such, with the position.
      if (!sawRecordLine) throw malformed(text, file, wholeError);
      rejectLine({ index: records.length, line: lineNo, reason: `line ${lineNo} is not valid JSON (${(err as Error).message})` });
      continue;
    }
    if (!sawRecordLine && !isObject(value)) throw malformed(text, file, wholeError);
    sawRecordLine = true;
    const u = unwrapRecord(value);
    if (typeof u === 'string') {
      rejectLine({ index: records.length, line: lineNo, reason: `line ${lineNo}: ${u}`, foreign: u.startsWith(NOT_CLOUDTRAIL) });
    } else {
      records.push({ index: records.length, line: lineNo, record: u.record, envelope: u.envelope });
      streak = 0;
    }
  }
  return { format: 'ndjson', records };
}

function malformed(text: string, file: string, err: Error): ParseError {
  const where = positionOf(text, err.message);
  return new ParseError(
    'malformed-json',
    file,
    `the file is not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''} (${err.message})`,
    'the file is damaged or was edited by hand: fix the JSON at that position or re-export it from the source; a truncated file must be downloaded again',
    { cause: err },
  );
}

function positionOf(text: string, message: string): { line: number; column: number } | null {
  const m = /position (\d+)/.exec(message);
  if (!m) return null;
  const pos = Math.min(Number(m[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1 };
}

function firstNonSpace(text: string): string {
  const m = /\S/.exec(text.length > 4096 ? text.slice(0, 4096) : text);
  return m ? m[0] : '';
}

/** The records' common envelope, or 'mixed'. */
export function envelopeOf(records: RawRecord[]): RecordEnvelope | 'mixed' {
  let found: RecordEnvelope | undefined;
  for (const r of records) {
    if (!r.envelope) continue;
    if (found === undefined) found = r.envelope;
    else if (found !== r.envelope) return 'mixed';
  }
  return found ?? 'none';
}
