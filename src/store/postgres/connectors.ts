import type { ConnectorRecord, ConnectorRemoval, ConnectorStore, DoctorRunRecord } from '../types.js';
import { connectorFromRow, type ConnectorRow } from '../rows.js';
import type { PgAreaMigrations, Pool } from './database.js';
import { inTransaction } from './database.js';
import { removeConnectorEvents } from './connector-events.js';

export const PG_CONNECTORS_MIGRATIONS: PgAreaMigrations = {
  area: 'connectors',
  steps: [
    `CREATE TABLE connectors (
      name text COLLATE "C" PRIMARY KEY,
      enabled boolean NOT NULL,
      external_id text NOT NULL,
      settings text NOT NULL,
      created_at text NOT NULL,
      updated_at text NOT NULL
    );
    CREATE TABLE doctor_runs (
      connector text NOT NULL,
      started_at text NOT NULL,
      finished_at text NOT NULL,
      results text NOT NULL,
      PRIMARY KEY (connector, started_at)
    );`,
  ],
};

export class PgConnectorStore implements ConnectorStore {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<ConnectorRecord[]> {
    return (await this.pool.query<ConnectorRow>('SELECT * FROM connectors ORDER BY name')).rows.map(connectorFromRow);
  }

  async get(name: string): Promise<ConnectorRecord | undefined> {
    const { rows } = await this.pool.query<ConnectorRow>('SELECT * FROM connectors WHERE name = $1', [name]);
    return rows[0] ? connectorFromRow(rows[0]) : undefined;
  }

  async put(record: ConnectorRecord): Promise<ConnectorRecord> {
    // The creation time of an existing connector survives edits and re-imports.
    const { rows } = await this.pool.query<ConnectorRow>(
      `INSERT INTO connectors (name, enabled, external_id, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, external_id = excluded.external_id, settings = excluded.settings, updated_at = excluded.updated_at
       RETURNING *`,
      [record.name, record.enabled, record.externalId, JSON.stringify(record.settings), record.createdAt, record.updatedAt],
    );
    return connectorFromRow(rows[0]!);
  }

  async remove(name: string): Promise<ConnectorRemoval | undefined> {
    return inTransaction(this.pool, async (db) => {
      if ((await db.query('DELETE FROM connectors WHERE name = $1', [name])).rowCount === 0) return undefined;
      const del = async (sql: string) => (await db.query(sql, [name])).rowCount ?? 0;
      const events = await removeConnectorEvents(db, name);
      return {
        events: events.events,
        sharedEvents: events.shared,
        files: await del('DELETE FROM files WHERE connector = $1'),
        quarantined: await del('DELETE FROM quarantine WHERE connector = $1'),
        problems: await del('DELETE FROM health_problems WHERE connector = $1'),
        counters: await del('DELETE FROM connector_counters WHERE connector = $1'),
        doctorRuns: await del('DELETE FROM doctor_runs WHERE connector = $1'),
      };
    });
  }

  async recordDoctorRun(run: DoctorRunRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO doctor_runs (connector, started_at, finished_at, results) VALUES ($1, $2, $3, $4)
       ON CONFLICT (connector, started_at) DO UPDATE SET finished_at = excluded.finished_at, results = excluded.results`,
      [run.connector, run.startedAt, run.finishedAt, JSON.stringify(run.results)],
    );
  }

  async latestDoctorRun(connector: string): Promise<DoctorRunRecord | undefined> {
    const { rows } = await this.pool.query<{ connector: string; started_at: string; finished_at: string; results: string }>(
      'SELECT * FROM doctor_runs WHERE connector = $1 ORDER BY started_at DESC LIMIT 1',
      [connector],
    );
    const row = rows[0];
    return row ? { connector: row.connector, startedAt: row.started_at, finishedAt: row.finished_at, results: JSON.parse(row.results) as Record<string, unknown>[] } : undefined;
  }
}
