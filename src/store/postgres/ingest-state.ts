import type { ConnectorCounters, CounterDelta, HealthProblem, IngestStateStore, QuarantineRecord } from '../types.js';
import type { PgAreaMigrations, Pool, Queryable } from './database.js';

/**
 * Ingest state (PostgreSQL). Quarantine: one row per (connector, messageId), the latest receive
 * wins. Problems: one row per (connector, kind, bucket, key). Counters: one row per (connector,
 * account), bumped by one INSERT … ON CONFLICT DO UPDATE adding to the stored values, so
 * workers bumping the same row at once never lose an update. *_ms columns order ISO times by
 * instant whatever their spelling.
 */
export const PG_INGEST_MIGRATIONS: PgAreaMigrations = {
  area: 'ingest',
  steps: [
    `CREATE TABLE quarantine (
      connector text NOT NULL,
      message_id text NOT NULL,
      body text NOT NULL,
      bucket text,
      key text,
      reason text NOT NULL,
      fix text NOT NULL,
      receive_count integer NOT NULL,
      left_for_dlq boolean NOT NULL,
      at text NOT NULL,
      PRIMARY KEY (connector, message_id)
    );
    CREATE TABLE health_problems (
      connector text NOT NULL,
      kind text NOT NULL,
      bucket text NOT NULL,
      key text NOT NULL,
      has_bucket boolean NOT NULL,
      has_key boolean NOT NULL,
      message text NOT NULL,
      fix text NOT NULL,
      at text NOT NULL,
      PRIMARY KEY (connector, kind, bucket, key)
    );
    CREATE TABLE connector_counters (
      connector text NOT NULL,
      account_id text NOT NULL,
      files bigint NOT NULL DEFAULT 0,
      events bigint NOT NULL DEFAULT 0,
      duplicates bigint NOT NULL DEFAULT 0,
      last_message_at text,
      last_message_ms bigint,
      last_file_at text,
      last_file_ms bigint,
      last_file_key text,
      newest_event_time text,
      newest_event_ms bigint,
      errors_by_kind jsonb NOT NULL DEFAULT '{}',
      PRIMARY KEY (connector, account_id)
    );
    CREATE TABLE kv_state (
      key text PRIMARY KEY,
      value text NOT NULL
    );`,
  ],
};

/** ms of an ISO time; null when absent or not a time (it then never wins over a real time). */
function msOf(iso: string | undefined): number | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** "excluded's time is the later one" for a (text, ms) column pair. */
const laterSql = (col: string) =>
  `excluded.${col}_at IS NOT NULL AND (c.${col}_at IS NULL OR c.${col}_ms IS NULL OR (excluded.${col}_ms IS NOT NULL AND excluded.${col}_ms >= c.${col}_ms))`;

const BUMP_SQL = `INSERT INTO connector_counters AS c
  (connector, account_id, files, events, duplicates, last_message_at, last_message_ms, last_file_at, last_file_ms, last_file_key, newest_event_time, newest_event_ms, errors_by_kind)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
  ON CONFLICT (connector, account_id) DO UPDATE SET
    files = c.files + excluded.files,
    events = c.events + excluded.events,
    duplicates = c.duplicates + excluded.duplicates,
    last_message_at = CASE WHEN ${laterSql('last_message')} THEN excluded.last_message_at ELSE c.last_message_at END,
    last_message_ms = CASE WHEN ${laterSql('last_message')} THEN excluded.last_message_ms ELSE c.last_message_ms END,
    last_file_at = CASE WHEN ${laterSql('last_file')} THEN excluded.last_file_at ELSE c.last_file_at END,
    last_file_ms = CASE WHEN ${laterSql('last_file')} THEN excluded.last_file_ms ELSE c.last_file_ms END,
    last_file_key = CASE WHEN excluded.last_file_key IS NULL THEN c.last_file_key
      WHEN excluded.last_file_at IS NULL OR ${laterSql('last_file')} THEN excluded.last_file_key
      ELSE c.last_file_key END,
    newest_event_time = CASE WHEN ${laterSql('newest_event').replaceAll('newest_event_at', 'newest_event_time')} THEN excluded.newest_event_time ELSE c.newest_event_time END,
    newest_event_ms = CASE WHEN ${laterSql('newest_event').replaceAll('newest_event_at', 'newest_event_time')} THEN excluded.newest_event_ms ELSE c.newest_event_ms END,
    errors_by_kind = (SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb) FROM (
      SELECT k, sum(v::bigint) AS n FROM (
        SELECT * FROM jsonb_each_text(c.errors_by_kind) UNION ALL SELECT * FROM jsonb_each_text(excluded.errors_by_kind)
      ) AS e(k, v) GROUP BY k) AS s)`;

/** A counter delta with any number of error kinds (a commit folds several files' deltas into one). */
export interface CounterRowDelta extends Omit<CounterDelta, 'errorKind'> {
  errors: Record<string, number>;
}

/** The later of two ISO times by instant (null-safe), as SQLite's store folds them. */
function later(a: string | undefined, b: string | undefined): string | undefined {
  if (b === undefined) return a;
  if (a === undefined) return b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta)) return b;
  if (Number.isNaN(tb)) return a;
  return tb >= ta ? b : a;
}

