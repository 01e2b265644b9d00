/**
 * Ingestion orchestration: local import, the SQS worker and its service, backfill and audit,
 * over sources, parse and store. Loads the AWS SDK.
 */
export { MAX_BACKFILL_DAYS, auditAndRepair, backfillDays, runBackfill } from './backfill.js';
export type { BackfillProgress, BackfillSummary } from './backfill.js';
export { importPaths } from './local-import.js';
export type { ImportSummary } from './local-import.js';
export { createLogger } from './log.js';
export type { LogFormat, Logger } from './log.js';
export { processObject } from './object.js';
export { runIngestService } from './service.js';
export type { ConnectorRuntime } from './service.js';
export { defaultConcurrency } from './worker.js';
export { DEFAULT_LEASE_SECONDS } from './backfill.js';
export { ParsePool, defaultParseThreads } from './parse-pool.js';
