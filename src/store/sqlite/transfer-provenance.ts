/**
 * Provenance rows for TransferStore on SQLite: event_origins holds rowid ranges per committed
 * file, event_claims rowids; neutral rows name events by (t, event_id) instead.
 */
import type { Database as Db } from 'better-sqlite3';
import type { TransferPage, TransferRow } from '../types.js';
import { decodeEventId, encodeEventId } from './codec.js';

type Key = [number, number];

export function readOrigins(db: Db, after: unknown, limit: number): TransferPage {
  const [lo, id] = (after as Key | null) ?? [-1, -1];
  const rows = db
    .prepare<[number, number], { lo: number; id: number; t: number; event_id: Buffer | string; connector: string; source: string; key: string }>(
      `SELECT o.lo, e.id, e.t, e.event_id, o.connector, o.source, o.key FROM event_origins o JOIN events e ON e.id BETWEEN o.lo AND o.hi
       WHERE (o.lo, e.id) > (?, ?) ORDER BY o.lo, e.id LIMIT ${Math.floor(limit)}`,
    )
    .all(lo, id);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((r): TransferRow => ({ t: r.t, event_id: decodeEventId(r.event_id), connector: r.connector, source: r.source || null, key: r.key || null })),
    next: rows.length < limit || !last ? null : ([last.lo, last.id] satisfies Key),
  };
}

export function readClaims(db: Db, after: unknown, limit: number): TransferPage {
  const [connector, row] = (after as [string, number] | null) ?? ['', -1];
  const rows = db
    .prepare<[string, number], { connector: string; row: number; t: number; event_id: Buffer | string }>(
      `SELECT c.connector, c.row, e.t, e.event_id FROM event_claims c JOIN events e ON e.id = c.row
       WHERE (c.connector, c.row) > (?, ?) ORDER BY c.connector, c.row LIMIT ${Math.floor(limit)}`,
    )
    .all(connector, row);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((r): TransferRow => ({ connector: r.connector, t: r.t, event_id: decodeEventId(r.event_id) })),
    next: rows.length < limit || !last ? null : [last.connector, last.row],
  };
}

/** Call inside a write transaction. Rows of events already attributed, or not stored, are skipped. */
export function writeOrigins(db: Db, rows: readonly TransferRow[]): void {
  const idOf = db.prepare<[number, Buffer | string], number>('SELECT id FROM events WHERE t = ? AND event_id = ?').pluck();
  const covered = db.prepare<[number, number], number>('SELECT 1 FROM event_origins WHERE lo = (SELECT max(lo) FROM event_origins WHERE lo <= ?) AND hi >= ?').pluck();
  const put = db.prepare('INSERT INTO event_origins (lo, hi, connector, source, key) VALUES (?, ?, ?, ?, ?)');
  const found: { id: number; connector: string; source: string; key: string }[] = [];
  for (const r of rows) {
    const id = idOf.get(Number(r.t), encodeEventId(String(r.event_id)));
    if (id === undefined || covered.get(id, id) !== undefined) continue;
    found.push({ id, connector: String(r.connector), source: r.source === null ? '' : String(r.source), key: r.key === null ? '' : String(r.key) });
  }
  found.sort((a, b) => a.id - b.id);
  // Consecutive rows of one file become one range, as a commit writes them.
  for (let i = 0; i < found.length; ) {
    const first = found[i]!;
    let j = i + 1;
    while (j < found.length && found[j]!.id === found[j - 1]!.id + 1 && found[j]!.connector === first.connector && found[j]!.source === first.source && found[j]!.key === first.key) j++;
    put.run(first.id, found[j - 1]!.id, first.connector, first.source, first.key);
    i = j;
  }
}

export function writeClaims(db: Db, rows: readonly TransferRow[]): void {
  const idOf = db.prepare<[number, Buffer | string], number>('SELECT id FROM events WHERE t = ? AND event_id = ?').pluck();
  const put = db.prepare('INSERT OR IGNORE INTO event_claims (connector, row) VALUES (?, ?)');
  for (const r of rows) {
    const id = idOf.get(Number(r.t), encodeEventId(String(r.event_id)));
    if (id !== undefined) put.run(String(r.connector), id);
  }
}

export function countOrigins(db: Db): number {
  return db.prepare<[], number>('SELECT count(*) FROM event_origins o JOIN events e ON e.id BETWEEN o.lo AND o.hi').pluck().get() ?? 0;
}

export function countClaims(db: Db): number {
  return db.prepare<[], number>('SELECT count(*) FROM event_claims c JOIN events e ON e.id = c.row').pluck().get() ?? 0;
}
