import type { ChangeQuery, ChangeRecord, CommitHook, CommitHookResult, DetectionQuery, DetectionRecord, DetectionStore } from '../types.js';
import type { EncodedChunk } from '../encode/index.js';
import { msToTime, timeToMs } from '../encode/time.js';
import { ChunkBatch } from '../sqlite/committed-batch.js';
import type { PgAreaMigrations, Pool, Queryable } from './database.js';
import { fromPgText, inTransaction, toPgText } from './database.js';
import { PgDetectionMemory } from './detect-memory.js';

/**
 * Detections area (PostgreSQL): detections keyed (rule, event_id), changes keyed by event_id,
 * detect_memory per (namespace, key). Event-derived text goes through toPgText.
 */
export const PG_DETECT_MIGRATIONS: PgAreaMigrations = {
  area: 'detect',
  steps: [
    `CREATE TABLE detections (
      rule text NOT NULL,
      event_id text COLLATE "C" NOT NULL,
      t bigint NOT NULL,
      account text NOT NULL,
      resource text NOT NULL,
      severity text NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      remediation text NOT NULL,
      details text NOT NULL,
      evidence text NOT NULL,
      PRIMARY KEY (rule, event_id)
    );
    CREATE INDEX detections_t ON detections (t);
    CREATE INDEX detections_event ON detections (event_id);
    CREATE TABLE changes (
      event_id text COLLATE "C" PRIMARY KEY,
      t bigint NOT NULL,
      account text,
      event_source text NOT NULL,
      event_name text NOT NULL,
      resource_type text NOT NULL,
      resource text NOT NULL,
      actor text,
      session text,
      source_ip text,
      user_agent text,
      region text NOT NULL,
      params text
    );
    CREATE INDEX changes_t ON changes (t);
    CREATE TABLE detect_memory (
      ns text NOT NULL,
      key text NOT NULL,
      first_ms bigint NOT NULL,
      last_ms bigint NOT NULL,
      value text,
      PRIMARY KEY (ns, key)
    );`,
  ],
};

/** Request parameters beyond this many characters are cut (a change row must stay small). */
const MAX_PARAMS_CHARS = 16_384;

function paramsText(params: unknown): string | null {
  if (params === undefined || params === null) return null;
  const text = JSON.stringify(params);
  return text.length <= MAX_PARAMS_CHARS ? text : JSON.stringify({ truncated: true, prefix: text.slice(0, MAX_PARAMS_CHARS) });
}

const t = toPgText;

async function writeResult(db: Queryable, result: CommitHookResult): Promise<{ detections: number; changes: number }> {
  let detections = 0;
  let changes = 0;
  // One statement per row: rows are rare, and one statement cannot update the same key twice.
  for (const d of result.detections) {
    const r = await db.query(
      // More evidence (a sequence rule seeing the pair after the lone event) replaces the row stored.
      `INSERT INTO detections AS d (rule, event_id, t, account, resource, severity, title, description, remediation, details, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (rule, event_id) DO UPDATE SET severity = excluded.severity, title = excluded.title, details = excluded.details,
         evidence = excluded.evidence, resource = excluded.resource
       WHERE json_array_length(excluded.evidence::json) > json_array_length(d.evidence::json)`,
      [
        t(d.rule),
        t(d.eventId),
        timeToMs(d.eventTime),
        t(d.accountId),
        t(d.resource),
        t(d.severity),
        t(d.title),
        t(d.description),
        t(d.remediation),
        JSON.stringify(d.details),
        JSON.stringify(d.evidence),
      ],
    );
    detections += r.rowCount ?? 0;
  }
  for (const c of result.changes) {
    const r = await db.query(
      `INSERT INTO changes (event_id, t, account, event_source, event_name, resource_type, resource, actor, session, source_ip, user_agent, region, params)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (event_id) DO NOTHING`,
      [
        t(c.eventId),
        timeToMs(c.eventTime),
        t(c.accountId),
        t(c.eventSource),
        t(c.eventName),
        t(c.resourceType),
        t(c.resource),
        t(c.actor),
        t(c.sessionName),
        t(c.sourceIPAddress),
        t(c.userAgent),
        t(c.awsRegion),
        paramsText(c.requestParameters),
      ],
    );
    changes += r.rowCount ?? 0;
  }
  return { detections, changes };
}

