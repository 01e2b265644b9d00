import type { NormalizedEvent, RecordText } from '../../model/index.js';
import { msToTime, timeToMs } from './time.js';

/**
 * The raw record as stored. The eventID, which is in the event row already and is the least
 * compressible part of a record, is replaced by the marker 0 when it is exactly the event's id.
 */
const ID_MARKER = 0;

/**
 * Fields of a NormalizedEvent that usually equal a raw field. Those equal to what {@link derive}
 * computes from the raw record are not stored again; the others go into the row's `extra` JSON.
 */
type DerivedField =
  | 'eventVersion'
  | 'eventType'
  | 'eventCategory'
  | 'awsRegion'
  | 'readOnly'
  | 'errorMessage'
  | 'sourceIPAddress'
  | 'userAgent'
  | 'invokedBy'
  | 'accessKeyId'
  | 'mfaAuthenticated';

const DERIVED_FIELDS: readonly DerivedField[] = [
  'eventVersion',
  'eventType',
  'eventCategory',
  'awsRegion',
  'readOnly',
  'errorMessage',
  'sourceIPAddress',
  'userAgent',
  'invokedBy',
  'accessKeyId',
  'mfaAuthenticated',
];

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined;
}

function orNull(v: unknown): unknown {
  return v === undefined ? null : v;
}

function derive(raw: Record<string, unknown>, name: DerivedField): unknown {
  const identity = raw.userIdentity;
  switch (name) {
    case 'eventCategory': {
      const c = raw.eventCategory;
      if (c !== undefined) return c;
      return raw.managementEvent === false || raw.managementEvent === 'false' ? 'Data' : 'Management';
    }
    case 'awsRegion':
      return raw.awsRegion === undefined ? '' : raw.awsRegion;
    case 'invokedBy':
      return orNull(field(identity, 'invokedBy'));
    case 'accessKeyId':
      return orNull(field(identity, 'accessKeyId'));
    case 'mfaAuthenticated': {
      const v = field(field(field(identity, 'sessionContext'), 'attributes'), 'mfaAuthenticated');
      return v === true || v === 'true' ? true : v === false || v === 'false' ? false : null;
    }
    default:
      return orNull(raw[name]);
  }
}

/** What the columns do not hold: fields that differ from their derivation, and the id marker clash. */
export interface Extra {
  f?: Partial<Record<DerivedField, unknown>>;
  /** The raw record's own eventID is literally the marker value; do not substitute it. */
  keepId?: 1;
  /** eventTime as given, when it is not the canonical form of its milliseconds. */
  t?: string;
}

export interface EncodedRaw {
  line: string;
  extra: string | null;
}

/** The stored id marker in place of a top-level `"eventID":"<id>"`, as JSON text. */
const ID_MARKER_TEXT = `"eventID":${ID_MARKER}`;
/** Ids written the same in JSON and in a string literal (no quote, backslash or control character). */
const PLAIN_ID = /^[\w.:@+=/-]+$/;

/** A run of a record's own text: [start, end) of source.text, and of source.bytes when it has them. */
export interface TextRun {
  source: RecordText;
  start: number;
  end: number;
}

/** A piece of a stored line: text to write, or a run of the record's own text to copy. */
export type RawPiece = string | TextRun;

export function pieceText(piece: RawPiece): string {
  return typeof piece === 'string' ? piece : piece.source.text.slice(piece.start, piece.end);
}

/**
 * The stored line from the record's own text (see RecordText), as pieces to write one after the
 * other (runs of the file's text: nothing is copied until they are written), or undefined
 * when the text cannot be used as it is. It parses to the same object as JSON.stringify(raw)
 * would, but for numbers JSON.stringify would have changed (1e400 stays 1e400 rather than null).
 */
function piecesFromText(e: NormalizedEvent, source: RecordText): RawPiece[] | undefined {
  const { text, start, end, idAt } = source;
  if (typeof e.raw.eventID !== 'string' || e.raw.eventID !== e.eventID) return [{ source, start, end }];
  if (idAt < 0 || !PLAIN_ID.test(e.eventID)) return undefined;
  const idText = `"eventID":"${e.eventID}"`;
  if (!text.startsWith(idText, idAt)) return undefined;
  return [{ source, start, end: idAt }, ID_MARKER_TEXT, { source, start: idAt + idText.length, end }];
}

export function encodeRaw(e: NormalizedEvent, source?: RecordText): EncodedRaw {
  const { pieces, extra } = encodeRawPieces(e, source);
  return { line: pieces.map(pieceText).join(''), extra };
}

/**
 * encodeRaw with the line in pieces, to be written one after the other (ChunkBuilder); `ms` is
 * the eventTime in ms when the caller has it already.
 */
