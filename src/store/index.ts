export type * from './types.js';
export { openStore, defaultDbPath } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { ChunkBuilder, encodeChunk, chunkTransferList } from './encode/index.js';
export type { EncodedChunk, ChunkPart } from './encode/index.js';
export { timeToMs } from './encode/time.js';
