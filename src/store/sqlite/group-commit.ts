import type { NormalizedEvent } from '../../model/index.js';
import { encodeChunk } from '../encode/index.js';
import type { EncodedChunk } from '../encode/index.js';
import type { CommitCounters, CommitResult, FileRecord } from '../types.js';

interface Waiting {
  input: { file: FileRecord; events: NormalizedEvent[]; counters?: CommitCounters };
  resolve: (r: CommitResult) => void;
  reject: (err: unknown) => void;
}

/** A batch commits once it holds this many events, or this long after its first file came. */
const FLUSH_EVENTS = 1024;
const FLUSH_AFTER_MS = 25;

/**
 * Group commit for commitFile: files committed within a few milliseconds of each other (the SQS
 * worker processes several messages at once) share one transaction. Each caller still learns of its
 * own file only once that transaction is durable. SQLite's cost is mostly per transaction (the
 * pages a commit touches are written again each time), so files of a few hundred events commit
 * several times faster together. A batch that fails is retried file by file, so one bad file
 * fails alone, as it would have without grouping.
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private events = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly commitChunk: (chunk: EncodedChunk) => Promise<CommitResult[]>) {}

  commitFile(file: FileRecord, events: NormalizedEvent[], counters?: CommitCounters): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.waiting.push({ input: { file, events, ...(counters ? { counters } : {}) }, resolve, reject });
      this.events += events.length;
      if (this.events >= FLUSH_EVENTS) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), FLUSH_AFTER_MS);
    });
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    this.events = 0;
    void this.flush(batch);
  }

  private async flush(batch: Waiting[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await this.commitChunk(encodeChunk(batch.map((w) => w.input)));
        batch.forEach((w, i) => w.resolve(results[i]!));
        return;
      } catch {
        // one of them is bad: commit them one by one below, so only that one fails
      }
    }
    for (const w of batch) {
      try {
        w.resolve((await this.commitChunk(encodeChunk([w.input])))[0]!);
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
