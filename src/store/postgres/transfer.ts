/** TransferStore on PostgreSQL (see ../types-transfer.ts): one multi-row upsert per batch, event-derived text unescaped to neutral rows. */
import { markUsageHours } from './usage-daily.js';
import type { TransferPage, TransferRow, TransferStore, TransferTable, TransferValue } from '../types.js';
import { PLAIN_TABLES, checkTable, isPlainTable, quote } from '../transfer-tables.js';
import { fromPgText, inTransaction, toPgText, type Pool, type Queryable } from './database.js';
import { countProvenance, readClaims, readOrigins, writeClaims, writeOrigins } from './transfer-provenance.js';

interface Columns {
  columns: readonly string[];
  key: readonly string[];
  jsonb: readonly string[];
  pgText: readonly string[];
  appendOnly: boolean;
}

/** principals and usage_hourly: the same columns as the neutral rows, text escaped by toPgText. */
const DERIVED: Record<'principals' | 'usage_hourly', Columns> = {
  principals: { columns: ['principal', 'account', 'itype'], key: ['principal'], jsonb: [], pgText: ['principal', 'account', 'itype'], appendOnly: false },
  usage_hourly: {
    columns: ['hour', 'principal', 'action', 'ok', 'n', 'first_ms', 'last_ms', 'sample', 'sessions'],
    key: ['hour', 'principal', 'action', 'ok'],
    jsonb: ['sessions'],
    pgText: ['principal', 'action', 'sample'],
    appendOnly: false,
  },
};

function columnsOf(table: Exclude<TransferTable, 'event_origins' | 'event_claims'>): Columns {
  if (!isPlainTable(table)) return DERIVED[table];
  const s = PLAIN_TABLES[table];
  return { columns: s.columns, key: s.key, jsonb: s.jsonb ?? [], pgText: s.pgText ?? [], appendOnly: s.appendOnly === true };
}

/** connector_counters keeps each ISO time beside its ms, to order them (see ./ingest-state.ts). */
const COUNTER_MS: Record<string, string> = { last_message_at: 'last_message_ms', last_file_at: 'last_file_ms', newest_event_time: 'newest_event_ms' };

