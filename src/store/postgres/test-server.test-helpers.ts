/**
 * The PostgreSQL server tests run against: $TRAILSCOPE_TEST_PG (an admin URL) or the local
 * server at 127.0.0.1:5432 as user postgres. Each test gets a database of its own, dropped at the
 * end; when the server cannot be reached, callers skip with the reason instead of passing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.TRAILSCOPE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be used, or null when it can. */
export async function unreachableReason(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL not reachable at ${new URL(ADMIN_URL).host}: ${(err as Error).message || String(err)}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Throw-away stores on the test server: one database per test process, one schema per store
 * (creating a schema takes milliseconds, a database a second). A store's URL selects its schema
 * with search_path, so the store sees nothing of the others.
 */
export class TestDatabases {
  private database: string | null = null;

  /** A new empty store location (URL). */
  async fresh(): Promise<string> {
    if (this.database === null) {
      const name = `trailscope_test_${randomBytes(6).toString('hex')}`;
      await this.admin(ADMIN_URL, `CREATE DATABASE ${name}`);
      this.database = name;
    }
    const schema = `s_${randomBytes(6).toString('hex')}`;
    const url = new URL(ADMIN_URL);
    url.pathname = `/${this.database}`;
    await this.admin(url.toString(), `CREATE SCHEMA ${schema}`);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  }

  /** A new empty database of its own (for what must not share one: CLI runs, advisory locks). */
  async freshDatabase(): Promise<string> {
    const name = `trailscope_test_${randomBytes(6).toString('hex')}`;
    await this.admin(ADMIN_URL, `CREATE DATABASE ${name}`);
    this.extra.push(name);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }

  private readonly extra: string[] = [];

  async dropAll(): Promise<void> {
    const names = [...(this.database ? [this.database] : []), ...this.extra.splice(0)];
    this.database = null;
    for (const name of names) await this.admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  private async admin(url: string, sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
