import type { FileKind, FileRef, NormalizedEvent } from '../model/index.js';
import type { ConnectorStore, FindingStore } from './types-connectors.js';
import type { CoverageStore } from './types-coverage.js';
import type { EvidenceGroup, EvidenceQuery } from './types-evidence.js';
import type { BackfillWorkStore } from './types-backfill.js';
import type { MaintenanceStore } from './types-maintenance.js';
import type { TransferStore } from './types-transfer.js';
import type { AtomicCommitResult, CommitOptions, StoreEncoder, WriteBatch } from './types-write.js';

export type * from './types-connectors.js';
export type * from './types-coverage.js';
export type * from './types-evidence.js';
export type * from './types-backfill.js';
export type * from './types-maintenance.js';
export type * from './types-transfer.js';
export type * from './types-write.js';

/**
 * The store contract. SQLite (embedded default) and PostgreSQL (scale-out) both satisfy it;
 * nothing outside src/store knows which one it talks to. Every method is async so the
 * PostgreSQL implementation fits the same shape.
 *
 * The store is split by area so each area can evolve (and migrate) on its own:
 * events and files (ingestion results), ingest state (quarantine, health, cursors, counters)
 * and IAM configuration snapshots.
 */
export interface Store {
  readonly events: EventStore;
  readonly files: FileStore;
  readonly ingest: IngestStateStore;
  readonly iam: IamStore;
  /** Detections of the event rules and the change timeline (see DetectionStore). */
  readonly detections: DetectionStore;
  /** Which hours of which account's and region's trail the store holds (see CoverageStore). */
  readonly coverage: CoverageStore;
  /** Connectors (the trails trailscope reads) and their doctor runs (see ConnectorStore). */
  readonly connectors: ConnectorStore;
  /** Findings across analysis runs: first and last seen, resolved, suppressed (see FindingStore). */
  readonly findings: FindingStore;
  /** Backfill work units shared by any number of workers (see BackfillWorkStore). */
  readonly backfill: BackfillWorkStore;
  /** Retention and size on disk (see MaintenanceStore). */
  readonly maintenance: MaintenanceStore;
  /** Table-level copy for `trailscope migrate` (see TransferStore). */
  readonly transfer: TransferStore;
  /** A short description for logs, e.g. "sqlite:/path/to/trailscope.db". */
  readonly location: string;
  close(): Promise<void>;
}

export type FileStatus = 'done' | 'skipped' | 'failed';

export interface FileRecord extends FileRef {
  status: FileStatus;
  kind: FileKind;
  /** Events read from the file (including duplicates). */
  eventCount: number;
  /** Events that were new to the store. */
  newEvents: number;
  error?: string | null;
  /** Connector name that delivered it ('import' for local imports). */
  connector?: string;
  /** Account folder of the key, when the key follows the CloudTrail layout. */
  accountId?: string | null;
  /** ISO time the file was processed (ingestion time, distinct from eventTime). */
  processedAt: string;
}

/** An addition to a connector's per-account counters (IngestStateStore.bumpCounters). */
export interface CounterDelta {
  connector: string;
  accountId: string;
  files?: number;
  events?: number;
  duplicates?: number;
  messageAt?: string;
  fileAt?: string;
  fileKey?: string;
  newestEventTime?: string;
  errorKind?: string;
}

/** Counters to bump with a part's commit, in its transaction; the store adds the part's new and duplicate events. */
export type CommitCounters = Omit<CounterDelta, 'events' | 'duplicates'>;

export interface CommitResult {
  inserted: number;
  duplicates: number;
  /**
   * Duplicates (same eventID and time as an event kept before) whose content differs: the first
   * is kept, these are reported. Absent when there were none.
   */
  conflicts?: { count: number; eventIds: string[] };
}

