import type { FileKind } from '../../model/index.js';
import type { FileRecord, FileStatus, FileStore } from '../types.js';
import type { PgAreaMigrations, Pool, Queryable } from './database.js';

export const PG_FILES_MIGRATIONS: PgAreaMigrations = {
  area: 'files',
  steps: [
    `CREATE TABLE files (
      source text NOT NULL,
      key text COLLATE "C" NOT NULL,
      size bigint,
      etag text,
      status text NOT NULL CHECK (status IN ('done', 'skipped', 'failed')),
      kind text NOT NULL,
      event_count integer NOT NULL,
      new_events integer NOT NULL,
      error text,
      connector text,
      account_id text,
      processed_at text NOT NULL,
      PRIMARY KEY (source, key)
    );
    CREATE INDEX files_connector ON files (connector);`,
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

const COLUMNS = 'source, key, size, etag, status, kind, event_count, new_events, error, connector, account_id, processed_at';
const ON_CONFLICT = `ON CONFLICT (source, key) DO UPDATE SET
  size = excluded.size, etag = excluded.etag, status = excluded.status, kind = excluded.kind,
  event_count = excluded.event_count, new_events = excluded.new_events, error = excluded.error,
  connector = excluded.connector, account_id = excluded.account_id, processed_at = excluded.processed_at`;

/**
 * Writes file records in one statement (the last record of a (source, key) wins, as it would
 * one by one). A key the store must refuse (missing) fails the statement, and so the commit.
 */
export async function upsertFiles(db: Queryable, files: readonly FileRecord[]): Promise<void> {
  if (files.length === 0) return;
  const last = new Map<string, FileRecord>();
  for (const f of files) last.set(JSON.stringify([f.source, f.key]), f);
  const list = [...last.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const col = <T>(get: (f: FileRecord) => T) => list.map(get);
  await db.query(
    `INSERT INTO files (${COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[])
     ${ON_CONFLICT}`,
    [
      col((f) => f.source),
      col((f) => f.key),
      col((f) => f.size ?? null),
      col((f) => f.etag ?? null),
      col((f) => f.status),
      col((f) => f.kind),
      col((f) => f.eventCount),
      col((f) => f.newEvents),
      col((f) => f.error ?? null),
      col((f) => f.connector ?? null),
      col((f) => f.accountId ?? null),
      col((f) => f.processedAt),
    ],
  );
}

export class PgFileStore implements FileStore {
  constructor(private readonly pool: Pool) {}

  async get(source: string, key: string): Promise<FileRecord | undefined> {
    const { rows } = await this.pool.query<FileRow>(`SELECT ${COLUMNS} FROM files WHERE source = $1 AND key = $2`, [source, key]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async record(file: FileRecord): Promise<void> {
    await upsertFiles(this.pool, [file]);
  }

  async listKeys(source: string, prefix: string): Promise<Set<string>> {
    // starts_with, not LIKE: a key's % and _ are data, not patterns.
    const { rows } = await this.pool.query<{ key: string }>('SELECT key FROM files WHERE source = $1 AND key >= $2 AND starts_with(key, $2)', [source, prefix]);
    return new Set(rows.map((r) => r.key));
  }

  async count(q: { status?: FileStatus; connector?: string } = {}): Promise<number> {
    const where: string[] = [];
    const params: string[] = [];
    if (q.status !== undefined) {
      params.push(q.status);
      where.push(`status = $${params.length}`);
    }
    if (q.connector !== undefined) {
      params.push(q.connector);
      where.push(`connector = $${params.length}`);
    }
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM files${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`, params);
    return rows[0]!.n;
  }
}
