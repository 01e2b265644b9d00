import type { Store } from './types.js';
import { openSqliteStore } from './sqlite/index.js';

/** True for a PostgreSQL connection URL (postgres:// or postgresql://). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export interface OpenStoreOptions {
  /**
   * Create the store when absent (default true: commands that bring data in). Commands that only
   * read pass false, so a mistyped --db is an error instead of a new empty database.
   */
  create?: boolean;
}

/**
 * Opens the store at `location`: a postgres:// or postgresql:// URL selects PostgreSQL;
 * anything else is a SQLite file path (created, with its parent folders, when absent and
 * `create` is not false). A SQLite file of another application is refused and left untouched.
 */
export async function openStore(location: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) {
    const { openPostgresStore } = await import('./postgres/index.js');
    return openPostgresStore(location);
  }
  if (location.trim() === '') throw new Error('no store location given: pass --db <path> or set $TRAILSCOPE_DB');
  return openSqliteStore(location, opts);
}

/** $TRAILSCOPE_DB when set, otherwise ./trailscope.db. */
export function defaultDbPath(): string {
  const env = process.env.TRAILSCOPE_DB;
  return env !== undefined && env.trim() !== '' ? env : './trailscope.db';
}
