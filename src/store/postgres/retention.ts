/**
 * Retention on PostgreSQL. Events are partitioned by month (./partitions.ts): a partition whose
 * whole month is before the cutoff is emptied with TRUNCATE (no dead tuples, no vacuum debt);
 * the month the cutoff falls in, and events_default, lose their older rows in batched deletes.
 * An emptied partition is kept, not dropped: every worker caches the partitions it has seen, and
 * a late event of that month must still find its partition (events_default may never hold a
 * month that has one). Usage aggregates, principals, coverage, detections, changes and findings
 * stay: they are what the analysis reads once the events are gone.
 */
import { DAY_MS } from '../evidence-window.js';
import type { MaintenanceStore, RetentionResult } from '../types.js';
import { timeToMs } from '../encode/time.js';
import type { Pool } from './database.js';

/** Rows per delete statement in a partly kept partition. */
const BATCH = 10_000;
const PARTITION_NAME = /^events_(\d{4})_(\d{2})$/;
const LOCK_TIMEOUT_MS = 5000;
const LOCK_NOT_AVAILABLE = '55P03';

export class PgMaintenance implements MaintenanceStore {
  constructor(
    private readonly pool: Pool,
    /** The event store: commits under way end first. */
    private readonly events: { settle(): Promise<void> },
  ) {}

  async applyRetention(before: string): Promise<RetentionResult> {
    const cutoff = timeToMs(before);
    await this.events.settle();
    const { rows: parts } = await this.pool.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY c.relname",
    );
    let events = 0;
    let partitions = 0;
    for (const { name } of parts) {
      const m = PARTITION_NAME.exec(name);
      if (!m) continue;
      const monthEnd = Date.UTC(Number(m[1]), Number(m[2]), 1);
      if (monthEnd > cutoff) continue;
      // The name matched /^events_\d{4}_\d{2}$/: safe to put in the statement.
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        // TRUNCATE waits for every reader of the partition, and queued, it would stall new ones:
        // past a few seconds the month is left to the batched deletes below instead.
        await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT_MS}ms'`);
        const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${name}`);
        const n = rows[0]!.n;
        if (n > 0) {
          await client.query(`TRUNCATE ${name}`);
          await client.query('DELETE FROM event_claims WHERE t >= $1 AND t < $2', [Date.UTC(Number(m[1]), Number(m[2]) - 1, 1), monthEnd]);
        }
        await client.query('COMMIT');
        if (n > 0) {
          events += n;
          partitions++;
        }
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      } finally {
        client.release();
      }
    }
    // What is left before the cutoff: part of a month, and events_default (times before 1970).
    for (;;) {
      const { rows } = await this.pool.query<{ n: number }>(
        `WITH doomed AS (SELECT t, event_id FROM events WHERE t < $1 ORDER BY t LIMIT ${BATCH}),
              gone AS (DELETE FROM events e USING doomed d WHERE e.t = d.t AND e.event_id = d.event_id RETURNING e.t, e.event_id),
              claims AS (DELETE FROM event_claims c USING gone g WHERE c.t = g.t AND c.event_id = g.event_id RETURNING 1)
         SELECT count(*) AS n FROM gone`,
        [cutoff],
      );
      const n = rows[0]!.n;
      events += n;
      if (n < BATCH) break;
    }
    if (events > 0) {
      // Raw blocks whose every event is older than every event kept. One statement, one snapshot:
      // a commit's block is visible exactly when its events are, so a concurrent backfill of old
      // events keeps its block.
      await this.pool.query(`DELETE FROM raw_blocks WHERE max_t < coalesce((SELECT min(t) FROM events), ${Number.MAX_SAFE_INTEGER})`);
      // the evidence summary of the days now gone goes with them; the cutoff's own day is rebuilt
      await this.pool.query(
        `WITH gone AS (DELETE FROM evidence_daily WHERE day < floor($1::bigint / ${DAY_MS}) RETURNING 1)
         INSERT INTO evidence_daily_dirty (day) VALUES (floor($1::bigint / ${DAY_MS})::bigint)`,
        [cutoff],
      );
    }
    return { before: new Date(cutoff).toISOString(), events, partitions };
  }

  async sizeBytes(): Promise<number> {
    // Every table of the store's schema with its indexes and TOAST (partitions are tables of their own).
    const { rows } = await this.pool.query<{ bytes: number | null }>(
      `SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'm')`,
    );
    return rows[0]?.bytes ?? 0;
  }
}
