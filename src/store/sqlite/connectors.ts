import type { Database as Db } from 'better-sqlite3';
import type { AreaMigrations } from './database.js';
import type { ConnectorEventsRemoval } from './connector-events.js';
import type { ConnectorRecord, ConnectorRemoval, ConnectorStore, DoctorRunRecord } from '../types.js';
import { connectorFromRow, type ConnectorRow } from '../rows.js';

export const CONNECTORS_MIGRATIONS: AreaMigrations = {
  area: 'connectors',
  steps: [
    `CREATE TABLE connectors (
      name TEXT PRIMARY KEY,
      enabled INTEGER NOT NULL,
      external_id TEXT NOT NULL,
      settings TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE doctor_runs (
      connector TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT NOT NULL,
      results TEXT NOT NULL,
      PRIMARY KEY (connector, started_at)
    ) WITHOUT ROWID;`,
  ],
};

export class SqliteConnectorStore implements ConnectorStore {
  constructor(
    private readonly db: Db,
    /** The event area's part of a removal (SqliteEventStore): runs inside this store's transaction. */
    private readonly events: { settle(): Promise<void>; removeConnectorEvents(name: string): ConnectorEventsRemoval },
  ) {}

  async list(): Promise<ConnectorRecord[]> {
    return this.db.prepare<[], ConnectorRow>('SELECT * FROM connectors ORDER BY name').all().map(connectorFromRow);
  }

  async get(name: string): Promise<ConnectorRecord | undefined> {
    const row = this.db.prepare<[string], ConnectorRow>('SELECT * FROM connectors WHERE name = ?').get(name);
    return row ? connectorFromRow(row) : undefined;
  }

  async put(record: ConnectorRecord): Promise<ConnectorRecord> {
    // The creation time of an existing connector survives edits and re-imports.
    this.db
      .prepare(
        `INSERT INTO connectors (name, enabled, external_id, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, external_id = excluded.external_id, settings = excluded.settings, updated_at = excluded.updated_at`,
      )
      .run(record.name, record.enabled ? 1 : 0, record.externalId, JSON.stringify(record.settings), record.createdAt, record.updatedAt);
    return (await this.get(record.name))!;
  }

  async remove(name: string): Promise<ConnectorRemoval | undefined> {
    // Raw blocks being compressed are swapped in by another transaction: let that finish first.
    await this.events.settle();
    const run = this.db.transaction((): ConnectorRemoval | undefined => {
      if (this.db.prepare('DELETE FROM connectors WHERE name = ?').run(name).changes === 0) return undefined;
      const del = (sql: string) => this.db.prepare(sql).run(name).changes;
      const events = this.events.removeConnectorEvents(name);
      return {
        events: events.events,
        sharedEvents: events.shared,
        files: del('DELETE FROM files WHERE connector = ?'),
        quarantined: del('DELETE FROM quarantine WHERE connector = ?'),
        problems: del('DELETE FROM health_problems WHERE connector = ?'),
        counters: del('DELETE FROM connector_counters WHERE connector = ?'),
        doctorRuns: del('DELETE FROM doctor_runs WHERE connector = ?'),
      };
    });
    return run.immediate();
  }

  async recordDoctorRun(run: DoctorRunRecord): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO doctor_runs (connector, started_at, finished_at, results) VALUES (?, ?, ?, ?)')
      .run(run.connector, run.startedAt, run.finishedAt, JSON.stringify(run.results));
  }

  async latestDoctorRun(connector: string): Promise<DoctorRunRecord | undefined> {
    const row = this.db
      .prepare<[string], { connector: string; started_at: string; finished_at: string; results: string }>(
        'SELECT * FROM doctor_runs WHERE connector = ? ORDER BY started_at DESC LIMIT 1',
      )
      .get(connector);
    return row ? { connector: row.connector, startedAt: row.started_at, finishedAt: row.finished_at, results: JSON.parse(row.results) as Record<string, unknown>[] } : undefined;
  }
}
