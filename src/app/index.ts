export { UseCaseError } from './errors.js';
export { findFindings, suppressFinding, unsuppressFinding, suppressionActive, FINDING_STATUSES } from './findings.js';
export type { FindingDocument, FindingsRequest, FindingsResult } from './findings.js';
export { eventToJson } from './events.js';
export { connectorDocument } from './connectors.js';
