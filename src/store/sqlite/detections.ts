import type { Database as Db, Statement } from 'better-sqlite3';
import type { ChangeQuery, ChangeRecord, CommitHook, CommitHookResult, DetectionQuery, DetectionRecord, DetectionStore } from '../types.js';
import type { AreaMigrations } from './database.js';
import type { EncodedChunk } from '../encode/index.js';
import { msToTime, timeToMs } from '../encode/time.js';
import { SqliteDetectionMemory } from './detect-memory.js';
import { timeWindowWhere } from './events-where.js';
import { ChunkBatch } from './committed-batch.js';

/**
 * Detections area. Rows are few (a detection or a configuration change is rare next to the
 * events), so they are plain text rows, not interned like events.
 * - detections: keyed (rule, event_id): a rule fires at most once per event, whoever re-scans.
 * - changes: the drift timeline, one row per successful write of a watched service.
 * - detect_memory: per (namespace, key) first/last time, for stateful rules (networks seen per
 *   identity), updated in the commit's transaction.
 */
export const DETECT_MIGRATIONS: AreaMigrations = {
  area: 'detect',
  steps: [
    `CREATE TABLE detections (
      rule TEXT NOT NULL,
      event_id TEXT NOT NULL,
      t INTEGER NOT NULL,
      account TEXT NOT NULL,
      resource TEXT NOT NULL,
      severity TEXT NOT NULL,
      title TEXT NOT NULL,
      description TEXT NOT NULL,
      remediation TEXT NOT NULL,
      details TEXT NOT NULL,
      evidence TEXT NOT NULL,
      PRIMARY KEY (rule, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX detections_t ON detections (t);
    CREATE TABLE changes (
      event_id TEXT PRIMARY KEY,
      t INTEGER NOT NULL,
      account TEXT,
      event_source TEXT NOT NULL,
      event_name TEXT NOT NULL,
      resource_type TEXT NOT NULL,
      resource TEXT NOT NULL,
      actor TEXT,
      session TEXT,
      source_ip TEXT,
      user_agent TEXT,
      region TEXT NOT NULL,
      params TEXT
    ) WITHOUT ROWID;
    CREATE INDEX changes_t ON changes (t);
    CREATE TABLE detect_memory (
      ns TEXT NOT NULL,
      key TEXT NOT NULL,
      first_ms INTEGER NOT NULL,
      last_ms INTEGER NOT NULL,
      value TEXT,
      PRIMARY KEY (ns, key)
    ) WITHOUT ROWID;`,
  ],
};

/** Request parameters beyond this many characters are cut (a change row must stay small). */
const MAX_PARAMS_CHARS = 16_384;

interface DetectionRow {
  rule: string;
  event_id: string;
  t: number;
  account: string;
  resource: string;
  severity: string;
  title: string;
  description: string;
  remediation: string;
  details: string;
  evidence: string;
}

interface ChangeRow {
  event_id: string;
  t: number;
  account: string | null;
  event_source: string;
  event_name: string;
  resource_type: string;
  resource: string;
  actor: string | null;
  session: string | null;
  source_ip: string | null;
  user_agent: string | null;
  region: string;
  params: string | null;
}

function paramsText(params: unknown): string | null {
  if (params === undefined || params === null) return null;
  const text = JSON.stringify(params);
  return text.length <= MAX_PARAMS_CHARS ? text : JSON.stringify({ truncated: true, prefix: text.slice(0, MAX_PARAMS_CHARS) });
}

export class SqliteDetectionStore implements DetectionStore {
  private hook: CommitHook | null = null;
  private readonly memory: SqliteDetectionMemory;
  private readonly putDetection: Statement;
  private readonly putChange: Statement;

