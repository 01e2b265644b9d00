/**
 * The retention setting and its application, the same for every backend. The setting is one per
 * store (`retention.days` in the key/value state): every process that writes to the store applies
 * the same rule. Absent (the default) keeps everything.
 */
import type { RetentionResult, Store } from './types.js';

const RETENTION_KEY = 'retention.days';
const DAY_MS = 86_400_000;

/** Days of events kept, or null to keep everything. */
export async function getRetentionDays(store: Store): Promise<number | null> {
  const v = await store.ingest.getState(RETENTION_KEY);
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Sets the days of events kept; null or 0 keeps everything from now on. */
export async function setRetentionDays(store: Store, days: number | null): Promise<void> {
  if (days !== null && !(Number.isInteger(days) && days >= 0)) throw new Error(`retention days must be a whole number ≥ 0, got ${days}`);
  await store.ingest.setState(RETENTION_KEY, days ? String(days) : '');
}

/** The eventTime before which events go under a retention of `days` at `now`. */
export function retentionCutoff(days: number, now: Date = new Date()): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/** Applies the store's retention setting now; null when it keeps everything. */
export async function applyStoreRetention(store: Store, now: Date = new Date()): Promise<RetentionResult | null> {
  const days = await getRetentionDays(store);
  if (days === null) return null;
  return store.maintenance.applyRetention(retentionCutoff(days, now));
}

export interface RetentionScheduleOptions {
  /** Wall time between passes (default one hour). */
  everyMs?: number;
  /** Delay of the first pass after start (default one minute: let a starting worker settle first). */
  firstAfterMs?: number;
  /** A pass that removed events, or failed (the next pass retries; ingestion goes on). */
  onResult?: (result: RetentionResult) => void;
  onError?: (err: Error) => void;
  now?: () => Date;
}

/**
 * Applies the store's retention on a timer while a process writes to it (ingest, serve, import):
 * once a minute after start, then once per hour of wall time, and once more when stopped (after
 * the last commit). The setting is read on each pass, so `trailscope retention --days N` reaches
 * running workers. Passes never overlap; the timer does not keep the process alive.
 */
export class RetentionSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly opts: RetentionScheduleOptions = {},
  ) {}

  start(): this {
    this.arm(this.opts.firstAfterMs ?? 60_000);
    return this;
  }

  /** Stops the timer and runs a last pass (waiting for one under way). */
  async stop(opts: { finalPass?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    if (opts.finalPass !== false) await this.pass();
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = null;
        this.arm(this.opts.everyMs ?? 3_600_000);
      });
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      const result = await applyStoreRetention(this.store, this.opts.now?.() ?? new Date());
      if (result && result.events > 0) this.opts.onResult?.(result);
    } catch (err) {
      this.opts.onError?.(err as Error);
    }
  }
}

/** The store's size and retention, for `trailscope status` (field `database`). */
export interface DatabaseStatus {
  sizeBytes: number;
  /** Days of events kept; null keeps everything. */
  retentionDays: number | null;
  /** eventTime of the oldest event kept. */
  oldestEventTime: string | null;
}

export async function databaseStatus(store: Store): Promise<DatabaseStatus> {
  const [sizeBytes, retentionDays, stats] = await Promise.all([store.maintenance.sizeBytes(), getRetentionDays(store), store.events.stats()]);
  return { sizeBytes, retentionDays, oldestEventTime: stats.oldestEventTime };
}
