import type { Database as Db } from 'better-sqlite3';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { IamInventoryRow, IamSnapshotRow, IamStore } from '../types.js';
import type { AreaMigrations } from './database.js';

/**
 * IAM snapshots: every put is kept (drift compares the latest two). Documents are stored as
 * brotli-compressed JSON (authorization details of a large account run to megabytes).
 * "Latest" means the greatest taken time (the document's own time, else importedAt), then the
 * last stored; "in force at T" is the latest taken at or before T.
 */
export const IAM_MIGRATIONS: AreaMigrations = {
  area: 'iam',
  steps: [
    `CREATE TABLE iam_snapshots (
      id INTEGER PRIMARY KEY,
      account_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      imported_at TEXT NOT NULL,
      imported_ms INTEGER NOT NULL,
      source TEXT NOT NULL,
      codec INTEGER NOT NULL,
      document BLOB NOT NULL
    );
    CREATE INDEX iam_snapshots_kind_account ON iam_snapshots (kind, account_id, imported_ms, id);`,
    // v2: when the configuration was captured, distinct from when it reached the store (--as-of picks by it)
    `ALTER TABLE iam_snapshots ADD COLUMN taken_at TEXT;
    ALTER TABLE iam_snapshots ADD COLUMN taken_ms INTEGER;
    UPDATE iam_snapshots SET taken_at = imported_at, taken_ms = imported_ms;
    CREATE INDEX iam_snapshots_kind_taken ON iam_snapshots (kind, account_id, taken_ms, id);`,
  ],
};

const CODEC_BROTLI_JSON = 1;

interface SnapshotRow {
  account_id: string;
  kind: string;
  imported_at: string;
  taken_at: string | null;
  source: string;
  codec: number;
  document: Buffer;
}

function fromRow(r: SnapshotRow): IamSnapshotRow {
  if (r.codec !== CODEC_BROTLI_JSON) throw new Error(`IAM snapshot codec ${r.codec} is unknown to this trailscope; upgrade trailscope`);
  return {
    accountId: r.account_id,
    kind: r.kind,
    importedAt: r.imported_at,
    takenAt: r.taken_at ?? r.imported_at,
    source: r.source,
    document: JSON.parse(brotliDecompressSync(r.document).toString('utf8')) as unknown,
  };
}

export class SqliteIamStore implements IamStore {
  constructor(private readonly db: Db) {}

  async putSnapshot(row: IamSnapshotRow): Promise<void> {
    const ms = Date.parse(row.importedAt);
    if (Number.isNaN(ms)) throw new Error(`IAM snapshot importedAt is not an ISO-8601 time: "${row.importedAt}"`);
    const takenAt = row.takenAt ?? row.importedAt;
    const takenMs = Date.parse(takenAt);
    if (Number.isNaN(takenMs)) throw new Error(`IAM snapshot takenAt is not an ISO-8601 time: "${takenAt}"`);
    const json = JSON.stringify(row.document);
    if (json === undefined) throw new Error('IAM snapshot document is not JSON-serialisable');
    const data = brotliCompressSync(Buffer.from(json, 'utf8'), { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    this.db
      .prepare(
        'INSERT INTO iam_snapshots (account_id, kind, imported_at, imported_ms, taken_at, taken_ms, source, codec, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(row.accountId, row.kind, row.importedAt, ms, takenAt, takenMs, row.source, CODEC_BROTLI_JSON, data);
  }

  async latest(kind: string, accountId?: string): Promise<IamSnapshotRow[]> {
    return this.latestUntil(kind, Number.MAX_SAFE_INTEGER, accountId);
  }

  async latestAt(kind: string, at: string, accountId?: string): Promise<IamSnapshotRow[]> {
    const ms = Date.parse(at);
    if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: "${at}"`);
    return this.latestUntil(kind, ms, accountId);
  }

  private latestUntil(kind: string, maxMs: number, accountId?: string): IamSnapshotRow[] {
    const accounts =
      accountId === undefined
        ? this.db.prepare<[string], string>('SELECT DISTINCT account_id FROM iam_snapshots WHERE kind = ? ORDER BY account_id').pluck().all(kind)
        : [accountId];
    const one = this.db.prepare<[string, string, number], SnapshotRow>(
      `SELECT account_id, kind, imported_at, taken_at, source, codec, document FROM iam_snapshots
       WHERE kind = ? AND account_id = ? AND taken_ms <= ? ORDER BY taken_ms DESC, id DESC LIMIT 1`,
    );
    const out: IamSnapshotRow[] = [];
    for (const a of accounts) {
      const row = one.get(kind, a, maxMs);
      if (row) out.push(fromRow(row));
    }
    return out;
  }

  async history(kind: string, accountId: string, limit?: number): Promise<IamSnapshotRow[]> {
    const rows = this.db
      .prepare<[string, string, number], SnapshotRow>(
        `SELECT account_id, kind, imported_at, taken_at, source, codec, document FROM iam_snapshots
         WHERE kind = ? AND account_id = ? ORDER BY taken_ms DESC, id DESC LIMIT ?`,
      )
      .all(kind, accountId, limit ?? -1);
    return rows.map(fromRow);
  }

  async inventory(): Promise<IamInventoryRow[]> {
    const rows = this.db
      .prepare<[], { account_id: string; kind: string; n: number; first_ms: number; last_ms: number }>(
        `SELECT account_id, kind, count(*) AS n, min(taken_ms) AS first_ms, max(taken_ms) AS last_ms
         FROM iam_snapshots GROUP BY account_id, kind ORDER BY account_id, kind`,
      )
      .all();
    return rows.map((r) => ({
      accountId: r.account_id,
      kind: r.kind,
      snapshots: r.n,
      firstTakenAt: new Date(r.first_ms).toISOString(),
      lastTakenAt: new Date(r.last_ms).toISOString(),
    }));
  }

  async accounts(): Promise<string[]> {
    return this.db.prepare<[], string>('SELECT DISTINCT account_id FROM iam_snapshots ORDER BY account_id').pluck().all();
  }
}
