import type { Store } from '../types.js';
import { createPool, migrate, redactUrl } from './database.js';
import { PG_FILES_MIGRATIONS, PgFileStore } from './files.js';
import { PG_EVENTS_MIGRATIONS } from './events-schema.js';
import { PgEventStore } from './events.js';
import { PG_INGEST_MIGRATIONS, PgIngestStateStore } from './ingest-state.js';
import { PG_IAM_MIGRATIONS, PgIamStore } from './iam.js';
import { PG_DETECT_MIGRATIONS, PgDetectionStore } from './detections.js';
import { PG_COVERAGE_MIGRATIONS, PgCoverageStore } from './coverage.js';
import { PG_CONNECTORS_MIGRATIONS, PgConnectorStore } from './connectors.js';
import { PG_FINDINGS_MIGRATIONS, PgFindingStore } from './findings.js';
import { PG_USAGE_DAILY_MIGRATIONS } from './usage-daily.js';
import { PG_EVIDENCE_DAILY_MIGRATIONS } from './evidence-daily.js';
import { Partitions } from './partitions.js';
import { PG_BACKFILL_MIGRATIONS, PgBackfillWorkStore } from './backfill-work.js';
import { PgMaintenance } from './retention.js';
import { PgTransfer } from './transfer.js';

/** Every area's migrations, in the order they are applied on open. */
export const PG_AREAS = [
  PG_FILES_MIGRATIONS,
  PG_EVENTS_MIGRATIONS,
  PG_INGEST_MIGRATIONS,
  PG_IAM_MIGRATIONS,
  PG_DETECT_MIGRATIONS,
  PG_COVERAGE_MIGRATIONS,
  PG_CONNECTORS_MIGRATIONS,
  PG_FINDINGS_MIGRATIONS,
  PG_BACKFILL_MIGRATIONS,
  PG_USAGE_DAILY_MIGRATIONS,
  PG_EVIDENCE_DAILY_MIGRATIONS,
] as const;

/**
 * Opens the store in a PostgreSQL database (postgres://user@host:port/db) and brings its schema
 * up to date. The database must exist; any number of processes may open it at once.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = createPool(url);
  try {
    await migrate(pool, PG_AREAS);
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(`cannot open PostgreSQL store ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  const detections = new PgDetectionStore(pool);
  const ingest = new PgIngestStateStore(pool);
  const events = new PgEventStore(pool, new Partitions(pool), detections, (p) => ingest.reportProblem(p));
  let closed = false;
  return {
    events,
    files: new PgFileStore(pool),
    ingest,
    iam: new PgIamStore(pool),
    detections,
    coverage: new PgCoverageStore(pool),
    connectors: new PgConnectorStore(pool),
    findings: new PgFindingStore(pool),
    backfill: new PgBackfillWorkStore(pool),
    maintenance: new PgMaintenance(pool, events),
    transfer: new PgTransfer(pool),
    location: redactUrl(url),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await events.settle();
      } finally {
        await pool.end();
      }
    },
  };
}