export class PgDetectionStore implements DetectionStore {
  private hook: CommitHook | null = null;
  private readonly memory = new PgDetectionMemory();

  constructor(private readonly pool: Pool) {}

  setCommitHook(hook: CommitHook | null): void {
    this.hook = hook;
  }

  /**
   * Called by the event store inside its commit transaction with the chunk's inserted events:
   * runs the hook and writes what it returns (and its memory notes) in that transaction.
   */
  async afterInsert(db: Queryable, chunk: EncodedChunk, kept: readonly number[]): Promise<void> {
    if (!this.hook || kept.length === 0) return;
    await this.memory.load(db);
    await writeResult(db, this.hook(new ChunkBatch(chunk, kept, chunk.extras), this.memory));
    await this.memory.flush(db);
  }

  /** The event store's commit ended (see afterInsert). */
  committed(ok: boolean): void {
    this.memory.ended(ok);
  }

  async put(result: CommitHookResult): Promise<{ detections: number; changes: number }> {
    return inTransaction(this.pool, (client) => writeResult(client, result));
  }

  async list(q: DetectionQuery = {}): Promise<DetectionRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (q.since !== undefined) {
      params.push(timeToMs(q.since));
      clauses.push(`t >= $${params.length}`);
    }
    if (q.until !== undefined) {
      params.push(timeToMs(q.until));
      clauses.push(`t < $${params.length}`);
    }
    if (q.accountId !== undefined) {
      params.push(t(q.accountId));
      clauses.push(`account = $${params.length}`);
    }
    if (q.rules && q.rules.length > 0) {
      params.push(q.rules.map((r) => t(r)));
      clauses.push(`rule = ANY($${params.length}::text[])`);
    }
    const { rows } = await this.pool.query<{
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
    }>(`SELECT * FROM detections${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY t, rule COLLATE "C", event_id`, params);
    return rows.map((r) => ({
      rule: fromPgText(r.rule),
      eventId: fromPgText(r.event_id),
      eventTime: msToTime(r.t),
      accountId: fromPgText(r.account),
      resource: fromPgText(r.resource),
      severity: fromPgText(r.severity),
      title: fromPgText(r.title),
      description: fromPgText(r.description),
      remediation: fromPgText(r.remediation),
      details: JSON.parse(r.details) as Record<string, unknown>,
      evidence: JSON.parse(r.evidence) as string[],
    }));
  }

  async changes(q: ChangeQuery = {}): Promise<ChangeRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (q.since !== undefined) {
      params.push(timeToMs(q.since));
      clauses.push(`t >= $${params.length}`);
    }
    if (q.until !== undefined) {
      params.push(timeToMs(q.until));
      clauses.push(`t < $${params.length}`);
    }
    if (q.accountId !== undefined) {
      params.push(t(q.accountId));
      clauses.push(`account = $${params.length}`);
    }
    if (q.resource !== undefined) {
      params.push(t(q.resource));
      clauses.push(`resource = $${params.length}`);
    }
    const limit = q.limit !== undefined && q.limit > 0 ? ` LIMIT ${Math.floor(q.limit)}` : '';
    const { rows } = await this.pool.query<{
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
    }>(`SELECT * FROM changes${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY t, event_id${limit}`, params);
    return rows.map((r) => ({
      eventId: fromPgText(r.event_id),
      eventTime: msToTime(r.t),
      accountId: fromPgText(r.account),
      eventSource: fromPgText(r.event_source),
      eventName: fromPgText(r.event_name),
      resourceType: fromPgText(r.resource_type),
      resource: fromPgText(r.resource),
      actor: fromPgText(r.actor),
      sessionName: fromPgText(r.session),
      sourceIPAddress: fromPgText(r.source_ip),
      userAgent: fromPgText(r.user_agent),
      awsRegion: fromPgText(r.region),
      requestParameters: r.params === null ? null : (JSON.parse(r.params) as unknown),
    }));
  }
}
