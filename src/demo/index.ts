/**
 * `trailscope demo`: the whole pipeline on an emulated AWS (fauxqs) with a generated
 * organization — upload, notifications in every shape trailscope reads, the ingestion,
 * the IAM snapshots, the analysis and the service — no AWS account needed.
 */
export { runDemoToCompletion } from './batch.js';
export type { BatchDemoOptions, DemoSummary } from './batch.js';
export { runDemoServing } from './serving.js';
export type { ServingDemoOptions } from './serving.js';
export { DEMO_SCALE } from './organization.js';
export type { DemoScale } from './organization.js';
export { DEMO_CONNECTOR, DemoStoreNotEmptyError } from './prepare.js';
export { DEMO_ROUTES } from './notifications.js';
export type { DemoRoute } from './notifications.js';
