/**
 * Provenance rows for TransferStore on PostgreSQL: events.origin (the connector whose file
 * inserted the row; PostgreSQL keeps no file key for it) and event_claims.
 */
import type { TransferPage, TransferRow } from '../types.js';
import { fromPgText, toPgText, type Queryable } from './database.js';

export async function readOrigins(db: Queryable, after: unknown, limit: number): Promise<TransferPage> {
  const params = after === null || after === undefined ? [] : (after as unknown[]);
  const { rows } = await db.query<{ t: number; event_id: string; origin: string }>(
    `SELECT t, event_id, origin FROM events WHERE origin IS NOT NULL${params.length ? ' AND (t, event_id) > ($1, $2)' : ''} ORDER BY t, event_id LIMIT ${Math.floor(limit)}`,
    params,
  );
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((r): TransferRow => ({ t: r.t, event_id: fromPgText(r.event_id), connector: r.origin, source: null, key: null })),
    next: rows.length < limit || !last ? null : [last.t, last.event_id],
  };
}

export async function readClaims(db: Queryable, after: unknown, limit: number): Promise<TransferPage> {
  const params = after === null || after === undefined ? [] : (after as unknown[]);
  const { rows } = await db.query<{ connector: string; t: number; event_id: string }>(
    `SELECT connector, t, event_id FROM event_claims${params.length ? ' WHERE (connector, t, event_id) > ($1, $2, $3)' : ''} ORDER BY connector, t, event_id LIMIT ${Math.floor(limit)}`,
    params,
  );
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((r): TransferRow => ({ connector: r.connector, t: r.t, event_id: fromPgText(r.event_id) })),
    next: rows.length < limit || !last ? null : [last.connector, last.t, last.event_id],
  };
}

function columns(rows: readonly TransferRow[]): [number[], string[], string[]] {
  return [rows.map((r) => Number(r.t)), rows.map((r) => toPgText(String(r.event_id))), rows.map((r) => String(r.connector))];
}

/** Events already attributed, or not stored, are left as they are. */
export async function writeOrigins(db: Queryable, rows: readonly TransferRow[]): Promise<void> {
  await db.query(
    `UPDATE events e SET origin = v.connector FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v (t, event_id, connector)
     WHERE e.t = v.t AND e.event_id = v.event_id COLLATE "C" AND e.origin IS NULL`,
    columns(rows),
  );
}

export async function writeClaims(db: Queryable, rows: readonly TransferRow[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => (String(a.connector) < String(b.connector) ? -1 : String(a.connector) > String(b.connector) ? 1 : Number(a.t) - Number(b.t)));
  await db.query(
    `INSERT INTO event_claims (connector, t, event_id)
     SELECT v.connector, v.t, v.event_id FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v (t, event_id, connector)
     WHERE EXISTS (SELECT 1 FROM events e WHERE e.t = v.t AND e.event_id = v.event_id COLLATE "C")
     ON CONFLICT DO NOTHING`,
    columns(sorted),
  );
}

export async function countProvenance(db: Queryable, table: 'event_origins' | 'event_claims'): Promise<number> {
  const { rows } = await db.query<{ n: number }>(table === 'event_origins' ? 'SELECT count(*) AS n FROM events WHERE origin IS NOT NULL' : 'SELECT count(*) AS n FROM event_claims');
  return rows[0]!.n;
}
