import type { Database as Db, Statement } from 'better-sqlite3';
import type { NormalizedEvent } from '../../model/index.js';
import type { CommitResult, EventQuery, EventStats, EventStore, FileRecord, UsageQuery, UsageRow } from '../types.js';
import type { AreaMigrations } from './database.js';
import { DICTIONARY_SQL, Dictionary } from './dictionary.js';
import {
  BLOCK_TARGET_BYTES,
  BLOCK_TARGET_EVENTS,
  BLOCK_MAX_BYTES,
  BLOCK_MAX_EVENTS,
  CODEC_BROTLI_LINES,
  CODEC_PLAIN_LINES,
  compressAsync,
  decodeEvent,
  decodeEventId,
  decompressLines,
  encodeEventId,
  encodeRaw,
  msToTime,
  timeToMs,
} from './codec.js';
import type { SqliteFileStore } from './files.js';
import { UsageAggregator } from './usage.js';
import type { EventRowForUsage } from './usage.js';

/**
 * Events schema. One row per event with only what filters, ordering and aggregation need, as
 * integers (strings interned in `strings`); the raw records live compressed in `raw_blocks`.
 *
 * - events.event_id: a 16-byte blob for UUIDs, text otherwise. events.t: eventTime in ms.
 *   The one index is unique (t, event_id): it is the dedup key and the time order at once.
 *   A record delivered twice (by CloudTrail, SQS or a re-import) has the same eventID and the
 *   same eventTime, so this dedups exactly as eventID alone would, while keeping inserts local
 *   in the index (files arrive roughly in time order) instead of scattered by random UUIDs:
 *   that locality is what keeps bulk import fast once the store holds millions of events.
 *   There is deliberately no (principal, t) index: per-principal questions at scale are served
 *   by usage_hourly; a principal filter on raw events scans the time range.
 * - events.api: interned JSON [eventSource, eventName].
 * - events.actions / events.resources: interned id sets (see id_sets), so SQL can group on them.
 * - events.extra: JSON of the normalised fields that differ from what the raw record implies
 *   (almost always NULL).
 * - raw_blocks: id = rowid of the block's first event, n events, rowids id..id+n-1 (an event's
 *   block is the one with the greatest id <= its rowid: no per-event pointer is stored).
 *   codec 1 = brotli of the JSON lines; codec 0 = plain lines of a recent commit, compressed
 *   after the commit together with its neighbours (see scheduleCompaction).
 * - principals: per acting principal, its account and identity type.
 * - usage_hourly: keyed (hour, principal, action, success), time first so inserts stay local:
 *   the count, first/last ms, the eventID of the bucket's latest event (evidence, stored like
 *   events.event_id) and up to 8 session name ids; maintained in the insert's transaction.
 *   action 0 counts events that mapped to no action, so principals' activity is complete.
 */
export const EVENTS_MIGRATIONS: AreaMigrations = {
  area: 'events',
  steps: [
    `${DICTIONARY_SQL}
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      event_id BLOB NOT NULL,
      t INTEGER NOT NULL,
      api INTEGER NOT NULL,
      account INTEGER,
      principal INTEGER,
      p_account INTEGER,
      itype INTEGER,
      session INTEGER,
      error INTEGER,
      actions INTEGER,
      resources INTEGER,
      extra TEXT
    );
    CREATE UNIQUE INDEX events_time_id ON events (t, event_id);
    CREATE TABLE raw_blocks (
      id INTEGER PRIMARY KEY,
      n INTEGER NOT NULL,
      codec INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX raw_blocks_plain ON raw_blocks (id) WHERE codec = 0;
    CREATE TABLE principals (
      principal INTEGER PRIMARY KEY,
      account INTEGER,
      itype INTEGER
    );
    CREATE TABLE usage_hourly (
      principal INTEGER NOT NULL,
      action INTEGER NOT NULL,
      hour INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      n INTEGER NOT NULL,
      first_ms INTEGER NOT NULL,
      last_ms INTEGER NOT NULL,
      sample BLOB NOT NULL,
      sessions TEXT NOT NULL,
      PRIMARY KEY (hour, principal, action, ok)
    ) WITHOUT ROWID;`,
  ],
};

const NEWLINE = Buffer.from('\n');

