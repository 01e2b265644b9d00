import type { Database as Db } from 'better-sqlite3';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { IamSnapshotRow, IamStore } from '../types.js';
import type { AreaMigrations } from './database.js';

/**
 * IAM snapshots: every put is kept (drift compares the latest two). Documents are stored as
 * brotli-compressed JSON (authorization details of a large account run to megabytes).
 * "Latest" means the greatest importedAt, then the last stored.
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
  ],
};

const CODEC_BROTLI_JSON = 1;

interface SnapshotRow {
  account_id: string;
  kind: string;
  imported_at: string;
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
    source: r.source,
    document: JSON.parse(brotliDecompressSync(r.document).toString('utf8')) as unknown,
  };
}

export class SqliteIamStore implements IamStore {
  constructor(private readonly db: Db) {}

  async putSnapshot(row: IamSnapshotRow): Promise<void> {
    const ms = Date.parse(row.importedAt);
    if (Number.isNaN(ms)) throw new Error(`IAM snapshot importedAt is not an ISO-8601 time: "${row.importedAt}"`);
    const json = JSON.stringify(row.document);
    if (json === undefined) throw new Error('IAM snapshot document is not JSON-serialisable');
    const data = brotliCompressSync(Buffer.from(json, 'utf8'), { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    this.db
      .prepare('INSERT INTO iam_snapshots (account_id, kind, imported_at, imported_ms, source, codec, document) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.accountId, row.kind, row.importedAt, ms, row.source, CODEC_BROTLI_JSON, data);
  }

  async latest(kind: string, accountId?: string): Promise<IamSnapshotRow[]> {
    const accounts =
      accountId === undefined
        ? this.db.prepare<[string], string>('SELECT DISTINCT account_id FROM iam_snapshots WHERE kind = ? ORDER BY account_id').pluck().all(kind)
        : [accountId];
    const out: IamSnapshotRow[] = [];
    for (const a of accounts) {
      const [row] = await this.history(kind, a, 1);
      if (row) out.push(row);
    }
    return out;
  }

  async history(kind: string, accountId: string, limit?: number): Promise<IamSnapshotRow[]> {
    const rows = this.db
      .prepare<[string, string, number], SnapshotRow>(
        `SELECT account_id, kind, imported_at, source, codec, document FROM iam_snapshots
         WHERE kind = ? AND account_id = ? ORDER BY imported_ms DESC, id DESC LIMIT ?`,
      )
      .all(kind, accountId, limit ?? -1);
    return rows.map(fromRow);
  }

  async accounts(): Promise<string[]> {
    return this.db.prepare<[], string>('SELECT DISTINCT account_id FROM iam_snapshots ORDER BY account_id').pluck().all();
  }
}
