import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../model/index.js';
import { mapEventToActions } from './actions/index.js';
import { bool, isObject, obj, str } from './fields.js';
import type { JsonObject } from './fields.js';
import { resolveIdentity } from './identity.js';
import { MAX_FUTURE_MS, recordLimitViolation } from './limits.js';

/** Facts known from outside the record (the file's key), used only where the record is silent. */
export interface RecordContext {
  /** The account folder of the key; fills recipientAccountId for records older than eventVersion 1.02. */
  accountId?: string;
  /** When the record is read (ISO-8601; default now): an eventTime more than a day later is rejected. */
  receivedAt?: string;
}

/** A record that cannot become an event. The file's other records are unaffected. */
export class RecordRejected extends Error {
  override readonly name = 'RecordRejected';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Compares CloudTrail eventVersions numerically ("1.10" > "1.9"); missing parts count as 0.
 * Versions that are not dotted numbers sort before every real version.
 */
export function compareEventVersion(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  if (!pa || !pb) return (pa ? 1 : 0) - (pb ? 1 : 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function versionParts(v: string): number[] | null {
  if (!/^\d+(\.\d+)*$/.test(v.trim())) return null;
  return v.trim().split('.').map(Number);
}

/** Normalises one CloudTrail record. Throws RecordRejected when the record cannot be an event. */
export function normalizeRecord(raw: Record<string, unknown>, context: RecordContext = {}): NormalizedEvent {
  const result = tryNormalize(raw, context);
  if (typeof result === 'string') throw new RecordRejected(result);
  return result;
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
// Zone optional: CloudTrail's eventTime is UTC by definition, and the tools that reformat it
// (Panther, Athena, SQL exports) drop the Z but do not convert the value.
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The non-throwing core: an event, or the reason the record was rejected.
 *
 * Before anything reads it, a record must keep within the limits of limits.ts (nesting depth,
 * string length), and its eventTime may lie at most a day after it is read.
 *
 * Rejection policy: a record is kept only with a real eventTime (an ISO-8601 time, read as UTC
 * when it has no zone; or a log shipper's `@timestamp` when eventTime is gone), eventSource and
 * eventName, because without them it cannot be placed in time or mapped to a permission, and
 * inventing values would corrupt last-used dates. Everything else is best-effort: missing eventID gets a derived stable id,
 * missing awsRegion becomes '', odd values are kept verbatim.
 */
export function tryNormalize(raw: JsonObject, context: RecordContext = {}): NormalizedEvent | string {
  const overLimit = recordLimitViolation(raw);
  if (overLimit) return overLimit;
  const eventType = str(raw.eventType);
  const insight = obj(raw.insightDetails);
  const isInsight = raw.eventCategory === 'Insight' || eventType === 'AwsCloudTrailInsight';

  const version = versionOf(raw.eventVersion);
  // AWS: the major version changes only for incompatible formats; we read major version 1.
  if (version !== null && !/^1(\.|$)/.test(version.trim())) {
    return `eventVersion "${clip(version)}" is not a CloudTrail 1.x record; CloudTrail has only ever used major version 1`;
  }
  const timed = eventTimeOf(raw);
  if ('reason' in timed) return timed.reason;
  const time = timed.time;
  const receivedMs = context.receivedAt ? Date.parse(context.receivedAt) : Date.now();
  if (Date.parse(time) - receivedMs > MAX_FUTURE_MS) {
    return `eventTime ${time} lies more than a day after the record was read (${new Date(receivedMs).toISOString()}); CloudTrail delivers events minutes after they happen`;
  }
  // Insight records describe someone else's calls; their source and name live in insightDetails.
  const eventSource = str(raw.eventSource) ?? (isInsight ? str(insight?.eventSource) : null);
  if (!eventSource) return missingReason(raw, 'eventSource');
  const eventName = str(raw.eventName) ?? (isInsight ? str(insight?.eventName) : null);
  if (!eventName) return missingReason(raw, 'eventName');

  const identity = resolveIdentity(raw);
  // An Insight is a statistic about API calls, not a call: it exercises no permission.
  const mapping = isInsight ? { actions: [], resources: [] } : mapEventToActions(raw);
  const recipient = str(raw.recipientAccountId) ?? context.accountId ?? null;

  return {
    eventID: idOf(raw),
    eventTime: time,
    eventVersion: version,
    eventSource,
    eventName,
    eventType,
    eventCategory: categoryOf(raw, isInsight),
    awsRegion: str(raw.awsRegion) ?? '',
    recipientAccountId: recipient,
    readOnly: bool(raw.readOnly),
    errorCode: str(raw.errorCode) ?? consoleSignInFailure(raw),
    errorMessage: str(raw.errorMessage),
    sourceIPAddress: str(raw.sourceIPAddress),
    userAgent: str(raw.userAgent),
    identityType: identity.identityType,
    principalArn: identity.principalArn,
    principalAccountId: identity.principalAccountId,
    sessionName: identity.sessionName,
    invokedBy: identity.invokedBy,
    accessKeyId: identity.accessKeyId,
    mfaAuthenticated: identity.mfaAuthenticated,
    actions: mapping.actions,
    resources: mapping.resources,
    raw,
  };
}

/** The eventTime in canonical form (second precision unless the source had more), or why not. */
function eventTimeOf(raw: JsonObject): { time: string } | { reason: string } {
  // Log shippers (Logstash, Filebeat) can move eventTime into their own @timestamp.
  const field = raw.eventTime !== undefined ? 'eventTime' : '@timestamp';
  const value = raw[field];
  if (value === undefined || value === null || value === '') return { reason: missingReason(raw, 'eventTime') };
  if (typeof value !== 'string') return { reason: `${field} is a ${typeof value}, not an ISO-8601 string` };
  if (CANONICAL_TIME.test(value)) {
    if (!isRealCanonicalTime(value)) return { reason: `${field} "${clip(value)}" is not a valid date` };
    return { time: value };
  }
  const m = ISO_TIME.exec(value.trim());
  if (!m) return { reason: `${field} "${clip(value)}" is not an ISO-8601 time (e.g. 2024-01-31T12:00:00Z)` };
  const [, date, clock, fraction, zone] = m;
  const millis = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  let offset = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone;
  if (offset.length === 5) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const ms = Date.parse(`${date}T${clock}${millis}${offset}`);
  if (Number.isNaN(ms)) return { reason: `${field} "${clip(value)}" is not a valid date` };
  const iso = new Date(ms).toISOString();
  return { time: iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso };
}

/**
 * Whether a YYYY-MM-DDTHH:MM:SSZ string names a real instant (Date.parse rolls 2024-02-30 over to
 * March). Checked on the digits: every record's time passes here, and a Date round trip cost
 * about 4 % of parsing a file.
 */
export function isRealCanonicalTime(v: string): boolean {
  const year = twoDigits(v, 0) * 100 + twoDigits(v, 2);
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  if (twoDigits(v, 11) > 23 || twoDigits(v, 14) > 59 || twoDigits(v, 17) > 59) return false;
  if (month !== 2) return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (leap ? 29 : 28);
}

function twoDigits(v: string, at: number): number {
  return (v.charCodeAt(at) - 48) * 10 + v.charCodeAt(at + 1) - 48;
}

function missingReason(raw: JsonObject, field: string): string {
  if (raw[field.toLowerCase()] !== undefined) {
    return `${field} is missing but "${field.toLowerCase()}" is present: field names were lower-cased (a data-lake or SQL export?); export the records with CloudTrail's original field names`;
  }
  const value = raw[field];
  if (value !== undefined && value !== null && value !== '') return `${field} is a ${typeof value}, not a string`;
  return `${field} is missing; every CloudTrail record has it, so this is a partial or non-CloudTrail record`;
}

function categoryOf(raw: JsonObject, isInsight: boolean): string {
  const category = str(raw.eventCategory);
  if (category) return category;
  if (isInsight) return 'Insight';
  // eventCategory arrived in 1.07. Before that, data events (S3 object calls, Lambda Invoke)
  // were told apart only by managementEvent: false (1.06+); everything else was Management.
  return raw.managementEvent === false || raw.managementEvent === 'false' ? 'Data' : 'Management';
}

function versionOf(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function idOf(raw: JsonObject): string {
  const id = raw.eventID;
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  // Stable across re-imports of the same record, so the store's eventID dedup still works.
  return `derived-${createHash('sha256').update(canonicalJson(raw)).digest('hex')}`;
}

/** JSON with object keys sorted at every level, so key order does not change the derived id. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = value[k];
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/**
 * CloudTrail records a failed console sign-in without an errorCode: the failure is only in
 * responseElements (`{"ConsoleLogin":"Failure"}`, also for CheckMfa and similar sign-in steps).
 * Without a code the analysers would count a failed password guess as activity.
 */
function consoleSignInFailure(raw: Record<string, unknown>): string | null {
  if (raw.eventSource !== 'signin.amazonaws.com') return null;
  const response = raw.responseElements;
  if (!response || typeof response !== 'object') return null;
  const outcome = Object.values(response as Record<string, unknown>).find((v) => v === 'Failure');
  return outcome ? 'SignInFailure' : null;
}
