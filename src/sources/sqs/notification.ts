/**
 * Parses an SQS message body into the S3 objects it announces. Pure: no I/O.
 *
 * Accepted shapes (see ../shared/reference/ingestion.md §1):
 * - an S3 event notification `{"Records":[...]}` (eventVersion major 2, only `ObjectCreated:*`);
 * - the `s3:TestEvent` S3 sends when a notification rule is saved → `{kind:'test'}`;
 * - an SNS envelope (raw delivery off): `Type: "Notification"` with `Message` a JSON string,
 *   parsed again; it may wrap any of the other shapes;
 * - CloudTrail's own SNS notification `{"s3Bucket", "s3ObjectKey": [...]}` (several files);
 * - an EventBridge `Object Created` event from `aws.s3`.
 *
 * Keys:
 * - S3 event notification keys are URL-encoded: `+` is a space, then %XX. We turn `+` into a
 *   space first and then percent-decode (Vector's order), so `a%2Bb+c` becomes `a+b c`.
 * - CloudTrail notification keys are plain keys (taken as they are).
 * - EventBridge keys are documented as plain keys and taken as they are. Because that is not
 *   verified against AWS, when the key looks encoded (it contains `%XX` or `+`), the decoded
 *   form is carried as `altKey`: the worker tries it only if the key as given does not exist.
 *
 * Routing by key (classifyKey): CloudTrail event, digest and Insight keys become `files` (the
 * file processor skips digests and keeps Insights apart); any other key is listed in `ignored`
 * with the reason, so it can be counted, never silently dropped.
 *
 * A body that is none of these (not JSON, unknown JSON, a broken record) throws
 * NotificationError: a permanent failure, to be quarantined with its reason and fix.
 */
import { z } from 'zod';
import { classifyKey } from '../../model/index.js';
import type { FileKind } from '../../model/index.js';

export interface NotifiedFile {
  bucket: string;
  /** The decoded object key. */
  key: string;
  etag?: string;
  size?: number;
  /** Another spelling of the key to try when `key` does not exist (EventBridge, see above). */
  altKey?: string;
  /** What the key layout says the file holds. */
  fileKind: Exclude<FileKind, 'other'>;
}

export interface IgnoredKey {
  bucket: string;
  key: string;
  reason: string;
}

export type NotificationShape = 's3' | 'sns' | 'cloudtrail-sns' | 'eventbridge' | 's3-test';

export type Notification =
  | { kind: 'files'; files: NotifiedFile[]; ignored: IgnoredKey[]; shape: NotificationShape }
  | { kind: 'test'; shape: NotificationShape; bucket?: string }
  | { kind: 'ignored'; reason: string; ignored: IgnoredKey[]; shape: NotificationShape };

/** A body that cannot be understood. Permanent: retrying will not change it. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
  constructor(
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${reason} (fix: ${fix})`);
  }
}

const FIX_UNKNOWN =
  'point only S3 event notifications, CloudTrail SNS notifications or EventBridge "Object Created" events at this queue; the body is kept in quarantine (trailscope status) for inspection';

// ---- shapes (zod at the edge; unknown fields are ignored, passthrough is not needed) ----

const s3Record = z.object({
  eventVersion: z.string(),
  eventSource: z.string().optional(),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().nonnegative().optional(),
      eTag: z.string().optional(),
    }),
  }),
});
const s3Event = z.object({ Records: z.array(z.unknown()) });

const s3Test = z.object({ Event: z.literal('s3:TestEvent'), Bucket: z.string().optional() });

const snsEnvelope = z.object({ Type: z.literal('Notification'), Message: z.string() });

const cloudTrailSns = z.object({
  s3Bucket: z.string().min(1),
  s3ObjectKey: z.union([z.array(z.string().min(1)), z.string().min(1)]),
});

const eventBridge = z.object({
  source: z.string(),
  'detail-type': z.string(),
  detail: z.unknown(),
});
const eventBridgeObjectCreated = z.object({
  bucket: z.object({ name: z.string().min(1) }),
  object: z.object({
    key: z.string().min(1),
    size: z.number().nonnegative().optional(),
    etag: z.string().optional(),
  }),
});

/** `+` → space, then percent-decoding. Throws NotificationError on a malformed escape. */
export function decodeS3Key(encoded: string): string {
  const spaced = encoded.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new NotificationError(
      `object key "${encoded}" is not valid URL encoding`,
      'S3 event notifications URL-encode keys; check what produces these messages',
    );
  }
}

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

function route(
  bucket: string,
  key: string,
  extra: { etag?: string; size?: number; altKey?: string },
  files: NotifiedFile[],
  ignored: IgnoredKey[],
): void {
  const info = classifyKey(key);
  let kind = info.kind;
  if (kind === 'other' && extra.altKey) {
    const alt = classifyKey(extra.altKey).kind;
    if (alt !== 'other') kind = alt;
  }
  if (kind === 'other') {
    ignored.push({ bucket, key, reason: 'not a CloudTrail log key (AWSLogs/[o-id/]<account>/CloudTrail[-Digest|-Insight]/...)' });
    return;
  }
  const file: NotifiedFile = { bucket, key, fileKind: kind };
  if (extra.etag !== undefined) file.etag = extra.etag.replace(/^"|"$/g, '');
  if (extra.size !== undefined) file.size = extra.size;
  if (extra.altKey !== undefined && extra.altKey !== key) file.altKey = extra.altKey;
  files.push(file);
}

function result(
  shape: NotificationShape,
  files: NotifiedFile[],
  ignored: IgnoredKey[],
  skippedReason: string | null,
): Notification {
  if (files.length > 0) return { kind: 'files', files, ignored, shape };
  const reason = skippedReason ?? (ignored.length > 0 ? `no CloudTrail keys (${ignored.length} other key(s))` : 'no objects');
  return { kind: 'ignored', reason, ignored, shape };
}

