/**
 * Removing what a connector brought in: the event rows only it delivered (event_origins minus
 * the rows another connector delivered again, event_claims), their raw records, the usage
 * aggregates and coverage they counted, and the detections and changes found in them. Runs
 * inside the caller's write transaction, so a removal is all or nothing.
 */
import type { Database as Db } from 'better-sqlite3';
import type { UsageAggregator, EventRowForUsage } from './usage.js';
import { decodeEventId } from './codec.js';
import { CODEC_PLAIN_LINES, decompressLines } from '../encode/lines.js';
import { deliveryHour } from '../encode/index.js';
import { HOUR_MS, timeToMs } from '../encode/time.js';

export interface ConnectorEventsRemoval {
  /** Event rows deleted: only this connector had delivered them. */
  events: number;
  /** Event rows kept because another connector delivered them too. */
  shared: number;
}

interface Range {
  lo: number;
  hi: number;
  source: string;
  key: string;
}

export function removeConnectorEvents(db: Db, usage: UsageAggregator, connector: string): ConnectorEventsRemoval {
  const ranges = db.prepare<[string], Range>('SELECT lo, hi, source, key FROM event_origins WHERE connector = ? ORDER BY lo').all(connector);
  const claimedByOthers = db.prepare<[string, number, number], number>('SELECT row FROM event_claims WHERE connector <> ? AND row BETWEEN ? AND ?').pluck();
  const rowsIn = db.prepare<[number, number], EventRowForUsage & { account: number | null }>(
    'SELECT id, event_id AS eid, t, principal, session, error, actions FROM events WHERE id BETWEEN ? AND ?',
  );
  const doomed: EventRowForUsage[] = [];
  const lowsWithoutDelivery: Range[] = [];
  let shared = 0;
  for (const r of ranges) {
    const keep = new Set(claimedByOthers.all(connector, r.lo, r.hi));
    shared += keep.size;
    for (const row of rowsIn.iterate(r.lo, r.hi)) if (!keep.has(row.id)) doomed.push(row);
    if (!deliveryHour(r.key)) lowsWithoutDelivery.push(r);
  }
  // Rows this connector delivered again after another one first did: theirs alone once the
  // first deliverer is gone.
  const orphanClaims = db
    .prepare<[string, string, string], EventRowForUsage>(
      `SELECT e.id, e.event_id AS eid, e.t, e.principal, e.session, e.error, e.actions
       FROM event_claims c JOIN events e ON e.id = c.row
       WHERE c.connector = ?
         AND NOT EXISTS (SELECT 1 FROM event_claims o WHERE o.row = c.row AND o.connector <> ?)
         AND NOT EXISTS (SELECT 1 FROM event_origins g WHERE g.lo = (SELECT max(lo) FROM event_origins WHERE lo <= c.row) AND g.hi >= c.row AND g.connector <> ?)`,
    )
    .all(connector, connector, connector);
  const seen = new Set(doomed.map((d) => d.id));
  for (const row of orphanClaims) if (!seen.has(row.id)) doomed.push(row);
  subtractCoverage(db, connector, lowsWithoutDelivery, new Set(doomed.map((d) => d.id)));
  if (doomed.length > 0) {
    deleteRawLines(db, doomed.map((d) => d.id));
    const deleteEvent = db.prepare('DELETE FROM events WHERE id = ?');
    const deleteDetections = db.prepare('DELETE FROM detections WHERE event_id = ?');
    const deleteChange = db.prepare('DELETE FROM changes WHERE event_id = ?');
    const deleteClaims = db.prepare('DELETE FROM event_claims WHERE row = ?');
    for (const d of doomed) {
      deleteEvent.run(d.id);
      deleteClaims.run(d.id);
      const id = decodeEventId(d.eid);
      deleteDetections.run(id);
      deleteChange.run(id);
    }
    recomputeUsage(db, usage, new Set(doomed.map((d) => Math.floor(d.t / HOUR_MS))));
    db.exec('DELETE FROM principals WHERE principal NOT IN (SELECT principal FROM events WHERE principal IS NOT NULL)');
  }
  db.prepare('DELETE FROM event_origins WHERE connector = ?').run(connector);
  db.prepare('DELETE FROM event_claims WHERE connector = ?').run(connector);
  return { events: doomed.length, shared };
}

/**
 * Takes the connector's files out of coverage: a delivery file counted its delivery hour; a file
 * without the delivery layout counted the hours of its events (read back from their raw records).
 */
