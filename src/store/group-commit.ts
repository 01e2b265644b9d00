import type { CommitResult, HealthProblem } from './types.js';
import type { EncodedChunk } from './encode/index.js';

interface Waiting<B> {
  batch: B;
  resolve: (r: CommitResult[]) => void;
  reject: (err: unknown) => void;
}

/**
 * A group commits once it holds this many events, or this long after its first batch came; a
 * batch this big commits on its own at once (it amortises a transaction well enough).
 */
const FLUSH_EVENTS = 1024;
const FLUSH_AFTER_MS = 25;

/** How a backend commits, measures and merges its own encoded batches. */
export interface GroupCommitBackend<B> {
  /** One transaction; results per part. */
  commitNow(batch: B): Promise<CommitResult[]>;
  events(batch: B): number;
  parts(batch: B): number;
  /** One batch holding the parts of all, in order. */
  merge(batches: B[]): B;
  /**
   * The group's transaction failed, yet each of its batches then committed on its own: nothing
   * was lost, but nothing explains the failure either (a bug in merging or in the backend), and
   * the fallback would otherwise hide it.
   */
  groupFailed?(err: unknown, batches: B[]): void;
}

/**
 * Group commit: small batches committed within a few milliseconds of each other (the SQS worker
 * processes several messages at once) share one transaction. Each caller still learns of its own
 * batch only once that transaction is durable. A store's cost is largely per transaction
 * (SQLite writes the pages a commit touches again each time; PostgreSQL waits for a WAL flush),
 * so files of a few hundred events commit several times faster together. A group that fails is
 * retried batch by batch, so one bad batch fails alone, as it would have without grouping.
 */
export class GroupCommit<B> {
  private waiting: Waiting<B>[] = [];
  private events = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly backend: GroupCommitBackend<B>) {}

  commit(batch: B, immediate: boolean): Promise<CommitResult[]> {
    const events = this.backend.events(batch);
    if (immediate || events >= FLUSH_EVENTS) return this.backend.commitNow(batch);
    return new Promise<CommitResult[]>((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.events += events;
      if (this.events >= FLUSH_EVENTS) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), FLUSH_AFTER_MS);
    });
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.waiting;
    this.waiting = [];
    this.events = 0;
    void this.flush(group);
  }

  private async flush(group: Waiting<B>[]): Promise<void> {
    let groupError: unknown;
    if (group.length > 1) {
      let merged: B;
      try {
        merged = this.backend.merge(group.map((w) => w.batch));
      } catch (err) {
        // A bug, not a bad batch: fail loudly rather than quietly commit one by one forever.
        for (const w of group) w.reject(err);
        return;
      }
      try {
        const results = await this.backend.commitNow(merged);
        let at = 0;
        for (const w of group) {
          const n = this.backend.parts(w.batch);
          w.resolve(results.slice(at, at + n));
          at += n;
        }
        return;
      } catch (err) {
        // one of them is bad: commit them one by one below, so only that one fails
        groupError = err;
      }
    }
    let failedAlone = 0;
    for (const w of group) {
      try {
        w.resolve(await this.backend.commitNow(w.batch));
      } catch (err) {
        failedAlone++;
        w.reject(err);
      }
    }
    if (groupError !== undefined && failedAlone === 0) this.backend.groupFailed?.(groupError, group.map((w) => w.batch));
  }
}

/**
 * The problem a store records when a group failed that its files did not (see
 * GroupCommitBackend.groupFailed), under the connector of the group's first file that has one;
 * null when none has (local imports commit alone, never in groups).
 */
export function groupCommitProblem(err: unknown, chunks: readonly EncodedChunk[], at: Date): HealthProblem | null {
  const file = chunks.flatMap((c) => c.parts).find((p) => p.file?.connector !== undefined)?.file;
  if (!file?.connector) return null;
  const files = chunks.reduce((n, c) => n + c.parts.length, 0);
  return {
    connector: file.connector,
    kind: 'group-commit-failed',
    message: `${files} files failed to commit in one transaction, then each committed on its own (nothing lost): ${(err as Error)?.message ?? String(err)}`,
    fix: 'ingestion goes on, one transaction per file when this recurs (slower); report the message as a bug',
    bucket: file.source,
    key: file.key,
    at: at.toISOString(),
  };
}

/**
 * Records groupCommitProblem's problem, if any, with `report` (the store's reportProblem): a group
 * that failed where its files did not is a bug to see in `status`, not to hide in the fallback.
 */
export function reportGroupCommitFailure(report: (p: HealthProblem) => Promise<void>, err: unknown, chunks: readonly EncodedChunk[]): void {
  const problem = groupCommitProblem(err, chunks, new Date());
  if (problem) report(problem).catch(() => {});
}