  constructor(private readonly db: Db) {
    this.memory = new SqliteDetectionMemory(db);
    this.putDetection = db.prepare(
      // A detection with more evidence (a sequence rule seeing the pair after the lone event) replaces the one stored.
      `INSERT INTO detections (rule, event_id, t, account, resource, severity, title, description, remediation, details, evidence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (rule, event_id) DO UPDATE SET severity = excluded.severity, title = excluded.title, details = excluded.details,
         evidence = excluded.evidence, resource = excluded.resource
       WHERE json_array_length(excluded.evidence) > json_array_length(detections.evidence)`,
    );
    this.putChange = db.prepare(
      `INSERT OR IGNORE INTO changes (event_id, t, account, event_source, event_name, resource_type, resource, actor, session, source_ip, user_agent, region, params)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  setCommitHook(hook: CommitHook | null): void {
    this.hook = hook;
  }

  /** The event store's commit transaction ended (see afterInsert). */
  committed(ok: boolean): void {
    if (ok) this.memory.commit();
    else this.memory.rollback();
  }

  /** Called by the event store inside its write transaction with the chunk's inserted events. */
  afterInsert(chunk: EncodedChunk, kept: readonly number[]): void {
    if (!this.hook || kept.length === 0) return;
    this.write(this.hook(new ChunkBatch(chunk, kept, chunk.extras), this.memory));
  }

  private write(result: CommitHookResult): { detections: number; changes: number } {
    let detections = 0;
    let changes = 0;
    for (const d of result.detections) {
      detections += this.putDetection.run(
        d.rule,
        d.eventId,
        timeToMs(d.eventTime),
        d.accountId,
        d.resource,
        d.severity,
        d.title,
        d.description,
        d.remediation,
        JSON.stringify(d.details),
        JSON.stringify(d.evidence),
      ).changes;
    }
    for (const c of result.changes) {
      changes += this.putChange.run(
        c.eventId,
        timeToMs(c.eventTime),
        c.accountId,
        c.eventSource,
        c.eventName,
        c.resourceType,
        c.resource,
        c.actor,
        c.sessionName,
        c.sourceIPAddress,
        c.userAgent,
        c.awsRegion,
        paramsText(c.requestParameters),
      ).changes;
    }
    return { detections, changes };
  }

  async put(result: CommitHookResult): Promise<{ detections: number; changes: number }> {
    return this.db.transaction(() => this.write(result)).immediate();
  }

  async list(q: DetectionQuery = {}): Promise<DetectionRecord[]> {
    const { clauses, params } = timeWindowWhere(q);
    if (q.accountId !== undefined) {
      clauses.push('account = ?');
      params.push(q.accountId);
    }
    if (q.rules && q.rules.length > 0) {
      clauses.push(`rule IN (${q.rules.map(() => '?').join(', ')})`);
      params.push(...q.rules);
    }
    const sql = `SELECT * FROM detections${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY t, rule, event_id`;
    return this.db
      .prepare<(string | number)[], DetectionRow>(sql)
      .all(...params)
      .map((r) => ({
        rule: r.rule,
        eventId: r.event_id,
        eventTime: msToTime(r.t),
        accountId: r.account,
        resource: r.resource,
        severity: r.severity,
        title: r.title,
        description: r.description,
        remediation: r.remediation,
        details: JSON.parse(r.details) as Record<string, unknown>,
        evidence: JSON.parse(r.evidence) as string[],
      }));
  }

  async changes(q: ChangeQuery = {}): Promise<ChangeRecord[]> {
    const { clauses, params } = timeWindowWhere(q);
    if (q.accountId !== undefined) {
      clauses.push('account = ?');
      params.push(q.accountId);
    }
    if (q.resource !== undefined) {
      clauses.push('resource = ?');
      params.push(q.resource);
    }
    const limit = q.limit !== undefined && q.limit > 0 ? ` LIMIT ${Math.floor(q.limit)}` : '';
    const sql = `SELECT * FROM changes${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY t, event_id${limit}`;
    return this.db
      .prepare<(string | number)[], ChangeRow>(sql)
      .all(...params)
      .map((r) => ({
        eventId: r.event_id,
        eventTime: msToTime(r.t),
        accountId: r.account,
        eventSource: r.event_source,
        eventName: r.event_name,
        resourceType: r.resource_type,
        resource: r.resource,
        actor: r.actor,
        sessionName: r.session,
        sourceIPAddress: r.source_ip,
        userAgent: r.user_agent,
        awsRegion: r.region,
        requestParameters: r.params === null ? null : (JSON.parse(r.params) as unknown),
      }));
  }
}