export interface EventQuery {
  since?: string;
  until?: string;
  /** The account that received the call (CloudTrail's recipientAccountId), not the caller's. */
  recipientAccountId?: string;
  principalArn?: string;
  /** An IAM action, e.g. s3:ListAllMyBuckets: events that exercised or attempted it. */
  action?: string;
  /** Events whose actions include any of these (one scan instead of one query per action). */
  anyAction?: string[];
  errorsOnly?: boolean;
  limit?: number;
  /** Newest first when true (default: oldest first). */
  newestFirst?: boolean;
  /**
   * Return events built from the indexed columns only, without reading the raw record: eventID,
   * eventTime, eventSource, eventName, recipientAccountId, errorCode, identityType, principalArn,
   * principalAccountId, sessionName, actions and resources are filled; every other field is null
   * (eventCategory 'Management', awsRegion '') and raw is {}. Much faster for analysers that only
   * need who did what, when, on which resource.
   */
  columnsOnly?: boolean;
}

/** Per (principal, action[, resource]) aggregate over a time range, success and failure kept apart. */
export interface UsageRow {
  principalArn: string;
  /** The acting principal's account (from its ARN), not the account that received the calls. */
  principalAccountId: string | null;
  action: string;
  /** A resource ARN the request named, or null when aggregated over all resources. */
  resource: string | null;
  success: boolean;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** Up to a few event ids as evidence. */
  sampleEventIds: string[];
  /** Distinct session names seen (persons behind SSO roles), capped. */
  sessionNames: string[];
}

export interface UsageQuery {
  since?: string;
  until?: string;
  /** Only principals of this account (the caller's account, which may differ from the recipient's). */
  principalAccountId?: string;
  principalArn?: string;
  /** Split rows per named resource (slower; for one principal's policy suggestion). */
  byResource?: boolean;
}

export interface EventStats {
  events: number;
  files: number;
  oldestEventTime: string | null;
  newestEventTime: string | null;
}

export interface EventStore {
  /**
   * The one write path. Commits the batch ATOMICALLY, in one transaction: when the promise
   * resolves every event, file record, counter, usage and coverage row and detection of every
   * part is durable; when it rejects, none of them was written. Events already stored (same
   * eventID and eventTime), or repeated earlier in the batch, count as duplicates of their part
   * and are not written again. Results are per part, in order.
   *
   * Plain parts are encoded on the caller's thread; a batch made by `encoder` (on a parse
   * worker) skips that work. Small batches may share a transaction with concurrent ones (group
   * commit, see CommitOptions); each caller still learns of its batch only once it is durable,
   * and a shared transaction that fails is retried batch by batch, so one bad batch fails alone.
   */
  commit(batch: WriteBatch, opts?: CommitOptions): Promise<AtomicCommitResult>;
  /** This store's pure encode step, for parse workers (see StoreEncoder). */
  readonly encoder: StoreEncoder;
  query(q: EventQuery): Promise<NormalizedEvent[]>;
  /** Streams events in eventTime order in bounded memory. */
  iterate(q: EventQuery): AsyncIterable<NormalizedEvent>;
  usage(q: UsageQuery): Promise<UsageRow[]>;
  /** The window's events of some actions folded into groups of identical calls (see EvidenceGroup). */
  evidenceGroups(q: EvidenceQuery): Promise<EvidenceGroup[]>;
  stats(): Promise<EventStats>;
  /** The oldest and newest stored event times (null when none): index seeks, where stats() also counts every event. */
  timeSpan(): Promise<Pick<EventStats, 'oldestEventTime' | 'newestEventTime'>>;
  /** Distinct principal ARNs seen acting, with their first and last successful activity. */
  principals(q: { until?: string; principalAccountId?: string }): Promise<
    { principalArn: string; principalAccountId: string | null; identityType: string | null; firstSeen: string; lastSeen: string | null }[]
  >;
}

