import pg from 'pg';
import type { CustomTypesConfig, PoolClient, QueryResultRow } from 'pg';

/**
 * One area's schema history for PostgreSQL: an append-only list of SQL scripts, version N the
 * N-th entry. Never edit or reorder a shipped entry; append one.
 */
export interface PgAreaMigrations {
  area: string;
  steps: readonly string[];
}

/**
 * int8 (counts, milliseconds) and numeric (sum of int8) as JavaScript numbers: every value the
 * store keeps fits in 2^53 (times in ms, event counts), and callers expect numbers, not strings.
 */
const types: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as CustomTypesConfig['getTypeParser'],
};

/** Connections per process: a writer and a few readers (the CLI never needs more). */
const POOL_SIZE = 4;

export type Pool = pg.Pool;
export type Client = PoolClient;

export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types, application_name: 'trailscope' });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Something to run a query on: the pool (autocommit) or a transaction's client. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * Runs fn in one transaction on one connection: committed when it returns, rolled back when it
 * throws. `begin` may set the isolation, e.g. a read-only snapshot for queries that must agree.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    try {
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}

/** Every statement of the transaction sees the database as it was at its first one. */
export const BEGIN_SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** The one lock key all trailscope migrations of a database take (pg_advisory_lock). */
const MIGRATION_LOCK = 0x7472_6c31; // "trl1"

/**
 * Brings every area up to date in one transaction, each step recorded in schema_migrations(area,
 * version). Workers starting together wait for each other on an advisory lock, so a step runs
 * once. A database written by a newer trailscope is refused.
 */
export async function migrate(pool: pg.Pool, areas: readonly PgAreaMigrations[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (area text NOT NULL, version integer NOT NULL, PRIMARY KEY (area, version))');
      const { rows } = await client.query<{ area: string; v: number }>('SELECT area, max(version) AS v FROM schema_migrations GROUP BY area');
      const have = new Map(rows.map((r) => [r.area, r.v]));
      const pending: { area: string; version: number; sql: string }[] = [];
      for (const a of areas) {
        const current = have.get(a.area) ?? 0;
        if (current > a.steps.length) {
          throw new Error(`database schema of area "${a.area}" is version ${current}, newer than this trailscope knows (${a.steps.length}): upgrade trailscope`);
        }
        for (let v = current + 1; v <= a.steps.length; v++) pending.push({ area: a.area, version: v, sql: a.steps[v - 1]! });
      }
      if (pending.length === 0) return;
      // All pending steps in one transaction: a database is never left half migrated.
      await client.query('BEGIN');
      try {
        for (const step of pending) {
          try {
            await client.query(step.sql);
          } catch (err) {
            throw new Error(`migration ${step.area} v${step.version} failed: ${(err as Error).message}`, { cause: err });
          }
          await client.query('INSERT INTO schema_migrations (area, version) VALUES ($1, $2)', [step.area, step.version]);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** Versions per area (tests, status). */
export async function schemaVersions(pool: Queryable): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ area: string; v: number }>('SELECT area, max(version) AS v FROM schema_migrations GROUP BY area ORDER BY area');
  return Object.fromEntries(rows.map((r) => [r.area, r.v]));
}

const ESC = '\uFFFF';

/**
 * PostgreSQL text cannot hold U+0000, and CloudTrail content may: such strings are stored with
 * U+0000 as ESC '0' and ESC itself (a noncharacter, never in real content) doubled. Reversible,
 * and the identity for every string without either character, so filters encode their values
 * the same way and still match.
 */
export function toPgText(s: string): string;
export function toPgText(s: string | null | undefined): string | null;
export function toPgText(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  if (!s.includes('\u0000') && !s.includes(ESC)) return s;
  return s.replaceAll(ESC, ESC + ESC).replaceAll('\u0000', `${ESC}0`);
}

export function fromPgText(s: string): string;
export function fromPgText(s: string | null): string | null;
export function fromPgText(s: string | null): string | null {
  if (s === null || !s.includes(ESC)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ESC && i + 1 < s.length) {
      const next = s[++i]!;
      out += next === '0' ? '\u0000' : next;
    } else out += c;
  }
  return out;
}

/** A URL for logs: the password, if any, is not shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