/** Plain events beyond which a commit waits for compression to catch up. */
const PLAIN_BACKLOG_LIMIT = 4 * BLOCK_MAX_EVENTS;

interface PlainRun {
  firstId: number;
  lastId: number;
  lastN: number;
  blocks: number;
  n: number;
  bytes: number;
  /** Nothing follows the run: more small commits may still join it. */
  atTail: boolean;
}
const PAGE_SIZE = 1000;

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
  resources: number | null;
  extra: string | null;
}

interface CachedBlock {
  first: number;
  n: number;
  lines: string[];
}

const SELECT_COLUMNS = 'id, event_id, t, api, account, principal, p_account, itype, session, error, actions, resources, extra';

export class SqliteEventStore implements EventStore {
  readonly dict: Dictionary;
  private readonly usageAgg: UsageAggregator;
  private readonly insertStmt: Statement;
  private readonly insertBlockStmt: Statement<[number, number, number, Buffer]>;
  private readonly blockForStmt: Statement<[number], { id: number; n: number; codec: number; data: Buffer }>;
  private readonly tailBlocksStmt: Statement<[number], { id: number; n: number; codec: number; bytes: number }>;
  private readonly upsertPrincipalStmt: Statement<[number, number | null, number | null]>;
  private readonly setExtraStmt: Statement<[string, number]>;
  private readonly rangeBlocksStmt: Statement<[number, number], { id: number; n: number; codec: number; data: Buffer }>;
  private readonly deleteBlocksStmt: Statement<[number, number]>;
  private readonly plainBlocksStmt: Statement<[], { id: number; n: number; bytes: number }>;
  private readonly lastBlockStmt: Statement<[], number | null>;
  private readonly checkRangeStmt: Statement<[number, number], { blocks: number; n: number; maxCodec: number }>;
  private readonly swapTx: { immediate(run: PlainRun, parts: { first: number; n: number; data: Buffer }[]): void };
  private readonly blockCache: CachedBlock[] = [];
  private readonly commitTx: (file: FileRecord | null, events: NormalizedEvent[]) => CommitResult;
  private readonly commitManyTx: (batch: { file: FileRecord; events: NormalizedEvent[] }[]) => CommitResult[];

  constructor(
    private readonly db: Db,
    private readonly files: SqliteFileStore,
  ) {
    this.dict = new Dictionary(db);
    this.usageAgg = new UsageAggregator(db, this.dict);
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO events (event_id, t, api, account, principal, p_account, itype, session, error, actions, resources, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setExtraStmt = db.prepare('UPDATE events SET extra = ? WHERE id = ?');
    this.rangeBlocksStmt = db.prepare('SELECT id, n, codec, data FROM raw_blocks WHERE id >= ? AND id <= ? ORDER BY id');
    this.deleteBlocksStmt = db.prepare('DELETE FROM raw_blocks WHERE id >= ? AND id <= ?');
    this.insertBlockStmt = db.prepare('INSERT INTO raw_blocks (id, n, codec, data) VALUES (?, ?, ?, ?)');
    this.blockForStmt = db.prepare('SELECT id, n, codec, data FROM raw_blocks WHERE id <= ? ORDER BY id DESC LIMIT 1');
    this.tailBlocksStmt = db.prepare('SELECT id, n, codec, length(data) AS bytes FROM raw_blocks ORDER BY id DESC LIMIT ?');
    this.upsertPrincipalStmt = db.prepare(
      `INSERT INTO principals (principal, account, itype) VALUES (?, ?, ?)
       ON CONFLICT (principal) DO UPDATE SET account = coalesce(principals.account, excluded.account),
         itype = coalesce(principals.itype, excluded.itype)
       WHERE principals.account IS NULL OR principals.itype IS NULL`,
    );
    this.plainBlocksStmt = db.prepare('SELECT id, n, length(data) AS bytes FROM raw_blocks WHERE codec = 0 ORDER BY id');
    this.lastBlockStmt = db.prepare<[], number>('SELECT max(id) FROM raw_blocks').pluck();
    this.swapTx = db.transaction((run: PlainRun, parts: { first: number; n: number; data: Buffer }[]) => {
      const now = this.checkRangeStmt.get(run.firstId, run.lastId);
      if (!now || now.blocks !== run.blocks || now.n !== run.n || now.maxCodec !== CODEC_PLAIN_LINES) return;
      this.deleteBlocksStmt.run(run.firstId, run.lastId);
      for (const p of parts) this.insertBlockStmt.run(p.first, p.n, CODEC_BROTLI_LINES, p.data);
    });
    this.checkRangeStmt = db.prepare(
      'SELECT count(*) AS blocks, coalesce(sum(n), 0) AS n, coalesce(max(codec), 0) AS maxCodec FROM raw_blocks WHERE id >= ? AND id <= ?',
    );
    const tx = db.transaction((file: FileRecord | null, events: NormalizedEvent[]) => this.writeEvents(file, events));
    const manyTx = db.transaction((batch: { file: FileRecord; events: NormalizedEvent[] }[]) =>
      batch.map(({ file, events }) => this.writeEvents(file, events)),
    );
    const guarded = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
      try {
        const result = fn(...args);
        this.dict.commit();
        return result;
      } catch (err) {
        this.dict.rollback();
        throw err;
      }
    };
    this.commitTx = guarded((file: FileRecord | null, events: NormalizedEvent[]) => tx.immediate(file, events));
    this.commitManyTx = guarded((batch: { file: FileRecord; events: NormalizedEvent[] }[]) => manyTx.immediate(batch));
  }

