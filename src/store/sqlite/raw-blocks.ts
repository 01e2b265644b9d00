import type { Database as Db, Statement } from 'better-sqlite3';
import type { CommitResult } from '../types.js';
import {
  BLOCK_TARGET_BYTES,
  BLOCK_TARGET_EVENTS,
  BLOCK_MAX_BYTES,
  BLOCK_MAX_EVENTS,
  CODEC_BROTLI_LINES,
  CODEC_PLAIN_LINES,
  compressAsync,
  decompressLines,
} from '../encode/lines.js';

const NEWLINE = Buffer.from('\n');

/** Plain events beyond which a commit waits for compression to catch up. */
const PLAIN_BACKLOG_LIMIT = 4 * BLOCK_MAX_EVENTS;

interface PlainRun {
  firstId: number;
  lastId: number;
  lastN: number;
  blocks: number;
  n: number;
  bytes: number;
  /** Nothing follows the run: more small commits may still join it. */
  atTail: boolean;
}

interface CachedBlock {
  first: number;
  n: number;
  lines: string[];
}

/**
 * The raw records of the events table, in raw_blocks (see EVENTS_MIGRATIONS): a commit writes
 * its new rows' records as one plain block (writePlain, inside the commit's transaction); runs
 * of adjacent plain blocks are compressed after the commit, off the main thread, and swapped in
 * (deferred compression); reads find an event's line by its rowid, with a small block cache.
 */
export class RawBlocks {
  private readonly insertBlockStmt: Statement<[number, number, number, Buffer]>;
  private readonly blockForStmt: Statement<[number], { id: number; n: number; codec: number; data: Buffer }>;
  private readonly tailBlocksStmt: Statement<[number], { id: number; n: number; codec: number; bytes: number }>;
  private readonly rangeBlocksStmt: Statement<[number, number], { id: number; n: number; codec: number; data: Buffer }>;
  private readonly deleteBlocksStmt: Statement<[number, number]>;
  private readonly plainBlocksStmt: Statement<[], { id: number; n: number; bytes: number }>;
  private readonly lastBlockStmt: Statement<[], number | null>;
  private readonly checkRangeStmt: Statement<[number, number], { blocks: number; n: number; maxCodec: number }>;
  private readonly swapTx: { immediate(run: PlainRun, parts: { first: number; n: number; data: Buffer }[]): void };
  private readonly blockCache: CachedBlock[] = [];

  constructor(private readonly db: Db) {
    this.rangeBlocksStmt = db.prepare('SELECT id, n, codec, data FROM raw_blocks WHERE id >= ? AND id <= ? ORDER BY id');
    this.deleteBlocksStmt = db.prepare('DELETE FROM raw_blocks WHERE id >= ? AND id <= ?');
    this.insertBlockStmt = db.prepare('INSERT INTO raw_blocks (id, n, codec, data) VALUES (?, ?, ?, ?)');
    this.blockForStmt = db.prepare('SELECT id, n, codec, data FROM raw_blocks WHERE id <= ? ORDER BY id DESC LIMIT 1');
    this.tailBlocksStmt = db.prepare('SELECT id, n, codec, length(data) AS bytes FROM raw_blocks ORDER BY id DESC LIMIT ?');
    this.plainBlocksStmt = db.prepare('SELECT id, n, length(data) AS bytes FROM raw_blocks WHERE codec = 0 ORDER BY id');
    this.lastBlockStmt = db.prepare<[], number>('SELECT max(id) FROM raw_blocks').pluck();
    this.swapTx = db.transaction((run: PlainRun, parts: { first: number; n: number; data: Buffer }[]) => {
      const now = this.checkRangeStmt.get(run.firstId, run.lastId);
      if (!now || now.blocks !== run.blocks || now.n !== run.n || now.maxCodec !== CODEC_PLAIN_LINES) return;
      this.deleteBlocksStmt.run(run.firstId, run.lastId);
      for (const p of parts) this.insertBlockStmt.run(p.first, p.n, CODEC_BROTLI_LINES, p.data);
    });
    this.checkRangeStmt = db.prepare(
      'SELECT count(*) AS blocks, coalesce(sum(n), 0) AS n, coalesce(max(codec), 0) AS maxCodec FROM raw_blocks WHERE id >= ? AND id <= ?',
    );
  }

  /** Backpressure: when compression lags far behind, let it catch up first. */
  async waitForCompression(): Promise<void> {
    while (this.compaction && this.plainBacklog > PLAIN_BACKLOG_LIMIT) await this.compaction;
  }

  afterCommit(results: CommitResult[]): void {
    for (const r of results) this.plainBacklog += r.inserted;
    this.scheduleCompaction();
  }

  // ---- deferred compression of raw blocks ----

  private compaction: Promise<void> | null = null;
  /** Plain (not yet compressed) events, as last counted; an estimate between counts. */
  private plainBacklog = 0;
  private closing = false;
  /** The last compaction failure (the data stays plain and correct; retried on the next commit). */
  lastCompactionError: Error | null = null;

