import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * One area's schema history: an append-only list of SQL scripts. Version N is the N-th entry
 * (1-based). Never edit or reorder an entry that has shipped; append a new one instead.
 */
export interface AreaMigrations {
  area: string;
  steps: readonly string[];
}

/** How long a connection waits for another process's write lock before failing (ms). */
export const BUSY_TIMEOUT_MS = 30_000;

export interface OpenDatabaseOptions {
  /** Create the file (and its folders) when absent. Default true; readers pass false. */
  create?: boolean;
  /**
   * The store's schema: a file not stamped with TRAILSCOPE_APPLICATION_ID is taken for a store
   * written before the stamp only when it holds nothing but these areas' tables.
   */
  areas?: readonly AreaMigrations[];
}

/**
 * SQLite's application_id of trailscope stores ('TrSc'), stamped in the file header on open, so a
 * store is recognised by more than its table names: another application's file may well have a
 * schema_migrations table, or even tables named like ours.
 */
export const TRAILSCOPE_APPLICATION_ID = 0x54725363;

/** The store cannot be opened: the message names the file, says why and how to fix it. */
export class StoreOpenError extends Error {}

/**
 * Opens a SQLite database for the store: WAL (readers never block the writer and see only
 * committed transactions), synchronous=NORMAL (durable across process crashes; a power loss
 * may lose the last transactions, never corrupt), and a busy timeout so a second process
 * (the CLI reading while `ingest` writes, `backfill` beside `ingest`) waits instead of failing.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Db {
  const file = resolve(path);
  const create = opts.create ?? true;
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new StoreOpenError(`cannot open database ${file}: it is a directory; pass --db the path of a file`);
  } else if (!create) {
    throw new StoreOpenError(
      `database ${file} does not exist (nothing was created): bring data in first with \`trailscope import <dir>\`, \`trailscope ingest …\`, \`trailscope backfill …\` or \`trailscope iam import <auth.json>\`, or point --db (or $TRAILSCOPE_DB) at an existing trailscope database`,
    );
  } else {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw new StoreOpenError(`cannot create the folder of database ${file}: ${(err as Error).message}; create it or choose another --db path`, { cause: err });
    }
  }
  let db: Db;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS, fileMustExist: !create });
  } catch (err) {
    throw new StoreOpenError(`cannot open database ${file}: ${(err as Error).message} (${whyCannotOpen(file)})`, { cause: err });
  }
  try {
    // before any pragma that writes: a file of another application must be left as it was
    assertTrailscopeDatabase(db, file, opts.areas);
  } catch (err) {
    db.close();
    throw err;
  }
  try {
    // Takes effect only on a new file: lets close() hand back pages freed by compression.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    // 16 MiB of page cache: inserts are local in time (see EVENTS_MIGRATIONS), so a small cache keeps
    // the hot end of the index; reads of older pages come from the OS cache.
    db.pragma('cache_size = -16384');
    db.pragma('temp_store = MEMORY');
    // Checkpoint every ~16 MiB of WAL rather than 4: recent pages (plain blocks, the index's
    // right edge) are rewritten several times and only their last version is copied back.
    db.pragma('wal_autocheckpoint = 4000');
  } catch (err) {
    db.close();
    throw new StoreOpenError(`cannot open ${file} as a SQLite database: ${(err as Error).message} (${whyCannotOpen(file)})`, { cause: err });
  }
  return db;
}

/**
 * Refuses a SQLite file that is not a trailscope store. A store carries trailscope's
 * application_id; an empty file is a new store; a file without the id (a store written before it
 * was stamped) must hold trailscope's schema_migrations(area, version) and, when the schema is
 * known (areas), no table but trailscope's. Another application's id is refused outright.
 */
function assertTrailscopeDatabase(db: Db, file: string, areas: readonly AreaMigrations[] | undefined): void {
  let tables: string[];
  let applicationId: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    tables = listTables(db);
  } catch (err) {
    throw new StoreOpenError(
      `cannot open ${file}: ${(err as Error).message}; it is not a SQLite database trailscope can read; pass --db a new path or a trailscope database`,
      { cause: err },
    );
  }
  if (applicationId === TRAILSCOPE_APPLICATION_ID) return;
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? `, … (${tables.length} tables)` : '');
  const refuse = (why: string) =>
    new StoreOpenError(
      `${file} is a SQLite database of another application (${why}), not a trailscope store; it was left untouched: pass --db a new path or a trailscope database`,
    );
  if (applicationId !== 0) throw refuse(`application_id 0x${(applicationId >>> 0).toString(16)}${tables.length ? `, tables: ${shown}` : ''}`);
  if (tables.length === 0) return;
  const columns = tables.includes('schema_migrations')
    ? db.prepare<[], { name: string }>('PRAGMA table_info(schema_migrations)').all().map((c) => c.name)
    : [];
  if (!columns.includes('area') || !columns.includes('version')) throw refuse(`tables: ${shown}`);
  if (!areas) return;
  const ours = new Set(schemaTables(areas));
  const foreign = tables.filter((t) => !ours.has(t));
  if (foreign.length > 0) throw refuse(`tables trailscope never creates: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}`);
}

