/**
 * SQLite's encode step (StoreEncoder): parts become one EncodedChunk (src/store/encode) with its
 * raw records brotli-compressed in blocks sized for the raw_blocks table when the chunk is big
 * enough. Pure and free of better-sqlite3, so parse workers import this module by its URL.
 */
import { ChunkBuilder, chunkTransferList } from '../encode/index.js';
import type { EncodedChunk } from '../encode/index.js';
import type { BatchEncoder, EncodedBatch, StoreEncoder, WriteBatch, WritePart } from '../types-write.js';

export const SQLITE_CHUNK_FORMAT = 'sqlite-chunk/1';

export interface SqliteBatch extends EncodedBatch {
  readonly format: typeof SQLITE_CHUNK_FORMAT;
  readonly chunk: EncodedChunk;
}

/** Workers compress (they have the time); the store's own thread leaves it to the background compaction. */
export const SQLITE_ENCODER: StoreEncoder = { module: import.meta.url, options: { compress: true } };

export function createBatchEncoder(options: Readonly<Record<string, unknown>>): BatchEncoder {
  const compress = options.compress === true;
  const builder = new ChunkBuilder();
  return {
    add(part: WritePart) {
      builder.add(part.file, part.events, part.counters, part.texts);
    },
    finish() {
      const chunk = builder.finish({ compress });
      const batch: SqliteBatch = { format: SQLITE_CHUNK_FORMAT, parts: chunk.parts.length, chunk };
      return { batch, transfer: chunkTransferList(chunk) };
    },
  };
}

/** The chunk to write: plain parts are encoded here, on the caller's thread, without compressing. */
export function sqliteChunkOf(batch: WriteBatch): EncodedChunk {
  if (Array.isArray(batch)) {
    const encoder = createBatchEncoder({ compress: false });
    for (const part of batch as readonly WritePart[]) encoder.add(part);
    return (encoder.finish().batch as SqliteBatch).chunk;
  }
  const encoded = batch as EncodedBatch;
  if (encoded.format !== SQLITE_CHUNK_FORMAT) throw new Error(`a batch encoded as ${encoded.format} cannot be written to a SQLite store`);
  return (encoded as SqliteBatch).chunk;
}