  async commitFile(file: FileRecord, events: NormalizedEvent[]): Promise<CommitResult> {
    return this.commit(file, events);
  }

  async insertEvents(events: NormalizedEvent[]): Promise<CommitResult> {
    return this.commit(null, events);
  }

  async commitFiles(batch: { file: FileRecord; events: NormalizedEvent[] }[]): Promise<CommitResult[]> {
    await this.waitForCompression();
    const results = this.commitManyTx(batch);
    this.afterCommit(results);
    return results;
  }

  private async commit(file: FileRecord | null, events: NormalizedEvent[]): Promise<CommitResult> {
    await this.waitForCompression();
    const result = this.commitTx(file, events);
    this.afterCommit([result]);
    return result;
  }

  /** Backpressure: when compression lags far behind, let it catch up first. */
  private async waitForCompression(): Promise<void> {
    while (this.compaction && this.plainBacklog > PLAIN_BACKLOG_LIMIT) await this.compaction;
  }

  private afterCommit(results: CommitResult[]): void {
    for (const r of results) this.plainBacklog += r.inserted;
    this.scheduleCompaction();
  }

  // ---- deferred compression of raw blocks ----

  private compaction: Promise<void> | null = null;
  /** Plain (not yet compressed) events, as last counted; an estimate between counts. */
  private plainBacklog = 0;
  private closing = false;
  /** The last compaction failure (the data stays plain and correct; retried on the next commit). */
  lastCompactionError: Error | null = null;

  /** Plain runs: maximal sequences of adjacent plain blocks, oldest first. */
  private plainRuns(): PlainRun[] {
    const runs: PlainRun[] = [];
    let backlog = 0;
    for (const b of this.plainBlocksStmt.iterate()) {
      backlog += b.n;
      const run = runs[runs.length - 1];
      if (run && run.lastId + run.lastN === b.id) {
        run.lastId = b.id;
        run.lastN = b.n;
        run.blocks++;
        run.n += b.n;
        run.bytes += b.bytes;
      } else {
        runs.push({ firstId: b.id, lastId: b.id, lastN: b.n, blocks: 1, n: b.n, bytes: b.bytes, atTail: false });
      }
    }
    this.plainBacklog = backlog;
    const last = runs[runs.length - 1];
    if (last) last.atTail = this.lastBlockStmt.get() === last.lastId;
    return runs;
  }

  /** Starts compressing the next run that is big enough (or cut off from the tail), if none is under way. */
  private scheduleCompaction(): void {
    if (this.compaction) return;
    let job: PlainRun | undefined;
    try {
      job = this.plainRuns().find((r) => r.n >= BLOCK_TARGET_EVENTS || r.bytes >= BLOCK_TARGET_BYTES || !r.atTail);
    } catch (err) {
      this.lastCompactionError = err as Error;
      return;
    }
    if (!job) return;
    const run = job;
    this.compaction = this.compactRun(run)
      .then(() => {
        this.lastCompactionError = null;
      })
      .catch((err: unknown) => {
        this.lastCompactionError = err as Error;
      })
      .finally(() => {
        this.compaction = null;
        // After a failure, wait for the next commit to retry rather than spin.
        if (!this.lastCompactionError) this.scheduleCompaction();
      });
  }

