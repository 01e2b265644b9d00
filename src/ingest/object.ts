/**
 * Imports one S3 object: the unit the SQS worker, backfill and the completeness audit share.
 *
 *   const r = await processObject({ store, clients, connector, bucket, key, etag, size });
 *
 * Exactly-once for events: the file's events, its record and its account's counters are
 * committed in one transaction (store.events.commit) with dedup on eventID, so a redelivered notification, an
 * overlapping backfill or a concurrent second worker adds nothing. A file already done with the
 * same ETag is not even downloaded.
 *
 * Throws SourceError: 'permanent' (NoSuchKey, corrupt gzip, invalid JSON, not a CloudTrail
 * file...: the file is recorded as failed, retrying cannot help) or 'transient' (throttling,
 * network, AccessDenied/KMS: nothing recorded, retry later). Callers delete a queue message only
 * after every key of it returned; they report health problems from the error's code.
 */
import type { Store, FileRecord } from '../store/index.js';
import type { FileKind } from '../model/index.js';
import { classifyKey } from '../parse/index.js';
import { fetchObject, SourceError } from '../sources/index.js';
import type { S3Clients, FetchOptions } from '../sources/index.js';
import type { ObjectJob, ParsedObject } from './object-parse.js';
import { fitsWorker } from './parse-pool.js';
import type { ParsePool } from './parse-pool.js';
import { runParseTask } from './parse-task.js';

export interface ProcessObjectInput {
  store: Store;
  clients: S3Clients;
  /** Connector name (counters and file records are kept per connector). */
  connector: string | { name: string };
  bucket: string;
  /** URL-decoded key. */
  key: string;
  /** ETag from the notification or listing, when known: lets a done file be skipped unread. */
  etag?: string;
  size?: number;
  signal?: AbortSignal;
  fetch?: FetchOptions;
  now?: () => Date;
  /**
   * Parse and encode on these worker threads (live ingestion), so this thread only fetches and
   * commits; without it, or for a file too big for a worker's heap, on this thread.
   */
  parsePool?: ParsePool;
}

export type ProcessStatus =
  /** Events committed (some or all may have been duplicates). */
  | 'done'
  /** Recorded without events: a digest, or content that is not an event file outside the CloudTrail folder. */
  | 'skipped'
  /** Already done with the same ETag: nothing fetched. */
  | 'duplicate-file';

export interface ProcessObjectResult {
  status: ProcessStatus;
  /** Events new to the store. */
  inserted: number;
  /** Events already stored (redelivery, overlap, or CloudTrail's own duplicates). */
  duplicates: number;
  /** Events read from the file. */
  events: number;
  /** Records the parser rejected (kept out, with reasons, never silently). */
  rejected: number;
  /** Duplicates whose content differs from the event kept under their eventID and time. */
  conflicts?: { count: number; eventIds: string[] };
  kind: FileKind;
  /** Account folder of the key (member account for organization trails), or from the records. */
  accountId: string | null;
  etag?: string;
  bytes?: number;
}

