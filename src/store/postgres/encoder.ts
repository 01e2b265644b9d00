/**
 * PostgreSQL's encode step (StoreEncoder): parts become one EncodedChunk (src/store/encode,
 * without SQLite's blocks) and each raw line is compressed on its own (./raw-codec.ts), the
 * costly part, done wherever the encoder runs: a parse worker, or the committing thread for plain
 * parts (before the transaction opens, so it never holds a connection or row locks). Free of
 * `pg`, so parse workers import this module by its URL.
 */
import { ChunkBuilder, chunkTransferList, lineBytes, mergeChunks } from '../encode/index.js';
import type { EncodedChunk } from '../encode/index.js';
import type { BatchEncoder, EncodedBatch, StoreEncoder, WriteBatch, WritePart } from '../types-write.js';
import { compressLine } from './raw-codec.js';

export const PG_CHUNK_FORMAT = 'pg-chunk/1';

/** The raw lines of a chunk, each compressed on its own, back to back in one buffer. */
export interface CompressedLines {
  data: Uint8Array;
  /** 1-based start of line i in data (SQL substring's convention) and its length. */
  starts: Int32Array;
  lengths: Int32Array;
}

export interface PgBatch extends EncodedBatch {
  readonly format: typeof PG_CHUNK_FORMAT;
  readonly chunk: EncodedChunk;
  readonly raws: CompressedLines;
}

export const PG_ENCODER: StoreEncoder = { module: import.meta.url, options: {} };

/** Sent as one binary parameter and cut apart in SQL: far cheaper than a bytea[] literal (hex text both ways). */
export function compressLines(chunk: EncodedChunk): CompressedLines {
  const pieces: Buffer[] = [];
  const starts = new Int32Array(chunk.n);
  const lengths = new Int32Array(chunk.n);
  let at = 1;
  for (let i = 0; i < chunk.n; i++) {
    const c = compressLine(lineBytes(chunk, i));
    pieces.push(c);
    starts[i] = at;
    lengths[i] = c.length;
    at += c.length;
  }
  // An owned buffer (Buffer.concat may hand out a slice of a shared pool), so it can be transferred.
  const data = new Uint8Array(at - 1);
  let offset = 0;
  for (const p of pieces) {
    data.set(p, offset);
    offset += p.length;
  }
  return { data, starts, lengths };
}

export function createBatchEncoder(): BatchEncoder {
  const builder = new ChunkBuilder();
  return {
    add(part: WritePart) {
      builder.add(part.file, part.events, part.counters, part.texts);
    },
    finish() {
      const chunk = builder.finish();
      const raws = compressLines(chunk);
      const batch: PgBatch = { format: PG_CHUNK_FORMAT, parts: chunk.parts.length, chunk, raws };
      return { batch, transfer: [...chunkTransferList(chunk), raws.data.buffer as ArrayBuffer, raws.starts.buffer as ArrayBuffer, raws.lengths.buffer as ArrayBuffer] };
    },
  };
}

export function pgBatchOf(batch: WriteBatch): PgBatch {
  if (Array.isArray(batch)) {
    const encoder = createBatchEncoder();
    for (const part of batch as readonly WritePart[]) encoder.add(part);
    return encoder.finish().batch as PgBatch;
  }
  const encoded = batch as EncodedBatch;
  if (encoded.format !== PG_CHUNK_FORMAT) throw new Error(`a batch encoded as ${encoded.format} cannot be written to a PostgreSQL store`);
  return encoded as PgBatch;
}

/** One batch holding the parts of all, in order (group commit). */
export function mergePgBatches(batches: readonly PgBatch[]): PgBatch {
  if (batches.length === 1) return batches[0]!;
  const chunk = mergeChunks(batches.map((b) => b.chunk));
  const size = batches.reduce((sum, b) => sum + b.raws.data.length, 0);
  const data = new Uint8Array(size);
  const starts = new Int32Array(chunk.n);
  const lengths = new Int32Array(chunk.n);
  let offset = 0;
  let at = 0;
  for (const { raws } of batches) {
    data.set(raws.data, offset);
    for (let i = 0; i < raws.starts.length; i++) starts[at + i] = raws.starts[i]! + offset;
    lengths.set(raws.lengths, at);
    offset += raws.data.length;
    at += raws.starts.length;
  }
  return { format: PG_CHUNK_FORMAT, parts: chunk.parts.length, chunk, raws: { data, starts, lengths } };
}
