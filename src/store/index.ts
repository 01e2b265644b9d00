export type * from './types.js';
export { openStore, defaultDbPath } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { loadEncoder, encodeBatch } from './write.js';
