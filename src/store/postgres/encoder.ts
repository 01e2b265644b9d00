/**
 * PostgreSQL's encode step (StoreEncoder): parts become one EncodedChunk (src/store/encode) whose
 * raw lines are always cut into brotli blocks (the raw_blocks table, see ./events-schema.ts), the
 * costly part, done wherever the encoder runs: a parse worker, or the committing thread for plain
 * parts (before the transaction opens, so it never holds a connection or row locks). Free of
 * `pg`, so parse workers import this module by its URL.
 */
import { ChunkBuilder, chunkTransferList, compressBlocks, mergeChunks } from '../encode/index.js';
import type { EncodedBlock, EncodedChunk } from '../encode/index.js';
import type { BatchEncoder, EncodedBatch, StoreEncoder, WriteBatch, WritePart } from '../types-write.js';

export const PG_CHUNK_FORMAT = 'pg-chunk/2';

export interface PgBatch extends EncodedBatch {
  readonly format: typeof PG_CHUNK_FORMAT;
  /** Its blocks are never null (see {@link blocksOf}). */
  readonly chunk: EncodedChunk;
}

export const PG_ENCODER: StoreEncoder = { module: import.meta.url, options: {} };

export function createBatchEncoder(): BatchEncoder {
  const builder = new ChunkBuilder();
  return {
    add(part: WritePart) {
      builder.add(part.file, part.events, part.counters, part.texts);
    },
    finish() {
      const chunk = builder.finish({ compress: true });
      // a chunk too small to be worth a block of its own for SQLite still gets one here
      chunk.blocks ??= compressBlocks(chunk);
      const batch: PgBatch = { format: PG_CHUNK_FORMAT, parts: chunk.parts.length, chunk };
      return { batch, transfer: chunkTransferList(chunk) };
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

/** One batch holding the parts of all, in order (group commit); every chunk has blocks, so the merged one keeps them. */
export function mergePgBatches(batches: readonly PgBatch[]): PgBatch {
  if (batches.length === 1) return batches[0]!;
  const chunk = mergeChunks(batches.map((b) => b.chunk));
  return { format: PG_CHUNK_FORMAT, parts: chunk.parts.length, chunk };
}

export function blocksOf(chunk: EncodedChunk): EncodedBlock[] {
  if (!chunk.blocks) throw new Error('a PostgreSQL batch lost its raw blocks (bug: encode it with createBatchEncoder)');
  return chunk.blocks;
}
