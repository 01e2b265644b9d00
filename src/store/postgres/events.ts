import type { NormalizedEvent } from '../../model/index.js';
import type { CommitOptions, CommitResult, EventQuery, EventStats, EventStore, EvidenceGroup, EvidenceQuery, HealthProblem, UsageQuery, UsageRow, WriteBatch } from '../types.js';
import { columnsOnlyEvent, decodeEvent } from '../encode/raw.js';
import type { EventColumns } from '../encode/raw.js';
import { msToTime, timeToMs } from '../encode/time.js';
import { GroupCommit, reportGroupCommitFailure } from '../group-commit.js';
import type { Pool } from './database.js';
import { BEGIN_SNAPSHOT, fromPgText, inTransaction, toPgText } from './database.js';
import type { Partitions } from './partitions.js';
import { writeChunk } from './write-chunk.js';
import { PG_ENCODER, mergePgBatches, pgBatchOf, type PgBatch } from './encoder.js';
import { PgRawReader, type RawRef } from './raw-blocks.js';
import type { PgDetectionStore } from './detections.js';
import { queryPrincipals, queryUsage } from './usage.js';
import { evidenceGroups } from './evidence.js';

const PAGE_SIZE = 1000;
/** Deadlock and serialization failures: the whole commit is retried (it is all or nothing). */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

interface EventRow {
  t: number;
  event_id: string;
  api: string;
  account: string | null;
  principal: string | null;
  p_account: string | null;
  itype: string | null;
  session: string | null;
  error: string | null;
  actions: string[];
  resources: string[];
  extra: string | null;
}

const COLUMNS = 't, event_id, api, account, principal, p_account, itype, session, error, actions, resources, extra';

function columns(r: EventRow): EventColumns {
  const [eventSource, eventName] = JSON.parse(r.api) as [string, string];
  return {
    eventID: fromPgText(r.event_id),
    eventTime: msToTime(r.t),
    eventSource,
    eventName,
    recipientAccountId: fromPgText(r.account),
    errorCode: fromPgText(r.error),
    identityType: fromPgText(r.itype),
    principalArn: fromPgText(r.principal),
    principalAccountId: fromPgText(r.p_account),
    sessionName: fromPgText(r.session),
    actions: r.actions.map((a) => fromPgText(a)),
    resources: r.resources.map((a) => fromPgText(a)),
  };
}

const RAW_COLUMNS = 'raw_codec, raw, raw_block, raw_index';

/** WHERE clauses and parameters of a query ($1…). */
export function eventsWhere(q: EventQuery): { clauses: string[]; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (q.since !== undefined) add((p) => `t >= ${p}`, timeToMs(q.since));
  if (q.until !== undefined) add((p) => `t < ${p}`, timeToMs(q.until));
  if (q.recipientAccountId !== undefined) add((p) => `account = ${p}`, toPgText(q.recipientAccountId));
  if (q.principalArn !== undefined) add((p) => `principal = ${p}`, toPgText(q.principalArn));
  if (q.action !== undefined) add((p) => `actions ? ${p}`, toPgText(q.action));
  if (q.anyAction !== undefined) add((p) => `actions ?| ${p}::text[]`, [...new Set(q.anyAction)].map((a) => toPgText(a)));
  if (q.errorsOnly) clauses.push('error IS NOT NULL');
  return { clauses, params };
}