function listTables(db: Db): string[] {
  return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").pluck().all();
}

const schemaTablesCache = new WeakMap<readonly AreaMigrations[], string[]>();

/**
 * Every table and view the areas' migrations create, at any version: found by running them on an
 * in-memory database, so the list cannot drift from the migrations.
 */
function schemaTables(areas: readonly AreaMigrations[]): string[] {
  let names = schemaTablesCache.get(areas);
  if (names) return names;
  const memory = new Database(':memory:');
  try {
    const seen = new Set<string>(['schema_migrations']);
    memory.exec('CREATE TABLE schema_migrations (area TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (area, version)) WITHOUT ROWID');
    for (const area of areas) {
      for (const step of area.steps) {
        memory.exec(step);
        // tables dropped by a later step existed in stores of that version
        for (const t of listTables(memory)) seen.add(t);
      }
    }
    names = [...seen];
  } finally {
    memory.close();
  }
  schemaTablesCache.set(areas, names);
  return names;
}

/** A best guess at why SQLite could not open the file, from the file system's point of view. */
export function whyCannotOpen(file: string): string {
  const dir = dirname(file);
  if (!existsSync(dir)) return `the folder ${dir} does not exist`;
  try {
    accessSync(dir, fsConstants.W_OK | fsConstants.X_OK);
  } catch {
    return `no permission to write in ${dir} (SQLite needs it for the -wal and -shm files)`;
  }
  if (existsSync(file)) {
    try {
      accessSync(file, fsConstants.R_OK | fsConstants.W_OK);
    } catch {
      return `no permission to read and write ${file}`;
    }
  }
  return 'check that the path is a file you can read and write';
}

/**
 * Brings every area's schema up to date, each area on its own version line, recorded in
 * schema_migrations(area, version). Runs in one IMMEDIATE transaction so two processes opening
 * the same new file do not both migrate. Idempotent: reopening applies nothing.
 */
export function migrate(db: Db, areas: readonly AreaMigrations[]): void {
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      area TEXT NOT NULL,
      version INTEGER NOT NULL,
      applied_at TEXT NOT NULL,
      PRIMARY KEY (area, version)
    ) WITHOUT ROWID`);
    const current = db.prepare<[string], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations WHERE area = ?');
    const record = db.prepare('INSERT INTO schema_migrations (area, version, applied_at) VALUES (?, ?, ?)');
    for (const { area, steps } of areas) {
      const have = current.get(area)?.v ?? 0;
      if (have > steps.length) {
        throw new Error(
          `the database's "${area}" schema is at version ${have} but this trailscope knows only ${steps.length}: it was written by a newer trailscope; upgrade trailscope`,
        );
      }
      for (let v = have + 1; v <= steps.length; v++) {
        db.exec(steps[v - 1]!);
        record.run(area, v, new Date().toISOString());
      }
    }
  });
  run.immediate();
}

/**
 * Runs `run`, a write transaction begun IMMEDIATE (a writer in another process waits, then sees
 * what it did); false when the database cannot be written (a read-only file), for callers that
 * can read without what the transaction would have kept up to date.
 */
export function immediateUnlessReadOnly(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_READONLY')) return false;
    throw err;
  }
}

/**
 * Returns free pages to the file system when many have gathered (compression frees the plain
 * copies of recent commits). Cheap when there is little to do; a no-op on files created
 * without auto_vacuum.
 */
export function releaseFreePages(db: Db, atLeastPages = 256): void {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (free >= atLeastPages) db.pragma('incremental_vacuum');
}

/** The schema version of each area (for diagnostics and tests). */
export function schemaVersions(db: Db): Record<string, number> {
  const rows = db.prepare<[], { area: string; v: number }>('SELECT area, max(version) AS v FROM schema_migrations GROUP BY area').all();
  return Object.fromEntries(rows.map((r) => [r.area, r.v]));
}