  /** Plain runs: maximal sequences of adjacent plain blocks, oldest first. */
  private plainRuns(): PlainRun[] {
    const runs: PlainRun[] = [];
    let backlog = 0;
    for (const b of this.plainBlocksStmt.iterate()) {
      backlog += b.n;
      const run = runs[runs.length - 1];
      if (run && run.lastId + run.lastN === b.id) {
        run.lastId = b.id;
        run.lastN = b.n;
        run.blocks++;
        run.n += b.n;
        run.bytes += b.bytes;
      } else {
        runs.push({ firstId: b.id, lastId: b.id, lastN: b.n, blocks: 1, n: b.n, bytes: b.bytes, atTail: false });
      }
    }
    this.plainBacklog = backlog;
    const last = runs[runs.length - 1];
    if (last) last.atTail = this.lastBlockStmt.get() === last.lastId;
    return runs;
  }

  /** Starts compressing the next run that is big enough (or cut off from the tail), if none is under way. */
  private scheduleCompaction(): void {
    if (this.compaction) return;
    let job: PlainRun | undefined;
    try {
      job = this.plainRuns().find((r) => r.n >= BLOCK_TARGET_EVENTS || r.bytes >= BLOCK_TARGET_BYTES || !r.atTail);
    } catch (err) {
      this.lastCompactionError = err as Error;
      return;
    }
    if (!job) return;
    const run = job;
    this.compaction = this.compactRun(run)
      .then(() => {
        this.lastCompactionError = null;
      })
      .catch((err: unknown) => {
        this.lastCompactionError = err as Error;
      })
      .finally(() => {
        this.compaction = null;
        // After a failure, wait for the next commit to retry rather than spin.
        if (!this.lastCompactionError) this.scheduleCompaction();
      });
  }

  /**
   * Compresses one plain run off the main thread, then swaps it in with a short transaction
   * that first checks the run is unchanged (another process may have compressed it meanwhile).
   */
  private async compactRun(run: PlainRun): Promise<void> {
    // Plain blocks are UTF-8 lines already: join their bytes, no decoding.
    const pieces: Buffer[] = [];
    for (const b of this.rangeBlocksStmt.iterate(run.firstId, run.lastId)) {
      if (b.codec !== CODEC_PLAIN_LINES) return;
      if (pieces.length) pieces.push(NEWLINE);
      pieces.push(b.data);
    }
    const text = Buffer.concat(pieces);
    // Line starts, to cut the run into equal chunks on line boundaries.
    const starts = [0];
    for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) starts.push(at + 1);
    if (starts.length !== run.n) return;
    const chunks = Math.max(1, Math.ceil(run.n / BLOCK_MAX_EVENTS), Math.ceil(text.length / BLOCK_MAX_BYTES));
    const per = Math.ceil(run.n / chunks);
    const parts: { first: number; n: number; data: Promise<Buffer> }[] = [];
    for (let k = 0; k < run.n; k += per) {
      const n = Math.min(per, run.n - k);
      const end = k + n < run.n ? starts[k + n]! - 1 : text.length;
      parts.push({ first: run.firstId + k, n, data: compressAsync(text.subarray(starts[k]!, end)) });
    }
    const datas = await Promise.all(parts.map((p) => p.data));
    if (!this.db.open) return;
    this.swapTx.immediate(run, parts.map((p, i) => ({ first: p.first, n: p.n, data: datas[i]! })));
  }

  /** Waits for compression under way, then compresses what is ready (for close and tests). */
  async settle(): Promise<void> {
    this.closing = true;
    try {
      this.scheduleCompaction();
      while (this.compaction) await this.compaction;
    } finally {
      this.closing = false;
    }
  }

  /** Writes one plain block: n consecutive rows' raw lines (UTF-8, "\n"-joined) from rowid `first`. */
  writePlain(first: number, n: number, text: Buffer): void {
    this.insertBlockStmt.run(first, n, CODEC_PLAIN_LINES, text);
  }

  /** Writes one block compressed beforehand (encodeChunk): n consecutive rows' raw lines from rowid `first`. */
  writeCompressed(first: number, n: number, data: Buffer): void {
    this.insertBlockStmt.run(first, n, CODEC_BROTLI_LINES, data);
  }

  private readLines(fromId: number, toId: number): string[] {
    const lines: string[] = [];
    for (const b of this.rangeBlocksStmt.iterate(fromId, toId)) for (const line of decompressLines(b.codec, b.data)) lines.push(line);
    return lines;
  }

  // ---- reads ----

  line(rowid: number): string {
    let block = this.blockCache.find((b) => rowid >= b.first && rowid < b.first + b.n);
    if (!block) {
      const row = this.blockForStmt.get(rowid);
      if (!row || rowid >= row.id + row.n) throw new Error(`store is inconsistent: no raw block holds event row ${rowid}`);
      block = { first: row.id, n: row.n, lines: decompressLines(row.codec, row.data) };
      this.blockCache.unshift(block);
      if (this.blockCache.length > 8) this.blockCache.pop();
    }
    const line = block.lines[rowid - block.first];
    if (line === undefined) throw new Error(`store is inconsistent: raw block ${block.first} lacks event row ${rowid}`);
    return line;
  }
}