function parseValue(value: unknown, depth: number): Notification {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotificationError('message body is JSON but not an object', FIX_UNKNOWN);
  }
  const obj = value as Record<string, unknown>;

  if (obj.Type !== undefined && 'Message' in obj) {
    const env = snsEnvelope.safeParse(obj);
    if (!env.success) throw new NotificationError(`malformed SNS envelope: ${issues(env.error)}`, FIX_UNKNOWN);
    if (depth > 0) throw new NotificationError('SNS envelope nested in an SNS envelope', FIX_UNKNOWN);
    let inner: unknown;
    try {
      inner = JSON.parse(env.data.Message);
    } catch {
      throw new NotificationError('SNS envelope whose Message is not JSON', FIX_UNKNOWN);
    }
    const parsed = parseValue(inner, depth + 1);
    // Report the shape of what was inside, prefixed by the envelope only for plain S3 events.
    return parsed.shape === 's3' ? { ...parsed, shape: 'sns' } : parsed;
  }

  if (obj.Event === 's3:TestEvent') {
    const t = s3Test.parse(obj);
    return t.Bucket !== undefined ? { kind: 'test', shape: 's3-test', bucket: t.Bucket } : { kind: 'test', shape: 's3-test' };
  }

  if ('Records' in obj) {
    const ev = s3Event.safeParse(obj);
    if (!ev.success) throw new NotificationError(`Records is not an array: ${issues(ev.error)}`, FIX_UNKNOWN);
    const files: NotifiedFile[] = [];
    const ignored: IgnoredKey[] = [];
    const skipped: string[] = [];
    for (const [i, raw] of ev.data.Records.entries()) {
      const rec = s3Record.safeParse(raw);
      if (!rec.success) {
        throw new NotificationError(`Records[${i}] is not an S3 event record: ${issues(rec.error)}`, FIX_UNKNOWN);
      }
      const r = rec.data;
      const major = r.eventVersion.split('.')[0];
      if (major !== '2') {
        throw new NotificationError(
          `unsupported S3 event notification version ${r.eventVersion} (expected 2.x)`,
          'report this to the trailscope maintainers with the message body (trailscope status shows it)',
        );
      }
      if (!r.eventName.startsWith('ObjectCreated:')) {
        skipped.push(r.eventName);
        continue;
      }
      const extra: { etag?: string; size?: number } = {};
      if (r.s3.object.eTag !== undefined) extra.etag = r.s3.object.eTag;
      if (r.s3.object.size !== undefined) extra.size = r.s3.object.size;
      route(r.s3.bucket.name, decodeS3Key(r.s3.object.key), extra, files, ignored);
    }
    const reason = skipped.length > 0 ? `only non-ObjectCreated events (${[...new Set(skipped)].join(', ')})` : null;
    return result('s3', files, ignored, files.length === 0 && ignored.length === 0 ? reason : null);
  }

  if ('s3ObjectKey' in obj || 's3Bucket' in obj) {
    const ct = cloudTrailSns.safeParse(obj);
    if (!ct.success) throw new NotificationError(`malformed CloudTrail notification: ${issues(ct.error)}`, FIX_UNKNOWN);
    const keys = typeof ct.data.s3ObjectKey === 'string' ? [ct.data.s3ObjectKey] : ct.data.s3ObjectKey;
    const files: NotifiedFile[] = [];
    const ignored: IgnoredKey[] = [];
    for (const key of keys) route(ct.data.s3Bucket, key, {}, files, ignored);
    return result('cloudtrail-sns', files, ignored, null);
  }

  if ('detail-type' in obj && 'source' in obj) {
    const eb = eventBridge.safeParse(obj);
    if (!eb.success) throw new NotificationError(`malformed EventBridge event: ${issues(eb.error)}`, FIX_UNKNOWN);
    if (eb.data.source !== 'aws.s3' || eb.data['detail-type'] !== 'Object Created') {
      return { kind: 'ignored', reason: `EventBridge event "${eb.data['detail-type']}" from ${eb.data.source}`, ignored: [], shape: 'eventbridge' };
    }
    const d = eventBridgeObjectCreated.safeParse(eb.data.detail);
    if (!d.success) throw new NotificationError(`malformed EventBridge Object Created event: ${issues(d.error)}`, FIX_UNKNOWN);
    const { bucket, object } = d.data;
    const extra: { etag?: string; size?: number; altKey?: string } = {};
    if (object.etag !== undefined) extra.etag = object.etag;
    if (object.size !== undefined) extra.size = object.size;
    if (/%[0-9A-Fa-f]{2}|\+/.test(object.key)) {
      try {
        extra.altKey = decodeS3Key(object.key);
      } catch {
        // not an encoding after all: the key as given is the only candidate
      }
    }
    const files: NotifiedFile[] = [];
    const ignored: IgnoredKey[] = [];
    route(bucket.name, object.key, extra, files, ignored);
    return result('eventbridge', files, ignored, null);
  }

  throw new NotificationError(
    'message body is not an S3 event notification, SNS envelope, CloudTrail notification or EventBridge event',
    FIX_UNKNOWN,
  );
}

/**
 * Parses one SQS message body. Throws NotificationError (permanent) when the body cannot be
 * understood; the caller quarantines the message with that reason and fix.
 */
export function parseNotification(body: string): Notification {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const preview = body.length > 60 ? `${body.slice(0, 60)}…` : body;
    throw new NotificationError(`message body is not JSON: ${JSON.stringify(preview)}`, FIX_UNKNOWN);
  }
  return parseValue(value, 0);
}
