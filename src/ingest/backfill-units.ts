/**
 * One claimed backfill work unit, worked to its end: list its keys after its cursor, import them
 * with the run's shared file slots, keep the lease alive while doing so (saving the cursor each
 * time), then mark the unit done, or give it back with its cursor (stop, transient failure).
 * A worker that dies simply stops renewing: after the lease another worker claims the unit and
 * resumes from the last saved cursor; files done after that cursor are skipped by their record.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { BackfillClaim, Store } from '../store/index.js';
import type { TrailKey } from '../sources/index.js';
import { listUnitKeys } from './backfill-list.js';

/** Files imported at once across every unit of a run. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** What importing one file meant for the unit's cursor. */
export interface FileOutcome {
  /** false for a transient failure: the cursor must not pass the file, so it is retried. */
  settled: boolean;
  events: number;
}

export interface UnitContext {
  store: Store;
  s3: S3Client;
  slots: Slots;
  leaseMs: number;
  /** Never throws: failures are recorded by the caller and reported as `settled: false` when transient. */
  importFile: (k: TrailKey) => Promise<FileOutcome>;
  onListed: (k: TrailKey) => void;
  /** Listing the unit failed (the unit is given back, for a later run or another worker). */
  onListingFailure: (err: unknown) => void;
  signal?: AbortSignal;
  pageSize?: number;
}

export type UnitOutcome =
  | { status: 'done' }
  /** Given back with its cursor: stopped, or a file failed transiently (`error`). */
  | { status: 'released'; error: string | null }
  /** The lease was lost (expired and taken over) or the unit was widened: another claim finishes it. */
  | { status: 'lost' };

export async function workUnit(claim: BackfillClaim, ctx: UnitContext): Promise<UnitOutcome> {
  const { store, slots, signal } = ctx;
  const entries: { key: string; finished: boolean; settled: boolean }[] = [];
  let head = 0;
  let cursor = claim.unit.cursor;
  let files = 0;
  let events = 0;
  let lost = false;
  let error: string | null = null;

  // Everything before the first unfinished (or transiently failed) file is done.
  const advance = () => {
    while (head < entries.length && entries[head]!.finished && entries[head]!.settled) cursor = entries[head++]!.key;
    if (head > 1024) {
      entries.splice(0, head);
      head = 0;
    }
  };
  const progress = () => {
    const p = { cursor, files, events };
    files = 0;
    events = 0;
    return p;
  };

  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      if (lost) return;
      const p = progress();
      try {
        if (!(await store.backfill.renew(claim, p, ctx.leaseMs))) lost = true;
      } catch {
        // The database is unreachable for a moment: count it again with the next renewal.
        files += p.files;
        events += p.events;
      }
    });
  }, Math.max(100, Math.floor(ctx.leaseMs / 3)));

  const inflight = new Set<Promise<void>>();
  let listedAll = false;
  try {
    for await (const k of listUnitKeys(ctx.s3, claim.unit, { ...(signal ? { signal } : {}), ...(ctx.pageSize ? { pageSize: ctx.pageSize } : {}) })) {
      await slots.acquire();
      if (lost || signal?.aborted) {
        slots.release();
        return await settle(false);
      }
      ctx.onListed(k);
      const entry = { key: k.key, finished: false, settled: false };
      entries.push(entry);
      const p = ctx
        .importFile(k)
        .then((r) => {
          entry.settled = r.settled;
          if (!r.settled) error ??= `s3://${claim.unit.bucket}/${k.key} failed transiently`;
          files++;
          events += r.events;
        })
        .finally(() => {
          entry.finished = true;
          advance();
          slots.release();
          inflight.delete(p);
        });
      inflight.add(p);
    }
    listedAll = true;
  } catch (err) {
    if (!signal?.aborted) {
      ctx.onListingFailure(err);
      error = `listing s3://${claim.unit.bucket}/${claim.unit.folder} ${claim.unit.day} failed: ${(err as Error).message ?? String(err)}`;
    }
  }
  return settle(listedAll);

  async function settle(listed: boolean): Promise<UnitOutcome> {
    await Promise.allSettled(inflight);
    clearInterval(timer);
    await renewing;
    if (lost) return { status: 'lost' };
    if (!listed || error !== null) {
      await store.backfill.release(claim, { ...progress(), error });
      return { status: 'released', error };
    }
    return (await store.backfill.complete(claim, progress())) ? { status: 'done' } : { status: 'lost' };
  }
}
