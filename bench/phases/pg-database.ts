/**
 * Benchmark databases on the PostgreSQL server at $TRAILSCOPE_BENCH_PG (an admin URL; default the
 * local server as user postgres): created empty or reused, by name.
 */
import pg from 'pg';

export const BENCH_PG_ADMIN = process.env.TRAILSCOPE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be used, or null when it can. */
export async function pgUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: BENCH_PG_ADMIN, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `no PostgreSQL server at ${new URL(BENCH_PG_ADMIN).host} (${(err as Error).message || String(err)}); set TRAILSCOPE_BENCH_PG to an admin URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL of database `name` on the benchmark server. */
export function benchDatabaseUrl(name: string): string {
  const url = new URL(BENCH_PG_ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and creates database `name` (a fixed benchmark name, never user input). */
export async function recreateDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad benchmark database name ${name}`);
  const client = new pg.Client({ connectionString: BENCH_PG_ADMIN });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return benchDatabaseUrl(name);
}

/** Events stored and database size in bytes; null when the database does not exist. */
export async function databaseFacts(name: string): Promise<{ events: number; bytes: number } | null> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl(name) });
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    const size = await client.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
    const events = await client.query<{ n: string }>('SELECT count(*) AS n FROM events').catch(() => ({ rows: [{ n: '0' }] }));
    return { events: Number(events.rows[0]?.n ?? 0), bytes: Number(size.rows[0]?.b ?? 0) };
  } finally {
    await client.end();
  }
}
