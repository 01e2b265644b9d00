/**
 * How events are encoded for a store write (shared by the stores, and by the parse workers of
 * bulk import): column values, the compact raw record (raw.ts), raw lines compressed in blocks
 * (lines.ts). Pure functions: safe to run on a worker thread.
 */
export { ChunkBuilder, encodeChunk, lineBytes, chunkTransferList, mergeChunks, worthCompressing, compressBlocks, compressBlocksAsync } from './chunk.js';
export type { ChunkPart, EncodedBlock, EncodedChunk, EncodeOptions } from './chunk.js';
export { coverageMarks, deliveryHour } from './coverage.js';
export type { CoverageMark } from './coverage.js';