  /**
   * Compresses one plain run off the main thread, then swaps it in with a short transaction
   * that first checks the run is unchanged (another process may have compressed it meanwhile).
   */
  private async compactRun(run: PlainRun): Promise<void> {
    // Plain blocks are UTF-8 lines already: join their bytes, no decoding.
    const pieces: Buffer[] = [];
    for (const b of this.rangeBlocksStmt.iterate(run.firstId, run.lastId)) {
      if (b.codec !== CODEC_PLAIN_LINES) return;
      if (pieces.length) pieces.push(NEWLINE);
      pieces.push(b.data);
    }
    const text = Buffer.concat(pieces);
    // Line starts, to cut the run into equal chunks on line boundaries.
    const starts = [0];
    for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) starts.push(at + 1);
    if (starts.length !== run.n) return;
    const chunks = Math.max(1, Math.ceil(run.n / BLOCK_MAX_EVENTS), Math.ceil(text.length / BLOCK_MAX_BYTES));
    const per = Math.ceil(run.n / chunks);
    const parts: { first: number; n: number; data: Promise<Buffer> }[] = [];
    for (let k = 0; k < run.n; k += per) {
      const n = Math.min(per, run.n - k);
      const end = k + n < run.n ? starts[k + n]! - 1 : text.length;
      parts.push({ first: run.firstId + k, n, data: compressAsync(text.subarray(starts[k]!, end)) });
    }
    const datas = await Promise.all(parts.map((p) => p.data));
    if (!this.db.open) return;
    this.swapTx.immediate(run, parts.map((p, i) => ({ first: p.first, n: p.n, data: datas[i]! })));
  }

  /** Waits for compression under way, then compresses what is ready (for close and tests). */
  async settle(): Promise<void> {
    this.closing = true;
    try {
      this.scheduleCompaction();
      while (this.compaction) await this.compaction;
    } finally {
      this.closing = false;
    }
  }

  /** The body of the one write transaction: event rows, raw blocks, aggregates, the file record. */
  private writeEvents(file: FileRecord | null, events: NormalizedEvent[]): CommitResult {
    const seen = new Set<string>();
    let duplicates = 0;
    const inserted: { rowid: number; event: NormalizedEvent; row: EventRowForUsage }[] = [];
    const newPrincipals = new Map<number, NormalizedEvent>();
    const d = this.dict;
    for (const e of events) {
      if (seen.has(e.eventID)) {
        duplicates++;
        continue;
      }
      seen.add(e.eventID);
      const t = timeToMs(e.eventTime);
      const principal = d.internNullable(e.principalArn);
      const session = d.internNullable(e.sessionName);
      const error = d.internNullable(e.errorCode);
      const actions = d.internSet(e.actions);
      const eid = encodeEventId(e.eventID);
      const res = this.insertStmt.run(
        eid,
        t,
        d.intern(JSON.stringify([e.eventSource, e.eventName])),
        d.internNullable(e.recipientAccountId),
        principal,
        d.internNullable(e.principalAccountId),
        d.internNullable(e.identityType),
        session,
        error,
        actions,
        d.internSet(e.resources),
        null,
      );
      if (res.changes === 0) {
        duplicates++;
        continue;
      }
      const rowid = Number(res.lastInsertRowid);
      inserted.push({ rowid, event: e, row: { id: rowid, eid, t, principal, session, error, actions } });
      if (principal !== null && !newPrincipals.has(principal)) newPrincipals.set(principal, e);
    }
    this.writeBlocks(inserted);
    for (const [principal, e] of newPrincipals) {
      this.upsertPrincipalStmt.run(principal, d.internNullable(e.principalAccountId), d.internNullable(e.identityType));
    }
    this.usageAgg.add(inserted.map((i) => i.row));
    if (file) this.files.upsert({ ...file, newEvents: inserted.length });
    return { inserted: inserted.length, duplicates };
  }

  /**
   * Writes the raw records of this transaction's new rows (consecutive rowids) as one plain
   * block. Compression happens after the commit, off the main thread, on runs of adjacent plain
   * blocks of BLOCK_TARGET events or more (see scheduleCompaction): CloudTrail files are often
   * small, and brotli's ratio on CloudTrail JSON roughly doubles between 50 and 500 records.
   */
  private writeBlocks(inserted: { rowid: number; event: NormalizedEvent }[]): void {
    if (inserted.length === 0) return;
    const first = inserted[0]!.rowid;
    const lines: string[] = [];
    for (const { rowid, event } of inserted) {
      if (rowid !== first + lines.length) throw new Error('store is inconsistent: rowids of one transaction are not consecutive');
      const { line, extra } = encodeRaw(event);
      if (extra !== null) this.setExtraStmt.run(extra, rowid);
      lines.push(line);
    }
    this.insertBlockStmt.run(first, lines.length, CODEC_PLAIN_LINES, Buffer.from(lines.join('\n'), 'utf8'));
  }

  private readLines(fromId: number, toId: number): string[] {
    const lines: string[] = [];
    for (const b of this.rangeBlocksStmt.iterate(fromId, toId)) for (const line of decompressLines(b.codec, b.data)) lines.push(line);
    return lines;
  }

  // ---- reads ----

  private line(rowid: number): string {
    let block = this.blockCache.find((b) => rowid >= b.first && rowid < b.first + b.n);
    if (!block) {
      const row = this.blockForStmt.get(rowid);
      if (!row || rowid >= row.id + row.n) throw new Error(`store is inconsistent: no raw block holds event row ${rowid}`);
      block = { first: row.id, n: row.n, lines: decompressLines(row.codec, row.data) };
      this.blockCache.unshift(block);
      if (this.blockCache.length > 8) this.blockCache.pop();
    }
    const line = block.lines[rowid - block.first];
    if (line === undefined) throw new Error(`store is inconsistent: raw block ${block.first} lacks event row ${rowid}`);
    return line;
  }

  private toEvent(r: EventRow): NormalizedEvent {
    const d = this.dict;
    const [eventSource, eventName] = JSON.parse(d.value(r.api)) as [string, string];
    return decodeEvent(
      {
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
        resources: d.members(r.resources).map((id) => d.value(id)),
      },
      this.line(r.id),
      r.extra,
    );
  }

  /** WHERE clause and parameters for a query; null when a filter names something never stored. */
  private where(q: EventQuery): { clauses: string[]; params: (string | number)[] } | null {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (q.since !== undefined) {
      clauses.push('t >= ?');
      params.push(timeToMs(q.since));
    }
    if (q.until !== undefined) {
      clauses.push('t < ?');
      params.push(timeToMs(q.until));
    }
    if (q.accountId !== undefined) {
      const id = this.dict.lookup(q.accountId);
      if (id === undefined) return null;
      clauses.push('account = ?');
      params.push(id);
    }
    if (q.principalArn !== undefined) {
      const id = this.dict.lookup(q.principalArn);
      if (id === undefined) return null;
      clauses.push('principal = ?');
      params.push(id);
    }
    if (q.action !== undefined) {
      const id = this.dict.lookup(q.action);
      if (id === undefined) return null;
      clauses.push('actions IN (SELECT set_id FROM id_set_members WHERE member = ?)');
      params.push(id);
    }
    if (q.errorsOnly) clauses.push('error IS NOT NULL');
    return { clauses, params };
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
    const base = this.where(q);
    if (!base) return;
    const desc = q.newestFirst === true;
    let remaining = q.limit ?? Infinity;
    if (remaining <= 0) return;
    let after: [number, Buffer | string] | null = null;
    while (remaining > 0) {
      const clauses = [...base.clauses];
      const params: (string | number | Buffer)[] = [...base.params];
      if (after) {
        clauses.push(desc ? '(t, event_id) < (?, ?)' : '(t, event_id) > (?, ?)');
        params.push(after[0], after[1]);
      }
      const pageSize = Math.min(PAGE_SIZE, remaining);
      const dir = desc ? 'DESC' : 'ASC';
      const sql = `SELECT ${SELECT_COLUMNS} FROM events${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''}
        ORDER BY t ${dir}, event_id ${dir} LIMIT ${pageSize}`;
      const rows = this.db.prepare<(string | number | Buffer)[], EventRow>(sql).all(...params);
      const page = rows.map((r) => this.toEvent(r));
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

  async principals(q: { until?: string; accountId?: string }) {
    return this.usageAgg.principals(q);
  }
}


