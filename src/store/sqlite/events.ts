import type { Database as Db, Statement } from 'better-sqlite3';
import type { NormalizedEvent } from '../../model/index.js';
import type { CommitResult, EventQuery, EventStats, EventStore, FileRecord, UsageQuery, UsageRow } from '../types.js';
import { Dictionary } from './dictionary.js';
import { columnsOnlyEvent, decodeEvent, decodeEventId, encodeEventId, encodeRaw, msToTime, timeToMs } from './codec.js';
import type { EventColumns } from './codec.js';
import type { SqliteFileStore } from './files.js';
import { RawBlocks } from './raw-blocks.js';
import { UsageAggregator } from './usage.js';
import type { EventRowForUsage } from './usage.js';

export { EVENTS_MIGRATIONS } from './events-schema.js';

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

const SELECT_COLUMNS = 'id, event_id, t, api, account, principal, p_account, itype, session, error, actions, resources, extra';

export class SqliteEventStore implements EventStore {
  readonly dict: Dictionary;
  private readonly usageAgg: UsageAggregator;
  private readonly insertStmt: Statement;
  private readonly blocks: RawBlocks;
  private readonly upsertPrincipalStmt: Statement<[number, number | null, number | null]>;
  private readonly setExtraStmt: Statement<[string, number]>;
  private readonly commitTx: (file: FileRecord | null, events: NormalizedEvent[]) => CommitResult;
  private readonly commitManyTx: (batch: { file: FileRecord; events: NormalizedEvent[] }[]) => CommitResult[];

  constructor(
    private readonly db: Db,
    private readonly files: SqliteFileStore,
  ) {
    this.dict = new Dictionary(db);
    this.usageAgg = new UsageAggregator(db, this.dict);
    this.blocks = new RawBlocks(db);
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO events (event_id, t, api, account, principal, p_account, itype, session, error, actions, resources, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setExtraStmt = db.prepare('UPDATE events SET extra = ? WHERE id = ?');
    this.upsertPrincipalStmt = db.prepare(
      `INSERT INTO principals (principal, account, itype) VALUES (?, ?, ?)
       ON CONFLICT (principal) DO UPDATE SET account = coalesce(principals.account, excluded.account),
         itype = coalesce(principals.itype, excluded.itype)
       WHERE principals.account IS NULL OR principals.itype IS NULL`,
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
    await this.blocks.waitForCompression();
    const results = this.commitManyTx(batch);
    this.blocks.afterCommit(results);
    return results;
  }

  private async commit(file: FileRecord | null, events: NormalizedEvent[]): Promise<CommitResult> {
    await this.blocks.waitForCompression();
    const result = this.commitTx(file, events);
    this.blocks.afterCommit([result]);
    return result;
  }

  /** The last compaction failure (the data stays plain and correct; retried on the next commit). */
  get lastCompactionError(): Error | null {
    return this.blocks.lastCompactionError;
  }

  /** Waits for compression under way, then compresses what is ready (for close and tests). */
  async settle(): Promise<void> {
    await this.blocks.settle();
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
   * blocks of BLOCK_TARGET events or more (see RawBlocks in ./raw-blocks.js): CloudTrail files are often
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
    this.blocks.writePlain(first, lines);
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
      resources: d.members(r.resources).map((id) => d.value(id)),
    };
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
    if (q.anyAction !== undefined) {
      const ids = [...new Set(q.anyAction)].map((a) => this.dict.lookup(a)).filter((id): id is number => id !== undefined);
      if (ids.length === 0) return null;
      clauses.push(`actions IN (SELECT set_id FROM id_set_members WHERE member IN (${ids.map(() => '?').join(', ')}))`);
      params.push(...ids);
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

