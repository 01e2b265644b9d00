import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { IamInventoryRow, IamSnapshotRow, IamStore } from '../types.js';
import type { PgAreaMigrations, Pool } from './database.js';

/**
 * IAM snapshots (PostgreSQL): every put is kept; documents brotli-compressed JSON. "Latest" is the
 * greatest taken time, then the last stored; "in force at T" the latest taken at or before T.
 */
export const PG_IAM_MIGRATIONS: PgAreaMigrations = {
  area: 'iam',
  steps: [
    `CREATE TABLE iam_snapshots (
      id bigserial PRIMARY KEY,
      account_id text NOT NULL,
      kind text NOT NULL,
      imported_at text NOT NULL,
      imported_ms bigint NOT NULL,
      taken_at text NOT NULL,
      taken_ms bigint NOT NULL,
      source text NOT NULL,
      codec smallint NOT NULL,
      document bytea NOT NULL
    );
    CREATE INDEX iam_snapshots_kind_taken ON iam_snapshots (kind, account_id, taken_ms, id);`,
  ],
};

const CODEC_BROTLI_JSON = 1;

interface SnapshotRow {
  account_id: string;
  kind: string;
  imported_at: string;
  taken_at: string;
  source: string;
  codec: number;
  document: Buffer;
}

const SELECT = 'SELECT account_id, kind, imported_at, taken_at, source, codec, document FROM iam_snapshots';

function fromRow(r: SnapshotRow): IamSnapshotRow {
  if (r.codec !== CODEC_BROTLI_JSON) throw new Error(`IAM snapshot codec ${r.codec} is unknown to this trailscope; upgrade trailscope`);
  return {
    accountId: r.account_id,
    kind: r.kind,
    importedAt: r.imported_at,
    takenAt: r.taken_at,
    source: r.source,
    document: JSON.parse(brotliDecompressSync(r.document).toString('utf8')) as unknown,
  };
}

export class PgIamStore implements IamStore {
  constructor(private readonly pool: Pool) {}

  async putSnapshot(row: IamSnapshotRow): Promise<void> {
    const ms = Date.parse(row.importedAt);
    if (Number.isNaN(ms)) throw new Error(`IAM snapshot importedAt is not an ISO-8601 time: "${row.importedAt}"`);
    const takenAt = row.takenAt ?? row.importedAt;
    const takenMs = Date.parse(takenAt);
    if (Number.isNaN(takenMs)) throw new Error(`IAM snapshot takenAt is not an ISO-8601 time: "${takenAt}"`);
    const json = JSON.stringify(row.document);
    if (json === undefined) throw new Error('IAM snapshot document is not JSON-serialisable');
    const data = brotliCompressSync(Buffer.from(json, 'utf8'), { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    await this.pool.query(
      'INSERT INTO iam_snapshots (account_id, kind, imported_at, imported_ms, taken_at, taken_ms, source, codec, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [row.accountId, row.kind, row.importedAt, ms, takenAt, takenMs, row.source, CODEC_BROTLI_JSON, data],
    );
  }

  async latest(kind: string, accountId?: string): Promise<IamSnapshotRow[]> {
    return this.latestUntil(kind, Number.MAX_SAFE_INTEGER, accountId);
  }

  async latestAt(kind: string, at: string, accountId?: string): Promise<IamSnapshotRow[]> {
    const ms = Date.parse(at);
    if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: "${at}"`);
    return this.latestUntil(kind, ms, accountId);
  }

  private async latestUntil(kind: string, maxMs: number, accountId?: string): Promise<IamSnapshotRow[]> {
    const { rows } = await this.pool.query<SnapshotRow>(
      `SELECT DISTINCT ON (account_id) account_id, kind, imported_at, taken_at, source, codec, document FROM iam_snapshots
       WHERE kind = $1 AND taken_ms <= $2 AND ($3::text IS NULL OR account_id = $3)
       ORDER BY account_id, taken_ms DESC, id DESC`,
      [kind, maxMs, accountId ?? null],
    );
    return rows.map(fromRow);
  }

  async history(kind: string, accountId: string, limit?: number): Promise<IamSnapshotRow[]> {
    const { rows } = await this.pool.query<SnapshotRow>(`${SELECT} WHERE kind = $1 AND account_id = $2 ORDER BY taken_ms DESC, id DESC LIMIT $3`, [
      kind,
      accountId,
      limit ?? null,
    ]);
    return rows.map(fromRow);
  }

  async inventory(): Promise<IamInventoryRow[]> {
    const { rows } = await this.pool.query<{ account_id: string; kind: string; n: number; first_ms: number; last_ms: number }>(
      `SELECT account_id, kind, count(*) AS n, min(taken_ms) AS first_ms, max(taken_ms) AS last_ms
       FROM iam_snapshots GROUP BY account_id, kind ORDER BY account_id, kind`,
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      kind: r.kind,
      snapshots: r.n,
      firstTakenAt: new Date(r.first_ms).toISOString(),
      lastTakenAt: new Date(r.last_ms).toISOString(),
    }));
  }

  async accounts(): Promise<string[]> {
    const { rows } = await this.pool.query<{ account_id: string }>('SELECT DISTINCT account_id FROM iam_snapshots ORDER BY account_id');
    return rows.map((r) => r.account_id);
  }
}