/** Folds deltas of one commit per (connector, account), in commit order. */
export function foldCounters(deltas: readonly CounterDelta[]): CounterRowDelta[] {
  const rows = new Map<string, CounterRowDelta>();
  for (const d of deltas) {
    const k = JSON.stringify([d.connector, d.accountId]);
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { connector: d.connector, accountId: d.accountId, files: 0, events: 0, duplicates: 0, errors: {} }));
    r.files! += d.files ?? 0;
    r.events! += d.events ?? 0;
    r.duplicates! += d.duplicates ?? 0;
    const messageAt = later(r.messageAt, d.messageAt);
    if (messageAt !== undefined) r.messageAt = messageAt;
    const newest = later(r.newestEventTime, d.newestEventTime);
    if (newest !== undefined) r.newestEventTime = newest;
    const fileAt = later(r.fileAt, d.fileAt);
    const fileIsLatest = d.fileAt === undefined || fileAt === d.fileAt;
    if (d.fileKey !== undefined && fileIsLatest) r.fileKey = d.fileKey;
    if (fileAt !== undefined) r.fileAt = fileAt;
    if (d.errorKind !== undefined) r.errors[d.errorKind] = (r.errors[d.errorKind] ?? 0) + 1;
  }
  return [...rows.values()].sort((a, b) => (a.connector < b.connector ? -1 : a.connector > b.connector ? 1 : a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
}

/** Bumps one (connector, account) row; call with a transaction's client to join its commit. */
export async function bumpCounterRow(db: Queryable, d: CounterRowDelta): Promise<void> {
  await db.query(BUMP_SQL, [
    d.connector,
    d.accountId,
    d.files ?? 0,
    d.events ?? 0,
    d.duplicates ?? 0,
    d.messageAt ?? null,
    msOf(d.messageAt),
    d.fileAt ?? null,
    msOf(d.fileAt),
    d.fileKey ?? null,
    d.newestEventTime ?? null,
    msOf(d.newestEventTime),
    JSON.stringify(d.errors),
  ]);
}

interface CounterRow {
  connector: string;
  account_id: string;
  files: number;
  events: number;
  duplicates: number;
  last_message_at: string | null;
  last_file_at: string | null;
  last_file_key: string | null;
  newest_event_time: string | null;
  errors_by_kind: Record<string, number>;
}

export class PgIngestStateStore implements IngestStateStore {
  constructor(private readonly pool: Pool) {}

  async quarantine(q: QuarantineRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO quarantine (connector, message_id, body, bucket, key, reason, fix, receive_count, left_for_dlq, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (connector, message_id) DO UPDATE SET body = excluded.body, bucket = excluded.bucket, key = excluded.key,
         reason = excluded.reason, fix = excluded.fix, receive_count = excluded.receive_count, left_for_dlq = excluded.left_for_dlq, at = excluded.at`,
      [q.connector, q.messageId, q.body, q.bucket, q.key, q.reason, q.fix, q.receiveCount, q.leftForDlq, q.at],
    );
  }

  async listQuarantine(connector?: string): Promise<QuarantineRecord[]> {
    const { rows } = await this.pool.query<{
      connector: string;
      message_id: string;
      body: string;
      bucket: string | null;
      key: string | null;
      reason: string;
      fix: string;
      receive_count: number;
      left_for_dlq: boolean;
      at: string;
    }>(`SELECT * FROM quarantine${connector === undefined ? '' : ' WHERE connector = $1'} ORDER BY at DESC`, connector === undefined ? [] : [connector]);
    return rows.map((r) => ({
      connector: r.connector,
      messageId: r.message_id,
      body: r.body,
      bucket: r.bucket,
      key: r.key,
      reason: r.reason,
      fix: r.fix,
      receiveCount: r.receive_count,
      leftForDlq: r.left_for_dlq,
      at: r.at,
    }));
  }

  async reportProblem(p: HealthProblem): Promise<void> {
    await this.pool.query(
      `INSERT INTO health_problems (connector, kind, bucket, key, has_bucket, has_key, message, fix, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (connector, kind, bucket, key) DO UPDATE SET has_bucket = excluded.has_bucket, has_key = excluded.has_key,
         message = excluded.message, fix = excluded.fix, at = excluded.at`,
      [p.connector, p.kind, p.bucket ?? '', p.key ?? '', p.bucket != null, p.key != null, p.message, p.fix, p.at],
    );
  }

  async listProblems(connector?: string): Promise<HealthProblem[]> {
    const { rows } = await this.pool.query<{
      connector: string;
      kind: string;
      bucket: string;
      key: string;
      has_bucket: boolean;
      has_key: boolean;
      message: string;
      fix: string;
      at: string;
    }>(`SELECT * FROM health_problems${connector === undefined ? '' : ' WHERE connector = $1'} ORDER BY at DESC`, connector === undefined ? [] : [connector]);
    return rows.map((r) => ({
      connector: r.connector,
      kind: r.kind,
      message: r.message,
      fix: r.fix,
      bucket: r.has_bucket ? r.bucket : null,
      key: r.has_key ? r.key : null,
      at: r.at,
    }));
  }

  async bumpCounters(delta: CounterDelta): Promise<void> {
    for (const row of foldCounters([delta])) await bumpCounterRow(this.pool, row);
  }

  async counters(connector?: string): Promise<ConnectorCounters[]> {
    const { rows } = await this.pool.query<CounterRow>(
      `SELECT connector, account_id, files, events, duplicates, last_message_at, last_file_at, last_file_key, newest_event_time, errors_by_kind
       FROM connector_counters${connector === undefined ? '' : ' WHERE connector = $1'} ORDER BY connector, account_id`,
      connector === undefined ? [] : [connector],
    );
    return rows.map((r) => ({
      connector: r.connector,
      accountId: r.account_id,
      files: r.files,
      events: r.events,
      duplicates: r.duplicates,
      lastMessageAt: r.last_message_at,
      lastFileAt: r.last_file_at,
      lastFileKey: r.last_file_key,
      newestEventTime: r.newest_event_time,
      errorsByKind: Object.fromEntries(Object.entries(r.errors_by_kind).map(([k, v]) => [k, Number(v)])),
    }));
  }

  async getState(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM kv_state WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO kv_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
