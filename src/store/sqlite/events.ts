import { MAX_CONFLICT_EXAMPLES, sameChunkContent, sameStoredContent, type StoredContent } from './duplicate-content.js';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { NormalizedEvent } from '../../model/index.js';
import type { CommitOptions, CommitResult, CounterDelta, EventQuery, EventStats, EventStore, EvidenceGroup, EvidenceQuery, HealthProblem, UsageQuery, UsageRow, WriteBatch } from '../types.js';
import { Dictionary } from './dictionary.js';
import { decodeEventId, decodeResources, encodeEventId, encodeResources } from './codec.js';
import { columnsOnlyEvent, decodeEvent } from '../encode/raw.js';
import type { EventColumns } from '../encode/raw.js';
import { msToTime } from '../encode/time.js';
import { compressBlocksAsync, lineBytes, mergeChunks, worthCompressing } from '../encode/index.js';
import { GroupCommit, reportGroupCommitFailure } from '../group-commit.js';
import { SQLITE_ENCODER, sqliteChunkOf } from './encoder.js';
import type { EncodedChunk } from '../encode/index.js';
import type { SqliteFileStore } from './files.js';
import type { SqliteCoverageStore } from './coverage.js';
import type { CoverageMark } from '../encode/index.js';
import { RawBlocks } from './raw-blocks.js';
import { removeConnectorEvents, type ConnectorEventsRemoval } from './connector-events.js';
import { UsageAggregator, type EventRowForUsage } from './usage.js';
import { evidenceGroups } from './evidence.js';
import { markEvidenceDays, storedSpan } from './evidence-daily.js';
import { eventsWhere } from './events-where.js';

export { EVENTS_MIGRATIONS } from './events-schema.js';

const PAGE_SIZE = 1000;
const NEWLINE = Buffer.from('\n');