export async function processObject(input: ProcessObjectInput): Promise<ProcessObjectResult> {
  const { store, bucket, key } = input;
  const connector = typeof input.connector === 'string' ? input.connector : input.connector.name;
  const now = input.now ?? (() => new Date());
  const info = classifyKey(key);
  const keyAccount = info.accountId ?? null;

  const previous = await store.files.get(bucket, key);
  if (previous && (previous.status === 'done' || previous.status === 'skipped') && (input.etag === undefined || previous.etag === undefined || previous.etag === input.etag)) {
    if (keyAccount) await store.ingest.bumpCounters({ connector, accountId: keyAccount, messageAt: now().toISOString() });
    return {
      status: 'duplicate-file',
      inserted: 0,
      duplicates: 0,
      events: 0,
      rejected: 0,
      kind: previous.kind,
      accountId: previous.accountId ?? keyAccount,
      ...(previous.etag ? { etag: previous.etag } : {}),
    };
  }

  const base = (): Omit<FileRecord, 'status' | 'kind' | 'eventCount' | 'newEvents'> => ({
    source: bucket,
    key,
    connector,
    accountId: keyAccount,
    processedAt: now().toISOString(),
    ...(input.size !== undefined ? { size: input.size } : {}),
    ...(input.etag !== undefined ? { etag: input.etag } : {}),
  });

  // Digests carry no events: recorded without a download.
  if (info.kind === 'digest') {
    await store.files.record({ ...base(), status: 'skipped', kind: 'digest', eventCount: 0, newEvents: 0 });
    return { status: 'skipped', inserted: 0, duplicates: 0, events: 0, rejected: 0, kind: 'digest', accountId: keyAccount };
  }

  const fail = async (err: SourceError): Promise<never> => {
    if (err.kind === 'permanent') {
      await store.files.record({ ...base(), status: 'failed', kind: info.kind, eventCount: 0, newEvents: 0, error: `${err.code}: ${err.reason} (fix: ${err.fix})` });
    }
    if (keyAccount) await store.ingest.bumpCounters({ connector, accountId: keyAccount, errorKind: err.code });
    throw err;
  };

  let fetched;
  try {
    fetched = await fetchObject(input.clients, bucket, key, { ...input.fetch, ...(input.signal ? { signal: input.signal } : {}) });
  } catch (err) {
    if (err instanceof SourceError) return fail(err);
    throw err;
  }
  const etag = fetched.etag ?? input.etag;
  const record = { ...base(), size: fetched.size, ...(etag ? { etag } : {}) };

  const job: ObjectJob = { type: 'object', bytes: fetched.bytes, key, connector, keyAccount, record, at: now().toISOString(), encoder: store.events.encoder };
  const parsed: ParsedObject = input.parsePool && fitsWorker(fetched.bytes) ? await input.parsePool.run(job) : await runParseTask(job);

  if (parsed.outcome === 'parse-error') return fail(new SourceError('permanent', parsed.code, parsed.reason, parsed.fix, bucket, key));
  if (parsed.outcome === 'bug') {
    if (parsed.stage === 'parse') {
      return fail(new SourceError('permanent', 'parse-error', parsed.message, 'report this as a bug, with the file if you can share it', bucket, key));
    }
    // An event the store cannot encode: not the file's fault; retried, then quarantined with the reason.
    throw new Error(`s3://${bucket}/${key}: ${parsed.message}`);
  }
  if (parsed.outcome === 'no-events') {
    if (info.kind === 'events' || info.kind === 'insight') {
      // A key in the CloudTrail folder must hold events: anything else is a damaged or foreign file.
      return fail(
        new SourceError(
          'permanent',
          'not-cloudtrail',
          `the object is under a CloudTrail log folder but holds no CloudTrail records (${parsed.note ?? parsed.kind})`,
          'check what wrote this object; CloudTrail log files are gzip JSON of the form {"Records":[...]}',
          bucket,
          key,
        ),
      );
    }
    await store.files.record({ ...record, status: 'skipped', kind: parsed.kind, eventCount: 0, newEvents: 0, ...(parsed.note ? { error: parsed.note } : {}) });
    return { status: 'skipped', inserted: 0, duplicates: 0, events: 0, rejected: parsed.rejected, kind: parsed.kind, accountId: keyAccount, ...(etag ? { etag } : {}), bytes: fetched.size };
  }

  const result = (await store.events.commit(parsed.batch))[0]!;
  return {
    status: 'done',
    inserted: result.inserted,
    duplicates: result.duplicates,
    events: parsed.events,
    rejected: parsed.rejected,
    ...(result.conflicts ? { conflicts: result.conflicts } : {}),
    kind: parsed.kind,
    accountId: parsed.accountId,
    ...(etag ? { etag } : {}),
    bytes: fetched.size,
  };
}