export function encodeRawPieces(e: NormalizedEvent, source?: RecordText, ms = timeToMs(e.eventTime)): { pieces: RawPiece[]; extra: string | null } {
  const raw = e.raw;
  const extra: Extra = {};
  for (const name of DERIVED_FIELDS) {
    const value = e[name];
    if (derive(raw, name) !== value) (extra.f ??= {})[name] = value;
  }
  if (msToTime(ms) !== e.eventTime) extra.t = e.eventTime;
  let pieces: RawPiece[] | undefined = source ? piecesFromText(e, source) : undefined;
  if (pieces !== undefined) {
    if (raw.eventID === ID_MARKER) extra.keepId = 1;
  } else {
    let line: string | undefined;
    if (typeof raw.eventID === 'string' && raw.eventID === e.eventID) {
      raw.eventID = ID_MARKER;
      try {
        line = JSON.stringify(raw);
      } finally {
        raw.eventID = e.eventID;
      }
    } else {
      if (raw.eventID === ID_MARKER) extra.keepId = 1;
      line = JSON.stringify(raw);
    }
    if (line === undefined) throw new Error(`event ${e.eventID}: raw record is not JSON-serialisable`);
    pieces = [line];
  }
  return { pieces, extra: extra.f || extra.keepId || extra.t ? JSON.stringify(extra) : null };
}

/** The columns an event row holds, decoded. */
export interface EventColumns {
  eventID: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  recipientAccountId: string | null;
  errorCode: string | null;
  identityType: string | null;
  principalArn: string | null;
  principalAccountId: string | null;
  sessionName: string | null;
  actions: string[];
  resources: string[];
}

export function decodeEvent(cols: EventColumns, line: string, extraJson: string | null): NormalizedEvent {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const extra: Extra = extraJson ? (JSON.parse(extraJson) as Extra) : {};
  if (raw.eventID === ID_MARKER && !extra.keepId) raw.eventID = cols.eventID;
  const f = extra.f ?? {};
  return eventOf(cols, extra.t ?? cols.eventTime, (name) => (name in f ? f[name] : derive(raw, name)), raw);
}

/**
 * An event from the indexed columns alone (EventQuery.columnsOnly): no raw record is read, so the
 * fields the record would give are null ('Management' and '' where the type has no null).
 */
export function columnsOnlyEvent(cols: EventColumns): NormalizedEvent {
  // Spelled out rather than eventOf's lookups: the commit hook builds one for many events.
  return {
    eventID: cols.eventID,
    eventTime: cols.eventTime,
    eventVersion: null,
    eventSource: cols.eventSource,
    eventName: cols.eventName,
    eventType: null,
    eventCategory: 'Management',
    awsRegion: '',
    recipientAccountId: cols.recipientAccountId,
    readOnly: null,
    errorCode: cols.errorCode,
    errorMessage: null,
    sourceIPAddress: null,
    userAgent: null,
    identityType: cols.identityType,
    principalArn: cols.principalArn,
    principalAccountId: cols.principalAccountId,
    sessionName: cols.sessionName,
    invokedBy: null,
    accessKeyId: null,
    mfaAuthenticated: null,
    actions: cols.actions,
    resources: cols.resources,
    raw: {},
  };
}

/**
 * One object literal, in NormalizedEvent's field order, rather than a spread: analysers read
 * hundreds of thousands of events, and objects of one literal shape are several times cheaper.
 */
function eventOf(cols: EventColumns, eventTime: string, get: (name: DerivedField) => unknown, raw: Record<string, unknown>): NormalizedEvent {
  return {
    eventID: cols.eventID,
    eventTime,
    eventVersion: get('eventVersion') as string | null,
    eventSource: cols.eventSource,
    eventName: cols.eventName,
    eventType: get('eventType') as string | null,
    eventCategory: get('eventCategory') as string,
    awsRegion: get('awsRegion') as string,
    recipientAccountId: cols.recipientAccountId,
    readOnly: get('readOnly') as boolean | null,
    errorCode: cols.errorCode,
    errorMessage: get('errorMessage') as string | null,
    sourceIPAddress: get('sourceIPAddress') as string | null,
    userAgent: get('userAgent') as string | null,
    identityType: cols.identityType,
    principalArn: cols.principalArn,
    principalAccountId: cols.principalAccountId,
    sessionName: cols.sessionName,
    invokedBy: get('invokedBy') as string | null,
    accessKeyId: get('accessKeyId') as string | null,
    mfaAuthenticated: get('mfaAuthenticated') as boolean | null,
    actions: cols.actions,
    resources: cols.resources,
    raw,
  };
}