function subtractCoverage(db: Db, connector: string, withoutDelivery: Range[], doomed: Set<number>): void {
  const subtract = db.prepare('UPDATE coverage_hourly SET files = files - ?, events = events - ? WHERE account = ? AND region = ? AND hour = ?');
  const files = db
    .prepare<[string], { key: string; event_count: number }>("SELECT key, event_count FROM files WHERE connector = ? AND status = 'done'")
    .all(connector);
  for (const f of files) {
    const d = deliveryHour(f.key);
    if (d) subtract.run(1, f.event_count, d.accountId, d.region, Math.floor(d.hour / HOUR_MS));
  }
  if (withoutDelivery.length > 0) {
    const lines = new RawLineReader(db);
    for (const r of withoutDelivery) {
      for (let row = r.lo; row <= r.hi; row++) {
        if (!doomed.has(row)) continue;
        const e = JSON.parse(lines.line(row)) as { recipientAccountId?: string; awsRegion?: string; eventTime?: string };
        if (!e.recipientAccountId || !e.eventTime) continue;
        subtract.run(0, 1, e.recipientAccountId, e.awsRegion ?? '', Math.floor(timeToMs(e.eventTime) / HOUR_MS));
      }
    }
  }
  db.exec(`DELETE FROM coverage_hourly WHERE files <= 0 AND events <= 0;
    DELETE FROM coverage_regions;
    INSERT INTO coverage_regions (account, region, first_hour, last_hour)
      SELECT account, region, min(hour), max(hour) FROM coverage_hourly GROUP BY account, region;`);
}

/** Reads raw lines by rowid (one block decoded at a time; rows are visited in order). */
class RawLineReader {
  private block: { first: number; lines: string[] } | undefined;
  private readonly blockFor;
  constructor(db: Db) {
    this.blockFor = db.prepare<[number], { id: number; n: number; codec: number; data: Buffer }>('SELECT id, n, codec, data FROM raw_blocks WHERE id <= ? ORDER BY id DESC LIMIT 1');
  }
  line(row: number): string {
    if (!this.block || row < this.block.first || row >= this.block.first + this.block.lines.length) {
      const b = this.blockFor.get(row);
      if (!b) throw new Error(`store is inconsistent: no raw block holds event row ${row}`);
      this.block = { first: b.id, lines: decompressLines(b.codec, b.data) };
    }
    return this.block.lines[row - this.block.first] ?? '';
  }
}

/**
 * Drops the raw records of deleted rows: a block left with no live row is deleted; a block with
 * some is rewritten plain with empty lines in their place (positions are rowids), and is
 * compressed again with its neighbours like any recent block.
 */
export function deleteRawLines(db: Db, rows: number[]): void {
  const doomed = new Set(rows);
  const sorted = [...rows].sort((a, b) => a - b);
  const blockFor = db.prepare<[number], { id: number; n: number; codec: number; data: Buffer }>('SELECT id, n, codec, data FROM raw_blocks WHERE id <= ? ORDER BY id DESC LIMIT 1');
  const liveIn = db.prepare<[number, number], number>('SELECT count(*) FROM events WHERE id BETWEEN ? AND ?').pluck();
  const del = db.prepare('DELETE FROM raw_blocks WHERE id = ?');
  const put = db.prepare('INSERT OR REPLACE INTO raw_blocks (id, n, codec, data) VALUES (?, ?, ?, ?)');
  const done = new Set<number>();
  for (const row of sorted) {
    const b = blockFor.get(row);
    if (!b || done.has(b.id) || row >= b.id + b.n) continue;
    done.add(b.id);
    const last = b.id + b.n - 1;
    let alive = liveIn.get(b.id, last) ?? 0;
    for (let r = b.id; r <= last; r++) if (doomed.has(r)) alive--;
    if (alive <= 0) {
      del.run(b.id);
      continue;
    }
    const lines = decompressLines(b.codec, b.data).map((line, i) => (doomed.has(b.id + i) ? '' : line));
    put.run(b.id, b.n, CODEC_PLAIN_LINES, Buffer.from(lines.join('\n')));
  }
}

/** Rebuilds the usage buckets of the given hours from the events that remain in them. */
function recomputeUsage(db: Db, usage: UsageAggregator, hours: Set<number>): void {
  const deleteHour = db.prepare('DELETE FROM usage_hourly WHERE hour = ?');
  const eventsOf = db.prepare<[number, number], EventRowForUsage>(
    'SELECT id, event_id AS eid, t, principal, session, error, actions FROM events WHERE t >= ? AND t < ?',
  );
  for (const hour of hours) {
    deleteHour.run(hour);
    usage.add(eventsOf.all(hour * HOUR_MS, (hour + 1) * HOUR_MS));
  }
}
