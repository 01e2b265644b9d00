/**
 * The tables TransferStore copies column for column: both backends store them with the same
 * columns (see each area's migrations), so one description serves both. principals and
 * usage_hourly are not here: SQLite keeps their strings in its dictionary, each backend maps them.
 */
import { TRANSFER_TABLES, type TransferTable } from './types-transfer.js';

export interface PlainTableSpec {
  columns: readonly string[];
  /** The primary key: the page order and the conflict target. */
  key: readonly string[];
  /** 0/1 on SQLite, boolean on PostgreSQL. */
  booleans?: readonly string[];
  /** TEXT on SQLite, jsonb on PostgreSQL. */
  jsonb?: readonly string[];
  /** Event-derived text that PostgreSQL stores escaped (toPgText). */
  pgText?: readonly string[];
  /** Rows are appended in key order, the key itself not copied (a serial id). */
  appendOnly?: boolean;
}

export type PlainTable = Exclude<TransferTable, 'principals' | 'usage_hourly' | 'event_origins' | 'event_claims'>;

export const PLAIN_TABLES: Record<PlainTable, PlainTableSpec> = {
  files: {
    columns: ['source', 'key', 'size', 'etag', 'status', 'kind', 'event_count', 'new_events', 'error', 'connector', 'account_id', 'processed_at'],
    key: ['source', 'key'],
  },
  quarantine: {
    columns: ['connector', 'message_id', 'body', 'bucket', 'key', 'reason', 'fix', 'receive_count', 'left_for_dlq', 'at'],
    key: ['connector', 'message_id'],
    booleans: ['left_for_dlq'],
  },
  health_problems: {
    columns: ['connector', 'kind', 'bucket', 'key', 'has_bucket', 'has_key', 'message', 'fix', 'at'],
    key: ['connector', 'kind', 'bucket', 'key'],
    booleans: ['has_bucket', 'has_key'],
  },
  connector_counters: {
    columns: ['connector', 'account_id', 'files', 'events', 'duplicates', 'last_message_at', 'last_file_at', 'last_file_key', 'newest_event_time', 'errors_by_kind'],
    key: ['connector', 'account_id'],
    jsonb: ['errors_by_kind'],
  },
  kv_state: { columns: ['key', 'value'], key: ['key'] },
  doctor_runs: { columns: ['connector', 'started_at', 'finished_at', 'results'], key: ['connector', 'started_at'] },
  findings: {
    columns: ['id', 'rule', 'severity', 'account', 'resource', 'doc', 'first_seen', 'last_seen', 'resolved_at', 'suppression'],
    key: ['id'],
  },
  analysis_runs: { columns: ['ran_at', 'as_of', 'window_days', 'account', 'rules'], key: ['id'], appendOnly: true },
  coverage_hourly: { columns: ['account', 'region', 'hour', 'files', 'events'], key: ['account', 'region', 'hour'], pgText: ['account', 'region'] },
  detect_memory: { columns: ['ns', 'key', 'first_ms', 'last_ms', 'value'], key: ['ns', 'key'] },
};

export const quote = (name: string) => `"${name}"`;

export function isPlainTable(table: TransferTable): table is PlainTable {
  return table !== 'principals' && table !== 'usage_hourly' && table !== 'event_origins' && table !== 'event_claims';
}

/** Table names reach SQL as identifiers: only the known ones pass. */
export function checkTable(table: string): void {
  if (!(TRANSFER_TABLES as readonly string[]).includes(table)) throw new Error(`not a transferable table: ${JSON.stringify(table)}`);
}
