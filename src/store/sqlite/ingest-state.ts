import type { Database as Db } from 'better-sqlite3';
import type { ConnectorCounters, CounterDelta, HealthProblem, IngestStateStore, QuarantineRecord } from '../types.js';
import type { AreaMigrations } from './database.js';

/**
 * Ingest state. Quarantine: one row per (connector, messageId), the latest receive wins.
 * Health problems: one row per (connector, kind, bucket, key), the latest report wins, so a
 * problem repeated on every poll does not pile up. Counters: one row per (connector, account).
 */
export const INGEST_MIGRATIONS: AreaMigrations = {
  area: 'ingest',
  steps: [
    `CREATE TABLE quarantine (
      connector TEXT NOT NULL,
      message_id TEXT NOT NULL,
      body TEXT NOT NULL,
      bucket TEXT,
      key TEXT,
      reason TEXT NOT NULL,
      fix TEXT NOT NULL,
      receive_count INTEGER NOT NULL,
      left_for_dlq INTEGER NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (connector, message_id)
    );
    CREATE TABLE health_problems (
      connector TEXT NOT NULL,
      kind TEXT NOT NULL,
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      has_bucket INTEGER NOT NULL,
      has_key INTEGER NOT NULL,
      message TEXT NOT NULL,
      fix TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (connector, kind, bucket, key)
    );
    CREATE TABLE connector_counters (
      connector TEXT NOT NULL,
      account_id TEXT NOT NULL,
      files INTEGER NOT NULL DEFAULT 0,
      events INTEGER NOT NULL DEFAULT 0,
      duplicates INTEGER NOT NULL DEFAULT 0,
      last_message_at TEXT,
      last_file_at TEXT,
      last_file_key TEXT,
      newest_event_time TEXT,
      errors_by_kind TEXT NOT NULL DEFAULT '{}',
      PRIMARY KEY (connector, account_id)
    );
    CREATE TABLE kv_state (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );`,
  ],
};

interface QuarantineRow {
  connector: string;
  message_id: string;
  body: string;
  bucket: string | null;
  key: string | null;
  reason: string;
  fix: string;
  receive_count: number;
  left_for_dlq: number;
  at: string;
}

interface ProblemRow {
  connector: string;
  kind: string;
  bucket: string;
  key: string;
  has_bucket: number;
  has_key: number;
  message: string;
  fix: string;
  at: string;
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
  errors_by_kind: string;
}


/** The later of two ISO times by instant (null-safe). */
function later(a: string | null, b: string | undefined): string | null {
  if (b === undefined) return a;
  if (a === null) return b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta)) return b;
  if (Number.isNaN(tb)) return a;
  return tb >= ta ? b : a;
}

export class SqliteIngestStateStore implements IngestStateStore {
  /** Synchronous, so the events store can bump counters inside a file's commit transaction. */
  readonly bump: (delta: CounterDelta) => void;

  constructor(private readonly db: Db) {
    const get = db.prepare<[string, string], CounterRow>('SELECT * FROM connector_counters WHERE connector = ? AND account_id = ?');
    const put = db.prepare(`INSERT OR REPLACE INTO connector_counters
      (connector, account_id, files, events, duplicates, last_message_at, last_file_at, last_file_key, newest_event_time, errors_by_kind)
      VALUES (@connector, @account_id, @files, @events, @duplicates, @last_message_at, @last_file_at, @last_file_key, @newest_event_time, @errors_by_kind)`);
    const tx = db.transaction((delta: CounterDelta) => {
      const old: CounterRow = get.get(delta.connector, delta.accountId) ?? {
        connector: delta.connector,
        account_id: delta.accountId,
        files: 0,
        events: 0,
        duplicates: 0,
        last_message_at: null,
        last_file_at: null,
        last_file_key: null,
        newest_event_time: null,
        errors_by_kind: '{}',
      };
      const errors = JSON.parse(old.errors_by_kind) as Record<string, number>;
      if (delta.errorKind !== undefined) errors[delta.errorKind] = (errors[delta.errorKind] ?? 0) + 1;
      const lastFileAt = later(old.last_file_at, delta.fileAt);
      const fileIsLatest = delta.fileAt === undefined || lastFileAt === delta.fileAt;
      put.run({
        ...old,
        files: old.files + (delta.files ?? 0),
        events: old.events + (delta.events ?? 0),
        duplicates: old.duplicates + (delta.duplicates ?? 0),
        last_message_at: later(old.last_message_at, delta.messageAt),
        last_file_at: lastFileAt,
        last_file_key: delta.fileKey !== undefined && fileIsLatest ? delta.fileKey : old.last_file_key,
        newest_event_time: later(old.newest_event_time, delta.newestEventTime),
        errors_by_kind: JSON.stringify(errors),
      });
    });
    this.bump = (delta) => tx.immediate(delta);
  }

  async quarantine(q: QuarantineRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO quarantine (connector, message_id, body, bucket, key, reason, fix, receive_count, left_for_dlq, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(q.connector, q.messageId, q.body, q.bucket, q.key, q.reason, q.fix, q.receiveCount, q.leftForDlq ? 1 : 0, q.at);
  }

  async listQuarantine(connector?: string): Promise<QuarantineRecord[]> {
    const rows =
      connector === undefined
        ? this.db.prepare<[], QuarantineRow>('SELECT * FROM quarantine ORDER BY at DESC').all()
        : this.db.prepare<[string], QuarantineRow>('SELECT * FROM quarantine WHERE connector = ? ORDER BY at DESC').all(connector);
    return rows.map((r) => ({
      connector: r.connector,
      messageId: r.message_id,
      body: r.body,
      bucket: r.bucket,
      key: r.key,
      reason: r.reason,
      fix: r.fix,
      receiveCount: r.receive_count,
      leftForDlq: r.left_for_dlq === 1,
      at: r.at,
    }));
  }

  async reportProblem(p: HealthProblem): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO health_problems (connector, kind, bucket, key, has_bucket, has_key, message, fix, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.connector, p.kind, p.bucket ?? '', p.key ?? '', p.bucket == null ? 0 : 1, p.key == null ? 0 : 1, p.message, p.fix, p.at);
  }

  async listProblems(connector?: string): Promise<HealthProblem[]> {
    const rows =
      connector === undefined
        ? this.db.prepare<[], ProblemRow>('SELECT * FROM health_problems ORDER BY at DESC').all()
        : this.db.prepare<[string], ProblemRow>('SELECT * FROM health_problems WHERE connector = ? ORDER BY at DESC').all(connector);
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
    this.bump(delta);
  }

  async counters(connector?: string): Promise<ConnectorCounters[]> {
    const rows =
      connector === undefined
        ? this.db.prepare<[], CounterRow>('SELECT * FROM connector_counters ORDER BY connector, account_id').all()
        : this.db.prepare<[string], CounterRow>('SELECT * FROM connector_counters WHERE connector = ? ORDER BY account_id').all(connector);
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
      errorsByKind: JSON.parse(r.errors_by_kind) as Record<string, number>,
    }));
  }

  async getState(key: string): Promise<string | undefined> {
    return this.db.prepare<[string], string>('SELECT value FROM kv_state WHERE key = ?').pluck().get(key);
  }

  async setState(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO kv_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
