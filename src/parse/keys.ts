/** The key layout of CloudTrail deliveries is shared by sources, parse and store: it lives in model. */
export { classifyKey } from '../model/index.js';
export type { KeyInfo } from '../model/index.js';
