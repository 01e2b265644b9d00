/**
 * Retention on SQLite: events before a time are deleted in batches, each its own short write
 * transaction (ingestion beside it waits for one batch, not for the whole pass), with their raw
 * lines and provenance; then the freed pages go back to the file system (incremental vacuum).
 * usage_hourly, principals, coverage, detections, changes and findings are left as they are:
 * they are what the analysis reads once the events are gone.
 */
import { statSync } from 'node:fs';
import type { Database as Db } from 'better-sqlite3';
import type { MaintenanceStore, RetentionResult } from '../types.js';
import { timeToMs } from '../encode/time.js';
import { deleteRawLines } from './connector-events.js';

/** Events per delete transaction: big enough to amortise, small enough that a writer barely waits. */
const BATCH = 5000;

export class SqliteMaintenance implements MaintenanceStore {
  constructor(
    private readonly db: Db,
    private readonly file: string,
    /** The event store: raw blocks being compressed are swapped in by another transaction, let that finish. */
    private readonly events: { settle(): Promise<void> },
  ) {}

  async applyRetention(before: string): Promise<RetentionResult> {
    const cutoff = timeToMs(before);
    await this.events.settle();
    const db = this.db;
    const pick = db.prepare<[number, number], number>('SELECT id FROM events WHERE t < ? ORDER BY t LIMIT ?').pluck();
    const deleteEvent = db.prepare<[number]>('DELETE FROM events WHERE id = ?');
    const deleteClaims = db.prepare<[number]>('DELETE FROM event_claims WHERE row = ?');
    const batch = db.transaction((): number => {
      const ids = pick.all(cutoff, BATCH);
      if (ids.length === 0) return 0;
      // Before the rows go: it counts the rows still alive in each block.
      deleteRawLines(db, ids);
      for (const id of ids) {
        deleteEvent.run(id);
        deleteClaims.run(id);
      }
      return ids.length;
    });
    let events = 0;
    for (;;) {
      const n = batch.immediate();
      events += n;
      if (n < BATCH) break;
      // Let other work on this thread (a commit waiting for its turn) run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (events > 0) {
      db.prepare('DELETE FROM event_origins WHERE NOT EXISTS (SELECT 1 FROM events WHERE id BETWEEN event_origins.lo AND event_origins.hi)').run();
      db.pragma('incremental_vacuum');
    }
    return { before: new Date(cutoff).toISOString(), events, partitions: 0 };
  }

  async sizeBytes(): Promise<number> {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    let wal = 0;
    try {
      wal = statSync(`${this.file}-wal`).size;
    } catch {
      wal = 0;
    }
    return pages * pageSize + wal;
  }
}
