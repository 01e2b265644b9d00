/** Local files and directories as a source of CloudTrail files. */
export { walkFiles, readLocalFile } from './walk.js';
export type { WalkEntry, WalkedFile, WalkError, LocalFile } from './walk.js';
