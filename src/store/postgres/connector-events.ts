/**
 * Removing what a connector brought in (PostgreSQL): the event rows it inserted (origin) or
 * delivered again after their first deliverer went (claims), unless another connector delivered
 * them too; with them their usage (the touched hours are recomputed from the events that remain),
 * detections and changes, principals no event names any more, and the coverage its files added.
 * Runs inside the removal's transaction, so it is all or nothing.
 */
import { HOUR_MS } from '../encode/time.js';
import type { Queryable } from './database.js';
import { removeConnectorCoverage } from './coverage.js';
import { addUsage } from './usage.js';
import { markUsageHours } from './usage-daily.js';
import { DAY_MS } from '../evidence-window.js';

export interface ConnectorEventsRemoval {
  events: number;
  shared: number;
}

const OTHER_CLAIM = 'EXISTS (SELECT 1 FROM event_claims o WHERE o.connector <> $1 AND o.t = e.t AND o.event_id = e.event_id)';

export async function removeConnectorEvents(db: Queryable, connector: string): Promise<ConnectorEventsRemoval> {
  await db.query(
    `CREATE TEMP TABLE doomed ON COMMIT DROP AS
     SELECT e.t, e.event_id FROM events e WHERE e.origin = $1 AND NOT ${OTHER_CLAIM}
     UNION
     SELECT e.t, e.event_id FROM event_claims c JOIN events e ON e.t = c.t AND e.event_id = c.event_id
     WHERE c.connector = $1 AND e.origin IS NULL AND NOT ${OTHER_CLAIM}`,
    [connector],
  );
  // Events another connector delivered too stay; they are theirs from now on.
  const shared = await db.query(`UPDATE events e SET origin = NULL WHERE e.origin = $1 AND ${OTHER_CLAIM}`, [connector]);
  const { rows: hours } = await db.query<{ hour: number }>(`SELECT DISTINCT floor(t / ${HOUR_MS})::bigint AS hour FROM doomed`);
  await db.query(`INSERT INTO evidence_daily_dirty (day) SELECT DISTINCT floor(t / ${DAY_MS})::bigint FROM doomed`);
  const { rows: gone } = await db.query<{ n: number; blocks: number[] | null }>(
    `WITH gone AS (DELETE FROM events e USING doomed d WHERE e.t = d.t AND e.event_id = d.event_id RETURNING e.raw_block)
     SELECT count(*) AS n, array_agg(DISTINCT raw_block) FILTER (WHERE raw_block IS NOT NULL) AS blocks FROM gone`,
  );
  // their raw blocks, unless another connector's events are in them too (the time bounds make it an index range)
  await db.query(
    `DELETE FROM raw_blocks b WHERE b.id = ANY($1::bigint[])
     AND NOT EXISTS (SELECT 1 FROM events e WHERE e.t BETWEEN b.min_t AND b.max_t AND e.raw_block = b.id)`,
    [gone[0]!.blocks ?? []],
  );
  await db.query('DELETE FROM detections WHERE event_id IN (SELECT event_id FROM doomed)');
  await db.query('DELETE FROM changes WHERE event_id IN (SELECT event_id FROM doomed)');
  await db.query('DELETE FROM event_claims c USING doomed d WHERE c.t = d.t AND c.event_id = d.event_id');
  await db.query('DELETE FROM event_claims WHERE connector = $1', [connector]);
  if (hours.length > 0) {
    const list = hours.map((h) => h.hour);
    await db.query('DELETE FROM usage_hourly WHERE hour = ANY($1::bigint[])', [list]);
    await markUsageHours(db, list);
    for (const hour of list) {
      const { rows } = await db.query<{ eid: string; t: number; principal: string | null; session: string | null; error: string | null; actions: string[] }>(
        'SELECT event_id AS eid, t, principal, session, error, actions FROM events WHERE t >= $1 AND t < $2',
        [hour * HOUR_MS, (hour + 1) * HOUR_MS],
      );
      await addUsage(db, rows.map((r) => ({ eid: r.eid, t: r.t, principal: r.principal, session: r.session, ok: r.error === null, actions: r.actions })));
    }
    await db.query('DELETE FROM principals p WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.principal = p.principal)');
  }
  await removeConnectorCoverage(db, connector);
  await db.query('DROP TABLE doomed');
  return { events: Number(gone[0]!.n), shared: shared.rowCount ?? 0 };
}
