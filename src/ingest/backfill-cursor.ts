/**
 * Backfill's per-folder cursors: the range of days a region folder is known to be covered by,
 * and the tracker that moves that cursor as files finish. See ./backfill.js for how a rerun
 * resumes from them.
 */
import { dayOf } from '../sources/index.js';

export interface Cursor {
  from: string;
  through: string;
}

export const cursorKey = (bucket: string, folder: string) => `backfill:${bucket}:${folder}`;

export function nextDay(day: string): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
}

/** Tracks, per region folder, which days are finished, to move the persisted cursor. */
export class FolderTracker {
  /** Unfinished days in listing order (ascending within a folder). */
  private readonly days = new Map<string, { pending: number; failed: boolean }>();
  private listingDone = false;
  private expected: number | undefined;
  private received = 0;
  private latestSeen: string | undefined;
  private writes: Promise<void> = Promise.resolve();
  committed: string | undefined;

  constructor(
    private readonly save: (through: string) => Promise<void>,
    /** Days before this one are outside the range. */
    private readonly firstDay: string,
    /** Last day entirely inside the range: later days are partial and never committed. */
    private readonly lastFullDay: string,
  ) {}

  started(day: string): void {
    const d = this.days.get(day) ?? { pending: 0, failed: false };
    d.pending++;
    this.received++;
    if (this.expected !== undefined && this.received >= this.expected) this.listingDone = true;
    this.days.set(day, d);
    if (!this.latestSeen || day > this.latestSeen) this.latestSeen = day;
    this.advance();
  }
  /** ok=false (a transient failure) pins the cursor before this day, so a rerun retries it. */
  finished(day: string, ok: boolean): void {
    const d = this.days.get(day);
    if (d) {
      d.pending--;
      if (!ok) d.failed = true;
    }
    this.advance();
  }
  /** The folder's listing ended after `total` keys; it is done once all of them were received. */
  listed(total: number): void {
    this.expected = total;
    if (this.received >= total) this.listingDone = true;
    this.advance();
  }
  flush(): Promise<void> {
    return this.writes;
  }

  private advance(): void {
    for (const [day, d] of this.days) {
      const closed = this.listingDone || (this.latestSeen !== undefined && day < this.latestSeen);
      if (!closed || d.pending > 0 || d.failed) break;
      this.days.delete(day);
    }
    let through: string | undefined;
    const head = this.days.keys().next();
    if (!head.done) {
      // Everything before the first unfinished day is done, days without files included.
      through = dayOf(Date.parse(`${head.value}T00:00:00Z`) - 86_400_000);
    } else if (this.listingDone) {
      through = this.lastFullDay;
    } else if (this.latestSeen) {
      through = dayOf(Date.parse(`${this.latestSeen}T00:00:00Z`) - 86_400_000);
    }
    if (!through || through < this.firstDay) return;
    if (through > this.lastFullDay) through = this.lastFullDay;
    if (!this.committed || through > this.committed) {
      this.committed = through;
      const value = through;
      this.writes = this.writes.then(() => this.save(value));
    }
  }
}
