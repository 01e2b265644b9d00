export type * from './types.js';
export { openStore, defaultDbPath } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { ChunkBuilder, encodeChunk, chunkTransferList } from './encode/index.js';
export type { EncodedChunk, ChunkPart } from './encode/index.js';
export { getRetentionDays, setRetentionDays, retentionCutoff, applyStoreRetention, RetentionSchedule, databaseStatus } from './retention.js';
export type { RetentionScheduleOptions, DatabaseStatus } from './retention.js';
export { TRANSFER_TABLES } from './types-transfer.js';
