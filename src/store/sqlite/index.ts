import { resolve } from 'node:path';
import type { Store } from '../types.js';
import { migrate, openDatabase, releaseFreePages, StoreOpenError, TRAILSCOPE_APPLICATION_ID, whyCannotOpen, type OpenDatabaseOptions } from './database.js';
import { EVENTS_MIGRATIONS, SqliteEventStore } from './events.js';
import { FILES_MIGRATIONS, SqliteFileStore } from './files.js';
import { INGEST_MIGRATIONS, SqliteIngestStateStore } from './ingest-state.js';
import { IAM_MIGRATIONS, SqliteIamStore } from './iam.js';
import { DETECT_MIGRATIONS, SqliteDetectionStore } from './detections.js';
import { COVERAGE_MIGRATIONS, SqliteCoverageStore } from './coverage.js';
import { CONNECTORS_MIGRATIONS, SqliteConnectorStore } from './connectors.js';
import { FINDINGS_MIGRATIONS, SqliteFindingStore } from './findings.js';
import { BACKFILL_MIGRATIONS, SqliteBackfillWorkStore } from './backfill-work.js';
import { SqliteMaintenance } from './retention.js';
import { SqliteTransfer } from './transfer.js';
import { USAGE_DAILY_MIGRATIONS } from './usage-daily.js';
import { EVIDENCE_DAILY_MIGRATIONS } from './evidence-daily.js';

/** Every area's migrations, in the order they are applied on open. */
export const SQLITE_AREAS = [FILES_MIGRATIONS, EVENTS_MIGRATIONS, INGEST_MIGRATIONS, IAM_MIGRATIONS, DETECT_MIGRATIONS, COVERAGE_MIGRATIONS, CONNECTORS_MIGRATIONS, FINDINGS_MIGRATIONS, BACKFILL_MIGRATIONS, USAGE_DAILY_MIGRATIONS, EVIDENCE_DAILY_MIGRATIONS] as const;

/** Opens (creating when absent, unless opts.create is false) a SQLite store file and brings its schema up to date. */
export function openSqliteStore(path: string, opts: OpenDatabaseOptions = {}): Store {
  const file = resolve(path);
  const db = openDatabase(file, { ...opts, areas: SQLITE_AREAS });
  try {
    migrate(db, SQLITE_AREAS);
    if (db.pragma('application_id', { simple: true }) !== TRAILSCOPE_APPLICATION_ID) db.pragma(`application_id = ${TRAILSCOPE_APPLICATION_ID}`);
  } catch (err) {
    db.close();
    // SQLite's own messages ("unable to open database file", "attempt to write a readonly
    // database") name no file: say which, and the likely cause.
    if (err instanceof StoreOpenError) throw err;
    const sqlite = String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_');
    throw new StoreOpenError(`cannot open database ${file}: ${(err as Error).message}${sqlite ? ` (${whyCannotOpen(file)})` : ''}`, { cause: err });
  }
  const files = new SqliteFileStore(db);
  const ingest = new SqliteIngestStateStore(db);
  const detections = new SqliteDetectionStore(db);
  const coverage = new SqliteCoverageStore(db);
  const events = new SqliteEventStore(db, files, ingest.bump, detections, coverage, (p) => ingest.reportProblem(p));
  let closed = false;
  return {
    events,
    files,
    ingest,
    iam: new SqliteIamStore(db),
    detections,
    coverage,
    connectors: new SqliteConnectorStore(db, events),
    findings: new SqliteFindingStore(db),
    backfill: new SqliteBackfillWorkStore(db),
    maintenance: new SqliteMaintenance(db, file, events),
    transfer: new SqliteTransfer(db, events.dict),
    location: `sqlite:${file}`,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await events.settle();
        releaseFreePages(db);
      } finally {
        db.close();
      }
    },
  };
}
