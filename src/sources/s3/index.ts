/**
 * Reading CloudTrail files from S3: listing a trail's keys by time range, and fetching one
 * object with errors an operator can act on.
 */
export { fetchObject, diagnoseAccessDenied, unquoteEtag } from './fetch.js';
export type { FetchedObject, FetchOptions, S3Clients } from './fetch.js';
export { listTrailKeys, discoverAccounts, listFolders, deliveryTimeOf, logsRoot, dayOf, toMs } from './list.js';
export type { TrailKey, TrailFileKind, ListTrailKeysOptions } from './list.js';
export { SourceError, classifyS3Error } from './errors.js';
export type { SourceErrorKind, SourceErrorCode } from './errors.js';
export { mergeAsync } from './merge.js';