export class PgEventStore implements EventStore {
  private readonly group = new GroupCommit<PgBatch>({
    commitNow: (batch) => this.commitNow(batch),
    events: (batch) => batch.chunk.n,
    parts: (batch) => batch.parts,
    merge: mergePgBatches,
    groupFailed: (err, batches) => reportGroupCommitFailure(this.reportProblem, err, batches.map((b) => b.chunk)),
  });
  readonly encoder = PG_ENCODER;
  /** Commits under way or waiting for their group, so close() can let them finish first. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: Pool,
    private readonly partitions: Partitions,
    /** Runs the detection hook inside each commit and learns how the commit ended. */
    private readonly detections: PgDetectionStore,
    /** Records a health problem (PgIngestStateStore.reportProblem). */
    private readonly reportProblem: (p: HealthProblem) => Promise<void> = async () => {},
  ) {}

  /** Waits until every commit started so far has ended (committed or failed). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  /**
   * One transaction: after it returns every event, file record, counter, usage and coverage row
   * and detection of the chunk is durable, or none is. A deadlock with another worker (they lock
   * rows in key order, so it is rare) retries the whole commit.
   */
  async commit(batch: WriteBatch, opts: CommitOptions = {}): Promise<CommitResult[]> {
    return this.track(Promise.resolve().then(() => this.group.commit(pgBatchOf(batch), opts.immediate === true)));
  }

  private async commitNow({ chunk }: PgBatch): Promise<CommitResult[]> {
    await this.partitions.ensure(chunk.times);
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await inTransaction(this.pool, (client) => writeChunk(client, chunk, this.detections));
        this.detections.committed(true);
        return results;
      } catch (err) {
        this.detections.committed(false);
        const code = (err as { code?: string }).code;
        if (attempt < MAX_ATTEMPTS && code !== undefined && RETRYABLE.has(code)) continue;
        throw err;
      }
    }
  }

  async query(q: EventQuery): Promise<NormalizedEvent[]> {
    const out: NormalizedEvent[] = [];
    for await (const e of this.iterate(q)) out.push(e);
    return out;
  }

  /** Pages with a keyset on the primary key (t, event_id): bounded memory, no cursor held open. */
  async *iterate(q: EventQuery): AsyncGenerator<NormalizedEvent> {
    const desc = q.newestFirst === true;
    const dir = desc ? 'DESC' : 'ASC';
    const select = q.columnsOnly ? COLUMNS : `${COLUMNS}, ${RAW_COLUMNS}`;
    const raws = q.columnsOnly ? null : new PgRawReader();
    let remaining = q.limit ?? Infinity;
    let after: [number, string] | null = null;
    while (remaining > 0) {
      const { clauses, params } = eventsWhere(q);
      if (after) {
        params.push(after[0], after[1]);
        clauses.push(`(t, event_id) ${desc ? '<' : '>'} ($${params.length - 1}, $${params.length})`);
      }
      const pageSize = Math.min(PAGE_SIZE, remaining);
      const sql = `SELECT ${select} FROM events${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY t ${dir}, event_id ${dir} LIMIT ${pageSize}`;
      // A page and its raw blocks are read in one snapshot: retention or a connector's removal
      // committed between the two reads would otherwise have taken blocks the rows still name.
      const rows = raws
        ? await inTransaction(this.pool, async (client) => {
            const page = (await client.query<EventRow & Partial<RawRef>>(sql, params)).rows;
            await raws.load(client, page as RawRef[]);
            return page;
          }, BEGIN_SNAPSHOT)
        : (await this.pool.query<EventRow & Partial<RawRef>>(sql, params)).rows;
      for (const r of rows) yield raws ? decodeEvent(columns(r), raws.line(r as RawRef), r.extra) : columnsOnlyEvent(columns(r));
      remaining -= rows.length;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = [last.t, last.event_id];
    }
  }

  async usage(q: UsageQuery): Promise<UsageRow[]> {
    return queryUsage(this.pool, q);
  }

  async evidenceGroups(q: EvidenceQuery): Promise<EvidenceGroup[]> {
    return evidenceGroups(this.pool, q);
  }

  async timeSpan(): Promise<Pick<EventStats, 'oldestEventTime' | 'newestEventTime'>> {
    const { rows } = await this.pool.query<{ oldest: number | null; newest: number | null }>('SELECT min(t) AS oldest, max(t) AS newest FROM events');
    const r = rows[0]!;
    return { oldestEventTime: r.oldest === null ? null : msToTime(r.oldest), newestEventTime: r.newest === null ? null : msToTime(r.newest) };
  }

  async stats(): Promise<EventStats> {
    const { rows } = await this.pool.query<{ events: number; oldest: number | null; newest: number | null; files: number }>(
      'SELECT (SELECT count(*) FROM events) AS events, (SELECT min(t) FROM events) AS oldest, (SELECT max(t) FROM events) AS newest, (SELECT count(*) FROM files) AS files',
    );
    const r = rows[0]!;
    return {
      events: r.events,
      files: r.files,
      oldestEventTime: r.oldest === null ? null : msToTime(r.oldest),
      newestEventTime: r.newest === null ? null : msToTime(r.newest),
    };
  }

  async principals(q: { until?: string; principalAccountId?: string }) {
    return queryPrincipals(this.pool, q);
  }
}
