/** Use cases: the documents the CLI and the API both serve, with typed errors (UseCaseError). */
export { UseCaseError } from './errors.js';
export { findFindings, suppressFinding, unsuppressFinding, suppressionActive, storedFindingDocument, FINDING_STATUSES } from './findings.js';
export type { FindingDocument, FindingsRequest, FindingsResult } from './findings.js';
export { eventToJson, findEvent } from './events.js';
export {
  connectorDocument,
  findConnector,
  createConnector,
  changeConnector,
  enableConnector,
  deleteConnector,
  defaultMode,
  connectorTemplate,
  doctorConnector,
} from './connectors.js';
export type { ConnectorFields } from './connectors.js';
export { buildStatus } from './status.js';
export type { AccountStatus, ConnectorStatus, StatusReport } from './status.js';
export { ingestionHealth } from './ingestion-health.js';
export type { AccountHealth, ConnectorHealth } from './ingestion-health.js';
export { findAttackPaths, loadPathsAnalysis, pathsDocument, pathOrderKey, pathTouches } from './paths.js';
export type { PathsDocument, PathsRequest } from './paths.js';
export { suggestPolicyFor, policyOf, userOrRoleAccount } from './policy.js';
export type { PolicyRequest, SuggestedPolicy } from './policy.js';
export { listIdentities, identityDetail, analyseIdentity, identityFindings } from './identities.js';
export type { IdentitiesRequest, IdentitiesResult, IdentityDetail, IdentityAnalysisDocument, ResourceTouched } from './identities.js';
export { accountCoverage } from './coverage.js';
export type { CoverageRequest } from './coverage.js';
export { listChanges } from './drift.js';
export type { DriftRequest } from './drift.js';
export { ingestionConnectors, runIngestion } from './ingestion.js';
export type { IngestionOptions } from './ingestion.js';
