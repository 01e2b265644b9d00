/** TransferStore on SQLite (see ../types-transfer.ts): plain tables as they are, dictionary ids mapped to their strings. */
import type { Database as Db } from 'better-sqlite3';
import type { TransferPage, TransferRow, TransferStore, TransferTable, TransferValue } from '../types.js';
import { PLAIN_TABLES, checkTable, isPlainTable, quote, type PlainTableSpec } from '../transfer-tables.js';
import type { Dictionary } from './dictionary.js';
import { decodeEventId, encodeEventId } from './codec.js';
import { countClaims, countOrigins, readClaims, readOrigins, writeClaims, writeOrigins } from './transfer-provenance.js';

/** usage_hourly's action for events that mapped to no action (see ./usage.ts); '' in neutral rows. */
const NO_ACTION = 0;

type SqlValue = string | number | bigint | Buffer | null;

function keysetClause(key: readonly string[], after: unknown): { sql: string; params: SqlValue[] } {
  if (after === null || after === undefined) return { sql: '', params: [] };
  const values = after as SqlValue[];
  return { sql: `WHERE (${key.map(quote).join(', ')}) > (${key.map(() => '?').join(', ')})`, params: values };
}

export class SqliteTransfer implements TransferStore {
  constructor(
    private readonly db: Db,
    /** The event store's dictionary: interning goes through its cache. */
    private readonly dict: Dictionary,
  ) {}

  async readRows(table: TransferTable, after: unknown, limit: number): Promise<TransferPage> {
    checkTable(table);
    if (isPlainTable(table)) return this.readPlain(table, PLAIN_TABLES[table], after, limit);
    if (table === 'event_origins') return readOrigins(this.db, after, limit);
    if (table === 'event_claims') return readClaims(this.db, after, limit);
    const key = table === 'principals' ? ['principal'] : ['hour', 'principal', 'action', 'ok'];
    const where = keysetClause(key, after);
    const rows = this.db
      .prepare<SqlValue[], Record<string, SqlValue>>(`SELECT * FROM ${table} ${where.sql} ORDER BY ${key.join(', ')} LIMIT ${Math.floor(limit)}`)
      .all(...where.params);
    const d = this.dict;
    const out = rows.map((r): TransferRow =>
      table === 'principals'
        ? { principal: d.value(r.principal as number), account: d.valueNullable(r.account as number | null), itype: d.valueNullable(r.itype as number | null) }
        : {
            hour: r.hour as number,
            principal: d.value(r.principal as number),
            action: r.action === NO_ACTION ? '' : d.value(r.action as number),
            ok: r.ok === 1,
            n: r.n as number,
            first_ms: r.first_ms as number,
            last_ms: r.last_ms as number,
            sample: decodeEventId(r.sample as Buffer | string),
            sessions: JSON.stringify(ids(r.sessions as string).map((s) => d.value(s))),
          },
    );
    const last = rows[rows.length - 1];
    return { rows: out, next: rows.length < limit || !last ? null : key.map((k) => last[k]!) };
  }

  private readPlain(table: string, spec: PlainTableSpec, after: unknown, limit: number): TransferPage {
    const extra = spec.key.filter((k) => !spec.columns.includes(k));
    const where = keysetClause(spec.key, after);
    const rows = this.db
      .prepare<SqlValue[], Record<string, SqlValue>>(
        `SELECT ${[...spec.columns, ...extra].map(quote).join(', ')} FROM ${table} ${where.sql} ORDER BY ${spec.key.map(quote).join(', ')} LIMIT ${Math.floor(limit)}`,
      )
      .all(...where.params);
    const out = rows.map((r) => {
      const row: TransferRow = {};
      for (const c of spec.columns) row[c] = spec.booleans?.includes(c) ? r[c] === 1 : (r[c] as TransferValue);
      return row;
    });
    const last = rows[rows.length - 1];
    return { rows: out, next: rows.length < limit || !last ? null : spec.key.map((k) => last[k]!) };
  }

  async writeRows(table: TransferTable, rows: readonly TransferRow[]): Promise<void> {
    checkTable(table);
    if (rows.length === 0) return;
    const write = this.db.transaction(() => {
      if (isPlainTable(table)) this.writePlain(table, PLAIN_TABLES[table], rows);
      else if (table === 'event_origins') writeOrigins(this.db, rows);
      else if (table === 'event_claims') writeClaims(this.db, rows);
      else if (table === 'principals') {
        const put = this.db.prepare('INSERT OR REPLACE INTO principals (principal, account, itype) VALUES (?, ?, ?)');
        for (const r of rows) put.run(this.dict.intern(String(r.principal)), this.dict.internNullable(r.account as string | null), this.dict.internNullable(r.itype as string | null));
      } else {
        const put = this.db.prepare('INSERT OR REPLACE INTO usage_hourly (principal, action, hour, ok, n, first_ms, last_ms, sample, sessions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
        for (const r of rows) {
          const sessions = (JSON.parse(String(r.sessions)) as string[]).map((s) => this.dict.intern(s));
          put.run(
            this.dict.intern(String(r.principal)),
            r.action === '' ? NO_ACTION : this.dict.intern(String(r.action)),
            r.hour,
            r.ok ? 1 : 0,
            r.n,
            r.first_ms,
            r.last_ms,
            encodeEventId(String(r.sample)),
            sessions.join(','),
          );
        }
      }
    });
    try {
      write.immediate();
      this.dict.commit();
    } catch (err) {
      this.dict.rollback();
      throw err;
    }
  }

  private writePlain(table: TransferTable, spec: PlainTableSpec, rows: readonly TransferRow[]): void {
    const cols = spec.columns;
    const put = this.db.prepare(`INSERT ${spec.appendOnly ? '' : 'OR REPLACE '}INTO ${table} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    for (const r of rows) put.run(...cols.map((c) => (typeof r[c] === 'boolean' ? (r[c] ? 1 : 0) : (r[c] as SqlValue))));
    if (table === 'coverage_hourly') {
      // coverage_regions summarises coverage_hourly per account and region (see ./coverage.ts).
      const pairs = new Map(rows.map((r) => [`${String(r.account)}\u0000${String(r.region)}`, [r.account, r.region] as [string, string]]));
      const region = this.db.prepare(
        `INSERT OR REPLACE INTO coverage_regions (account, region, first_hour, last_hour)
         SELECT account, region, min(hour), max(hour) FROM coverage_hourly WHERE account = ? AND region = ? GROUP BY account, region`,
      );
      for (const [account, r] of pairs.values()) region.run(account, r);
    }
  }

  async clear(table: TransferTable): Promise<void> {
    checkTable(table);
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM ${table}`).run();
      if (table === 'coverage_hourly') this.db.prepare('DELETE FROM coverage_regions').run();
    }).immediate();
  }

  async count(table: TransferTable): Promise<number> {
    checkTable(table);
    if (table === 'event_origins') return countOrigins(this.db);
    if (table === 'event_claims') return countClaims(this.db);
    return this.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
  }
}

function ids(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}
