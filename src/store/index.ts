export type * from './types.js';
export { openStore, defaultDbPath } from './open.js';