/** A Buffer over the same bytes (better-sqlite3 binds Buffers as blobs). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface EventRow {
  id: number;
  event_id: Buffer | string;
  t: number;
  api: number;
  account: number | null;
  principal: number | null;
  p_account: number | null;
  itype: number | null;
  session: number | null;
  error: number | null;
  actions: number | null;
  resources: string | null;
  extra: string | null;
}

const SELECT_COLUMNS = 'id, event_id, t, api, account, principal, p_account, itype, session, error, actions, resources, extra';

export class SqliteEventStore implements EventStore {
  readonly dict: Dictionary;
  private readonly usageAgg: UsageAggregator;
  private readonly insertStmt: Statement;
  private readonly storedContentStmt: Statement;
  private readonly blocks: RawBlocks;
  private readonly upsertPrincipalStmt: Statement<[number, number | null, number | null]>;
  private readonly originStmt: Statement<[number, number, string, string, string]>;
  private readonly claimStmt: Statement<[string, number]>;
  private readonly commitTx: (chunk: EncodedChunk) => CommitResult[];
  private readonly group = new GroupCommit<EncodedChunk>({
    commitNow: (chunk) => this.commitNow(chunk),
    events: (chunk) => chunk.n,
    parts: (chunk) => chunk.parts.length,
    merge: mergeChunks,
    groupFailed: (err, chunks) => reportGroupCommitFailure(this.reportProblem, err, chunks),
  });
  readonly encoder = SQLITE_ENCODER;

  constructor(
    private readonly db: Db,
    private readonly files: SqliteFileStore,
    /** Bumps ingest counters synchronously (SqliteIngestStateStore.bump), inside the commit. */
    private readonly bumpCounters: (delta: CounterDelta) => void,
    /** Runs the detection hook over the inserted events inside the commit, and learns how the commit ended (SqliteDetectionStore). */
    private readonly detections: {
      afterInsert(chunk: EncodedChunk, kept: readonly number[]): void;
      committed(ok: boolean): void;
    },
    /** Coverage of the committed files, written in the same transaction. */
    private readonly coverage: SqliteCoverageStore,
    /** Records a health problem (SqliteIngestStateStore.reportProblem). */
    private readonly reportProblem: (p: HealthProblem) => Promise<void> = async () => {},
  ) {
    this.dict = new Dictionary(db);
    this.usageAgg = new UsageAggregator(db, this.dict);
    this.blocks = new RawBlocks(db);
    this.storedContentStmt = db.prepare(
      'SELECT id, api, account, principal, session, error, actions, resources, extra FROM events WHERE t = ? AND event_id = ?',
    );
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO events (event_id, t, api, account, principal, p_account, itype, session, error, actions, resources, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.originStmt = db.prepare('INSERT INTO event_origins (lo, hi, connector, source, key) VALUES (?, ?, ?, ?, ?)');
    this.claimStmt = db.prepare('INSERT OR IGNORE INTO event_claims (connector, row) VALUES (?, ?)');
    this.upsertPrincipalStmt = db.prepare(
      `INSERT INTO principals (principal, account, itype) VALUES (?, ?, ?)
       ON CONFLICT (principal) DO UPDATE SET account = coalesce(principals.account, excluded.account),
         itype = coalesce(principals.itype, excluded.itype)
       WHERE principals.account IS NULL OR principals.itype IS NULL`,
    );
    const tx = db.transaction((chunk: EncodedChunk) => this.writeChunk(chunk));
    this.commitTx = (chunk: EncodedChunk): CommitResult[] => {
      try {
        const results = tx.immediate(chunk);
        this.dict.commit();
        this.detections.committed(true);
        return results;
      } catch (err) {
        this.dict.rollback();
        this.detections.committed(false);
        throw err;
      }
    };
  }

  /** See EventStore.commit: one transaction per batch (or per group of small batches). */
  async commit(batch: WriteBatch, opts: CommitOptions = {}): Promise<CommitResult[]> {
    return this.group.commit(sqliteChunkOf(batch), opts.immediate === true);
  }

  private async commitNow(chunk: EncodedChunk): Promise<CommitResult[]> {
    await this.blocks.waitForCompression();
    const results = this.commitTx(await this.compressedIfWorth(chunk));
    this.blocks.afterCommit(results);
    return results;
  }

  /**
   * A group of small files (live ingestion) is big enough to compress well together: compressed
   * off this thread before the commit, its blocks go in as they are, rather than written plain,
   * read back, compressed and swapped in by the deferred compaction. Should compression fail,
   * the chunk goes in plain as before.
   */
  private async compressedIfWorth(chunk: EncodedChunk): Promise<EncodedChunk> {
    if (chunk.blocks || !worthCompressing(chunk)) return chunk;
    try {
      return { ...chunk, blocks: await compressBlocksAsync(chunk) };
    } catch {
      return chunk;
    }
  }

  /**
   * Deletes the rows only this connector delivered, with their raw records, usage, coverage,
   * detections and changes. Call inside a write transaction, after settle().
   */
  removeConnectorEvents(connector: string): ConnectorEventsRemoval {
    return removeConnectorEvents(this.db, this.usageAgg, connector);
  }

  /** The last compaction failure (the data stays plain and correct; retried on the next commit). */
  get lastCompactionError(): Error | null {
    return this.blocks.lastCompactionError;
  }

  /** Waits for compression under way, then compresses what is ready (for close and tests). */
  async settle(): Promise<void> {
    await this.blocks.settle();
  }

  /**
   * The body of the one write transaction: event rows, raw blocks, aggregates, the file records.
   * An event repeated inside the chunk, or already stored, is a duplicate of the part it is in.
   */
  private writeChunk(chunk: EncodedChunk): CommitResult[] {
    // eventID → index of the first event with it in this chunk
    const seen = new Map<string, number>();
    const results: CommitResult[] = [];
    const kept: number[] = [];
    const rows: EventRowForUsage[] = [];
    const newPrincipals = new Map<number, number>();
    const d = this.dict;
    const coverage: CoverageMark[] = [];
    let i = 0;
    for (const part of chunk.parts) {
      if (part.coverage) coverage.push(...part.coverage);
      const result: CommitResult = { inserted: 0, duplicates: 0 };
      const connector = part.file?.connector;
      let firstRow = 0;
      const conflict = (eventId: string) => {
        result.conflicts ??= { count: 0, eventIds: [] };
        if (result.conflicts.count++ < MAX_CONFLICT_EXAMPLES) result.conflicts.eventIds.push(eventId);
      };
      for (const end = i + part.events; i < end; i++) {
        const eventId = chunk.eventIds[i]!;
        const first = seen.get(eventId);
        if (first !== undefined) {
          result.duplicates++;
          if (!sameChunkContent(chunk, first, i)) conflict(eventId);
          continue;
        }
        seen.set(eventId, i);
        const t = chunk.times[i]!;
        const principal = d.internNullable(chunk.principals[i]);
        const session = d.internNullable(chunk.sessions[i]);
        const error = d.internNullable(chunk.errors[i]);
        const actions = d.internSetJson(chunk.actions[i]!);
        const resources = encodeResources(chunk.resources[i]!);
        const eid = encodeEventId(eventId);
        const res = this.insertStmt.run(
          eid,
          t,
          d.intern(chunk.apis[i]!),
          d.internNullable(chunk.accounts[i]),
          principal,
          d.internNullable(chunk.principalAccounts[i]),
          d.internNullable(chunk.identityTypes[i]),
          session,
          error,
          actions,
          resources,
          chunk.extras[i],
        );
        if (res.changes === 0) {
          result.duplicates++;
          const stored = this.storedContentStmt.get(t, eid) as (StoredContent & { id: number }) | undefined;
          // Another connector delivering a stored event again shares it (see removeConnectorEvents).
          if (stored && connector !== undefined) this.claimStmt.run(connector, stored.id);
          const mine: StoredContent = {
            api: d.intern(chunk.apis[i]!),
            account: d.internNullable(chunk.accounts[i]),
            principal,
            session,
            error,
            actions,
            resources,
            extra: chunk.extras[i] ?? null,
          };
          if (stored && !sameStoredContent(stored, mine)) conflict(eventId);
          continue;
        }
        const rowid = Number(res.lastInsertRowid);
        if (result.inserted === 0) firstRow = rowid;
        kept.push(i);
        rows.push({ id: rowid, eid, t, principal, session, error, actions });
        result.inserted++;
        if (principal !== null && !newPrincipals.has(principal)) newPrincipals.set(principal, i);
      }
      if (part.file) this.files.upsert({ ...part.file, newEvents: result.inserted });
      if (connector !== undefined && part.file && result.inserted > 0) {
        this.originStmt.run(firstRow, firstRow + result.inserted - 1, connector, part.file.source, part.file.key);
      }
      if (part.counters) this.bumpCounters({ ...part.counters, events: result.inserted, duplicates: result.duplicates });
      results.push(result);
    }
    this.writeBlocks(chunk, kept, rows);
    for (const [principal, at] of newPrincipals) {
      this.upsertPrincipalStmt.run(principal, d.internNullable(chunk.principalAccounts[at]), d.internNullable(chunk.identityTypes[at]));
    }
    this.usageAgg.add(rows);
    markEvidenceDays(this.db, rows);
    this.detections.afterInsert(chunk, kept);
    this.coverage.write(coverage);
    return results;
  }

  /**
   * Writes the raw records of this transaction's new rows (consecutive rowids). When every event
   * of the chunk is new and the encoder compressed it, its blocks go in as they are; otherwise
   * one plain block, compressed after the commit, off the main thread, together with adjacent
   * plain blocks (see RawBlocks in ./raw-blocks.js): CloudTrail files are often small, and
   * brotli's ratio on CloudTrail JSON roughly doubles between 50 and 500 records.
   */
  private writeBlocks(chunk: EncodedChunk, kept: readonly number[], rows: readonly EventRowForUsage[]): void {
    if (rows.length === 0) return;
    const first = rows[0]!.id;
    if (rows[rows.length - 1]!.id !== first + rows.length - 1) {
      throw new Error('store is inconsistent: rowids of one transaction are not consecutive');
    }
    if (kept.length === chunk.n) {
      if (chunk.blocks) {
        for (const b of chunk.blocks) this.blocks.writeCompressed(first + b.first, b.n, asBuffer(b.data));
      } else {
        this.blocks.writePlain(first, kept.length, asBuffer(chunk.rawText));
      }
      return;
    }
    const pieces: Uint8Array[] = [];
    for (const i of kept) {
      if (pieces.length) pieces.push(NEWLINE);
      pieces.push(lineBytes(chunk, i));
    }
    this.blocks.writePlain(first, kept.length, Buffer.concat(pieces));
  }

  // ---- reads ----

  private toEvent(r: EventRow, columnsOnly = false): NormalizedEvent {
    const columns = this.columns(r);
    return columnsOnly ? columnsOnlyEvent(columns) : decodeEvent(columns, this.blocks.line(r.id), r.extra);
  }

  private columns(r: EventRow): EventColumns {
    const d = this.dict;
    const [eventSource, eventName] = JSON.parse(d.value(r.api)) as [string, string];
    return {
      eventID: decodeEventId(r.event_id),
      eventTime: msToTime(r.t),
      eventSource,
      eventName,
      recipientAccountId: d.valueNullable(r.account),
      errorCode: d.valueNullable(r.error),
      identityType: d.valueNullable(r.itype),
      principalArn: d.valueNullable(r.principal),
      principalAccountId: d.valueNullable(r.p_account),
      sessionName: d.valueNullable(r.session),
      actions: d.members(r.actions).map((id) => d.value(id)),
      resources: decodeResources(r.resources),
    };
  }

  async query(q: EventQuery): Promise<NormalizedEvent[]> {
    const out: NormalizedEvent[] = [];
    for await (const e of this.iterate(q)) out.push(e);
    return out;
  }

  /**
   * Pages through matching rows with a keyset on (t, event_id) (the unique index), so no statement stays open between
   * pages (other calls on this connection may run meanwhile) and memory stays bounded.
   */
  async *iterate(q: EventQuery): AsyncGenerator<NormalizedEvent> {
    const first = eventsWhere(this.dict, q);
    if (!first) return;
    const desc = q.newestFirst === true;
    // After the first page, the keyset's time replaces the window's bound on that side (it is
    // tighter), so SQLite starts the index range there: with the window's bound kept beside
    // it, each page of a sparse filter rescanned the index from the window's start.
    const rest = eventsWhere(this.dict, desc ? { ...q, until: undefined } : { ...q, since: undefined })!;
    let remaining = q.limit ?? Infinity;
    if (remaining <= 0) return;
    let after: [number, Buffer | string] | null = null;
    while (remaining > 0) {
      const base: { clauses: string[]; params: (string | number)[] } = after ? rest : first;
      const clauses = [...base.clauses];
      const params: (string | number | Buffer)[] = [...base.params];
      if (after) {
        clauses.push(desc ? 't <= ? AND (t < ? OR event_id < ?)' : 't >= ? AND (t > ? OR event_id > ?)');
        params.push(after[0], after[0], after[1]);
      }
      const pageSize = Math.min(PAGE_SIZE, remaining);
      const dir = desc ? 'DESC' : 'ASC';
      const sql = `SELECT ${SELECT_COLUMNS} FROM events${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''}
        ORDER BY t ${dir}, event_id ${dir} LIMIT ${pageSize}`;
      const rows = this.db.prepare<(string | number | Buffer)[], EventRow>(sql).all(...params);
      const page = rows.map((r) => this.toEvent(r, q.columnsOnly === true));
      for (const e of page) yield e;
      remaining -= rows.length;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = [last.t, last.event_id];
    }
  }

  async usage(q: UsageQuery): Promise<UsageRow[]> {
    return this.usageAgg.query(q);
  }

  async evidenceGroups(q: EvidenceQuery): Promise<EvidenceGroup[]> {
    return evidenceGroups(this.db, this.dict, q);
  }

  async timeSpan(): Promise<Pick<EventStats, 'oldestEventTime' | 'newestEventTime'>> {
    const [oldest, newest] = storedSpan(this.db);
    return { oldestEventTime: oldest === null ? null : msToTime(oldest), newestEventTime: newest === null ? null : msToTime(newest) };
  }

  async stats(): Promise<EventStats> {
    const row = this.db
      .prepare<[], { events: number; oldest: number | null; newest: number | null }>(
        'SELECT (SELECT count(*) FROM events) AS events, (SELECT min(t) FROM events) AS oldest, (SELECT max(t) FROM events) AS newest',
      )
      .get()!;
    const files = this.db.prepare<[], number>('SELECT count(*) FROM files').pluck().get() ?? 0;
    return {
      events: row.events,
      files,
      oldestEventTime: row.oldest === null ? null : msToTime(row.oldest),
      newestEventTime: row.newest === null ? null : msToTime(row.newest),
    };
  }

  async principals(q: { until?: string; principalAccountId?: string }) {
    return this.usageAgg.principals(q);
  }
}