function msOf(iso: TransferValue): number | null {
  if (typeof iso !== 'string') return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Bind parameters per statement stay well under PostgreSQL's 65535. */
const MAX_PARAMS = 30_000;

export class PgTransfer implements TransferStore {
  constructor(private readonly pool: Pool) {}

  async readRows(table: TransferTable, after: unknown, limit: number): Promise<TransferPage> {
    checkTable(table);
    if (table === 'event_origins') return readOrigins(this.pool, after, limit);
    if (table === 'event_claims') return readClaims(this.pool, after, limit);
    const c = columnsOf(table);
    const extra = c.key.filter((k) => !c.columns.includes(k));
    const select = [...c.columns.map((col) => (c.jsonb.includes(col) ? `${quote(col)}::text AS ${quote(col)}` : quote(col))), ...extra.map(quote)];
    const params = after === null || after === undefined ? [] : (after as unknown[]);
    const where = params.length ? `WHERE (${c.key.map(quote).join(', ')}) > (${c.key.map((_, i) => `$${i + 1}`).join(', ')})` : '';
    const { rows } = await this.pool.query<Record<string, TransferValue>>(
      `SELECT ${select.join(', ')} FROM ${table} ${where} ORDER BY ${c.key.map(quote).join(', ')} LIMIT ${Math.floor(limit)}`,
      params,
    );
    const out = rows.map((r) => {
      const row: TransferRow = {};
      for (const col of c.columns) {
        const v = r[col] ?? null;
        row[col] = c.pgText.includes(col) && typeof v === 'string' ? fromPgText(v) : v;
      }
      if (table === 'usage_hourly') row.sessions = JSON.stringify((JSON.parse(String(r.sessions)) as string[]).map((s) => fromPgText(s)));
      return row;
    });
    const last = rows[rows.length - 1];
    return { rows: out, next: rows.length < limit || !last ? null : c.key.map((k) => last[k]) };
  }

  async writeRows(table: TransferTable, rows: readonly TransferRow[]): Promise<void> {
    checkTable(table);
    if (rows.length === 0) return;
    if (table === 'event_origins') return writeOrigins(this.pool, rows);
    if (table === 'event_claims') return inTransaction(this.pool, (client) => writeClaims(client, rows));
    const c = columnsOf(table);
    const cols = [...c.columns, ...(table === 'connector_counters' ? Object.values(COUNTER_MS) : [])];
    const values = (r: TransferRow): unknown[] =>
      cols.map((col) => {
        const msFor = Object.entries(COUNTER_MS).find(([, ms]) => ms === col);
        if (table === 'connector_counters' && msFor) return msOf(r[msFor[0]] ?? null);
        const v = r[col] ?? null;
        if (table === 'usage_hourly' && col === 'sessions') return JSON.stringify((JSON.parse(String(v)) as string[]).map((s) => toPgText(s)));
        return c.pgText.includes(col) && typeof v === 'string' ? toPgText(v) : v;
      });
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
    const conflict = c.appendOnly
      ? ''
      : `ON CONFLICT (${c.key.map(quote).join(', ')}) DO UPDATE SET ${cols
          .filter((col) => !c.key.includes(col))
          .map((col) => `${quote(col)} = excluded.${quote(col)}`)
          .join(', ')}`;
    await inTransaction(this.pool, async (client) => {
      for (let i = 0; i < rows.length; i += perStatement) {
        const slice = rows.slice(i, i + perStatement);
        const params: unknown[] = [];
        const tuples = slice.map((r) => {
          const placeholders = values(r).map((v, j) => {
            params.push(v);
            return c.jsonb.includes(cols[j]!) ? `$${params.length}::jsonb` : `$${params.length}`;
          });
          return `(${placeholders.join(', ')})`;
        });
        await client.query(`INSERT INTO ${table} (${cols.map(quote).join(', ')}) VALUES ${tuples.join(', ')} ${conflict}`, params);
      }
      if (table === 'coverage_hourly') await refreshRegions(client, rows);
      // The daily rollup is rebuilt from the hourly buckets of the days marked dirty: copied or
      // cleared buckets must mark their days as commits do.
      if (table === 'usage_hourly') await markUsageHours(client, rows.map((r) => Number(r.hour)));
    });
  }

  async clear(table: TransferTable): Promise<void> {
    checkTable(table);
    if (table === 'event_origins') {
      await this.pool.query('UPDATE events SET origin = NULL WHERE origin IS NOT NULL');
      return;
    }
    await inTransaction(this.pool, async (client) => {
      await client.query(`DELETE FROM ${table}`);
      if (table === 'usage_hourly') await client.query('DELETE FROM usage_daily; DELETE FROM usage_daily_dirty');
      if (table === 'coverage_hourly') await client.query('DELETE FROM coverage_regions; DELETE FROM coverage_by_connector');
    });
  }

  async count(table: TransferTable): Promise<number> {
    checkTable(table);
    if (table === 'event_origins' || table === 'event_claims') return countProvenance(this.pool, table);
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    return rows[0]!.n;
  }
}

/** coverage_regions summarises coverage_hourly per account and region (see ./coverage.ts). */
async function refreshRegions(db: Queryable, rows: readonly TransferRow[]): Promise<void> {
  const pairs = new Map(rows.map((r) => [`${String(r.account)}\u0000${String(r.region)}`, [toPgText(String(r.account)), toPgText(String(r.region))]]));
  const accounts = [...pairs.values()].map((p) => p[0]);
  const regions = [...pairs.values()].map((p) => p[1]);
  await db.query(
    `INSERT INTO coverage_regions (account, region, first_hour, last_hour)
     SELECT h.account, h.region, min(h.hour), max(h.hour) FROM coverage_hourly h
     JOIN unnest($1::text[], $2::text[]) AS p (account, region) ON p.account = h.account AND p.region = h.region
     GROUP BY h.account, h.region
     ON CONFLICT (account, region) DO UPDATE SET first_hour = excluded.first_hour, last_hour = excluded.last_hour`,
    [accounts, regions],
  );
}