export interface FileStore {
  get(source: string, key: string): Promise<FileRecord | undefined>;
  /** Records a file that carried no events to commit (skipped digest, failed read). */
  record(file: FileRecord): Promise<void>;
  /** Files of a source whose key starts with prefix (completeness audit, backfill resume). */
  listKeys(source: string, prefix: string): Promise<Set<string>>;
  count(q?: { status?: FileStatus; connector?: string }): Promise<number>;
}

export interface QuarantineRecord {
  connector: string;
  messageId: string;
  body: string;
  bucket: string | null;
  key: string | null;
  reason: string;
  fix: string;
  receiveCount: number;
  /** true when left for the queue's DLQ instead of deleted. */
  leftForDlq: boolean;
  at: string;
}

export interface HealthProblem {
  connector: string;
  /** A stable kind, e.g. 'notifications-missing', 'access-denied', 'kms-decrypt', 'queue-missing'. */
  kind: string;
  message: string;
  fix: string;
  bucket?: string | null;
  key?: string | null;
  at: string;
}

export interface ConnectorCounters {
  connector: string;
  accountId: string;
  files: number;
  events: number;
  duplicates: number;
  lastMessageAt: string | null;
  lastFileAt: string | null;
  lastFileKey: string | null;
  newestEventTime: string | null;
  errorsByKind: Record<string, number>;
}

export interface IngestStateStore {
  quarantine(q: QuarantineRecord): Promise<void>;
  listQuarantine(connector?: string): Promise<QuarantineRecord[]>;
  reportProblem(p: HealthProblem): Promise<void>;
  listProblems(connector?: string): Promise<HealthProblem[]>;
  /** Adds to a connector's per-account counters (files, events, duplicates, last times). */
  bumpCounters(delta: CounterDelta): Promise<void>;
  counters(connector?: string): Promise<ConnectorCounters[]>;
  /** Small persistent key/value state (backfill cursors, "backfill done" markers). */
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;
}

/**
 * IAM configuration snapshots, stored as parsed JSON documents per account. The iam/ folder
 * owns their shape; the store keeps them versioned so drift can compare the latest two.
 */
export interface IamSnapshotRow {
  accountId: string;
  /** 'authorization-details' | 'credential-report' | 'scps' | other iam/-defined kinds. */
  kind: string;
  importedAt: string;
  /**
   * When the configuration was captured: the document's own time (a credential report's
   * generated time, the time of an `iam sync`, `iam import --taken-at`). Absent on write means
   * importedAt; always set on read. `latest`, `latestAt` and `history` order by it.
   */
  takenAt?: string;
  /** Source description (file path or 'sync'). */
  source: string;
  document: unknown;
}

export interface IamStore {
  /** Adds a snapshot; the previous one of the same (account, kind) is kept for drift. */
  putSnapshot(row: IamSnapshotRow): Promise<void>;
  /** The latest snapshot (greatest takenAt, then the last stored) of each account for that kind (or of one account). */
  latest(kind: string, accountId?: string): Promise<IamSnapshotRow[]>;
  /**
   * The snapshot in force at `at` of each account for that kind (or of one account): the latest
   * taken at or before `at`. Accounts whose first snapshot is later than `at` are absent.
   */
  latestAt(kind: string, at: string, accountId?: string): Promise<IamSnapshotRow[]>;
  /** The snapshots of one account and kind, newest first. */
  history(kind: string, accountId: string, limit?: number): Promise<IamSnapshotRow[]>;
  accounts(): Promise<string[]>;
  /** What is stored, per account and kind, without reading any document (first-run checks, status). */
  inventory(): Promise<IamInventoryRow[]>;
}

export interface IamInventoryRow {
  accountId: string;
  kind: string;
  snapshots: number;
  /** takenAt of the oldest and newest snapshot. */
  firstTakenAt: string;
  lastTakenAt: string;
}

/**
 * Detections and change records: what the event rules (src/detect) find in committed events.
 * The store knows nothing about rules; it runs a commit hook inside each write transaction, over
 * the events that transaction actually inserted (a duplicate never detects twice), and keeps
 * what the hook returns with the events, so a crash cannot separate the two.
 */
