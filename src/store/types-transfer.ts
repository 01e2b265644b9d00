/**
 * The store contract, continued: table-level copy for `trailscope migrate`, for what the other
 * areas' contracts cannot read or write as it is stored (file records, ingest state, findings
 * with their history, and the aggregates the write path derives from events: once retention has
 * removed events, those aggregates hold more than the events could rebuild).
 *
 * Rows are backend-neutral: the same column names and value types on every backend (text as it
 * was given, times as the contract's ISO strings or ms, booleans as booleans, JSON as text).
 */
export const TRANSFER_TABLES = [
  'files',
  'quarantine',
  'health_problems',
  'connector_counters',
  'kv_state',
  'doctor_runs',
  'findings',
  'analysis_runs',
  'principals',
  'usage_hourly',
  'coverage_hourly',
  'detect_memory',
  // Provenance: which connector's file inserted each event ({t, event_id, connector, source, key};
  // source and key null where the backend does not keep them) and which others delivered it again
  // ({connector, t, event_id}). Written after the events they name; an event not stored is skipped.
  'event_origins',
  'event_claims',
] as const;

export type TransferTable = (typeof TRANSFER_TABLES)[number];
export type TransferValue = string | number | boolean | null;
export type TransferRow = Record<string, TransferValue>;

export interface TransferPage {
  rows: TransferRow[];
  /** Where the next page starts (opaque to the caller); null after the last page. */
  next: unknown;
}

export interface TransferStore {
  /** One page of a table, in key order, from `after` (null: the start). */
  readRows(table: TransferTable, after: unknown, limit: number): Promise<TransferPage>;
  /** Writes rows in one transaction; a row whose key is stored already replaces it (analysis_runs: appended). */
  writeRows(table: TransferTable, rows: readonly TransferRow[]): Promise<void>;
  /** Deletes every row of a table (before replacing an aggregate the event copy derived). */
  clear(table: TransferTable): Promise<void>;
  count(table: TransferTable): Promise<number>;
}
