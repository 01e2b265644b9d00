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

/** Creates and drops throw-away databases on the test server. */
export class TestDatabases {
  private readonly created: string[] = [];

  /** A new empty database; its URL. */
  async fresh(): Promise<string> {
    const name = `trailscope_test_${randomBytes(6).toString('hex')}`;
    await this.admin(`CREATE DATABASE ${name}`);
    this.created.push(name);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async dropAll(): Promise<void> {
    for (const name of this.created.splice(0)) await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