export interface DetectionRecord {
  /** The rule id, e.g. "root-account-usage" or "sigma:<uuid>". */
  rule: string;
  /** The triggering event (with the rule, the dedup key). */
  eventId: string;
  /** ISO eventTime of the triggering event. */
  eventTime: string;
  accountId: string;
  resource: string;
  severity: string;
  title: string;
  description: string;
  remediation: string;
  details: Record<string, unknown>;
  /** Event ids that support the detection, the triggering one first. */
  evidence: string[];
}

/** One configuration change (a successful write of a watched service), for the drift timeline. */
export interface ChangeRecord {
  eventId: string;
  eventTime: string;
  accountId: string | null;
  eventSource: string;
  eventName: string;
  /** What kind of thing changed, e.g. "iam-role", "security-group", "s3-bucket", "kms-key", "trail". */
  resourceType: string;
  /** An ARN when one can be built, else the identifier the request named. */
  resource: string;
  actor: string | null;
  sessionName: string | null;
  sourceIPAddress: string | null;
  userAgent: string | null;
  awsRegion: string;
  requestParameters: unknown;
}

export interface DetectionQuery {
  since?: string;
  until?: string;
  accountId?: string;
  rules?: readonly string[];
}

export interface ChangeQuery {
  since?: string;
  until?: string;
  accountId?: string;
  resource?: string;
  limit?: number;
}

/** Small persistent per-key memory for stateful rules (e.g. networks seen per identity). */
export interface DetectionMemory {
  /** First and last time (ms) the key was noted in the namespace. */
  /** value: what was noted with the key's earliest time (e.g. the event id that created something). */
  get(ns: string, key: string): { firstMs: number; lastMs: number; value: string | null } | undefined;
  note(ns: string, key: string, ms: number, value?: string): void;
}

/** An event the commit hook sees: its columns, the source IP, and the full record on demand (costly). */
export interface CommittedBatch {
  readonly size: number;
  /** JSON [eventSource, eventName], interned by the chunk: a cheap key to index rules by. */
  api(i: number): string;
  identityType(i: number): string | null;
  principalArn(i: number): string | null;
  /**
   * The event from the columns, source IP and user agent only, cheap to build: raw holds just
   * the record's LIGHT_RAW_FIELDS (model/light.ts), actions and resources are empty, the other
   * fields the raw record would give are null. May be the full event (an unusual record shape).
   */
  light(i: number): NormalizedEvent;
  /**
   * One of LIGHT_RAW_FIELDS (model/light.ts) of event i exactly as its record has it (null when
   * absent), read from the columns without building an event; undefined when the event's record
   * is irregular (its light event is the full one). Absent: the batch cannot say (rules' light
   * screens are then not used).
   */
  lightValue?(i: number, field: string): string | null | undefined;
  /** The whole event, raw record included (decoded on each call: cache it). */
  full(i: number): NormalizedEvent;
}

export interface CommitHookResult {
  detections: DetectionRecord[];
  changes: ChangeRecord[];
}

/** Runs inside the write transaction; must be synchronous and must not throw for one bad event. */
export type CommitHook = (batch: CommittedBatch, memory: DetectionMemory) => CommitHookResult;

export interface DetectionStore {
  /**
   * Stores detections and changes, in one transaction. A detection already stored for the same
   * rule and event is kept, unless the new one has more evidence (a sequence completed).
   */
  put(result: CommitHookResult): Promise<{ detections: number; changes: number }>;
  list(q?: DetectionQuery): Promise<DetectionRecord[]>;
  changes(q?: ChangeQuery): Promise<ChangeRecord[]>;
  /** Runs this hook on every later commit of events, in the commit's transaction (null: none). */
  setCommitHook(hook: CommitHook | null): void;
}
