/**
 * trailscope doctor: checks that a connector's trail, bucket, queue and keys let ingestion work,
 * each with what it found and the exact fix. See README "Doctor checks" for the check ids.
 */
export { runDoctor, doctorExitCode } from './engine.js';
export type { DoctorOptions } from './engine.js';
export { ALL_CHECKS } from './checks/index.js';
export { formatDoctorRun } from './format.js';
export { DoctorContext, DEFAULT_THRESHOLDS } from './context.js';
export type { DoctorClients, DoctorStore, DoctorThresholds } from './context.js';
export { DIAGNOSTIC_ACTIONS, diagnosticsPolicy } from './aws-errors.js';
export type { CheckMeta, CheckOutcome, CheckResult, CheckStatus, DoctorCheck, DoctorRun } from './types.js';
