import type { Database as Db, Statement } from 'better-sqlite3';
import type { FileKind } from '../../model/index.js';
import type { FileRecord, FileStatus, FileStore } from '../types.js';
import type { AreaMigrations } from './database.js';

export const FILES_MIGRATIONS: AreaMigrations = {
  area: 'files',
  steps: [
    `CREATE TABLE files (
      source TEXT NOT NULL,
      key TEXT NOT NULL,
      size INTEGER,
      etag TEXT,
      status TEXT NOT NULL CHECK (status IN ('done', 'skipped', 'failed')),
      kind TEXT NOT NULL,
      event_count INTEGER NOT NULL,
      new_events INTEGER NOT NULL,
      error TEXT,
      connector TEXT,
      account_id TEXT,
      processed_at TEXT NOT NULL,
      PRIMARY KEY (source, key)
    ) WITHOUT ROWID;`,
  ],
};

interface FileRow {
  source: string;
  key: string;
  size: number | null;
  etag: string | null;
  status: FileStatus;
  kind: FileKind;
  event_count: number;
  new_events: number;
  error: string | null;
  connector: string | null;
  account_id: string | null;
  processed_at: string;
}

function fromRow(r: FileRow): FileRecord {
  const rec: FileRecord = {
    source: r.source,
    key: r.key,
    status: r.status,
    kind: r.kind,
    eventCount: r.event_count,
    newEvents: r.new_events,
    error: r.error,
    accountId: r.account_id,
    processedAt: r.processed_at,
  };
  if (r.size !== null) rec.size = r.size;
  if (r.etag !== null) rec.etag = r.etag;
  if (r.connector !== null) rec.connector = r.connector;
  return rec;
}

/** The largest string that starts with nothing but `prefix` sorts below (UTF-8 byte order). */
const AFTER_PREFIX = '\u{10FFFF}';

export class SqliteFileStore implements FileStore {
  private readonly upsertStmt: Statement;
  private readonly getStmt: Statement<[string, string], FileRow>;
  private readonly keysStmt: Statement<[string, string, string], string>;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO files
      (source, key, size, etag, status, kind, event_count, new_events, error, connector, account_id, processed_at)
      VALUES (@source, @key, @size, @etag, @status, @kind, @eventCount, @newEvents, @error, @connector, @accountId, @processedAt)
      ON CONFLICT (source, key) DO UPDATE SET
        size = excluded.size, etag = excluded.etag, status = excluded.status, kind = excluded.kind,
        event_count = excluded.event_count, new_events = excluded.new_events, error = excluded.error,
        connector = excluded.connector, account_id = excluded.account_id, processed_at = excluded.processed_at`);
    this.getStmt = db.prepare<[string, string], FileRow>('SELECT * FROM files WHERE source = ? AND key = ?');
    this.keysStmt = db.prepare<[string, string, string], string>('SELECT key FROM files WHERE source = ? AND key >= ? AND key < ?').pluck();
  }

  /** Writes the record; synchronous so it can join the events' transaction. */
  upsert(file: FileRecord): void {
    this.upsertStmt.run({
      source: file.source,
      key: file.key,
      size: file.size ?? null,
      etag: file.etag ?? null,
      status: file.status,
      kind: file.kind,
      eventCount: file.eventCount,
      newEvents: file.newEvents,
      error: file.error ?? null,
      connector: file.connector ?? null,
      accountId: file.accountId ?? null,
      processedAt: file.processedAt,
    });
  }

  async get(source: string, key: string): Promise<FileRecord | undefined> {
    const row = this.getStmt.get(source, key);
    return row ? fromRow(row) : undefined;
  }

  async record(file: FileRecord): Promise<void> {
    this.upsert(file);
  }

  async listKeys(source: string, prefix: string): Promise<Set<string>> {
    const keys = this.keysStmt.all(source, prefix, prefix + AFTER_PREFIX);
    return new Set(keys.filter((k) => k.startsWith(prefix)));
  }

  async count(q: { status?: FileStatus; connector?: string } = {}): Promise<number> {
    const where: string[] = [];
    const params: string[] = [];
    if (q.status !== undefined) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.connector !== undefined) {
      where.push('connector = ?');
      params.push(q.connector);
    }
    const sql = `SELECT count(*) FROM files${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    return this.db.prepare<string[], number>(sql).pluck().get(...params) ?? 0;
  }
}
