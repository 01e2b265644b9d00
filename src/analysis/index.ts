/**
 * Analysis: usage, identities, coverage and the finding rules over a window, never calling AWS;
 * the analysis time is a parameter, so results are reproducible. Loads the IAM libraries.
 */
export { DEFAULT_COVERAGE_OPTIONS, loadCoverage } from './coverage.js';
export type { AccountCoverage, CoverageOptions, Span } from './coverage.js';
export { compareFindings, runRules, selectRules } from './engine.js';
export { findingsToCsv } from './format/csv.js';
export { findingsToSarif } from './format/sarif.js';
export { renderTable } from './format/table.js';
export { graphFor } from './graph.js';
export { DEFAULT_WINDOW_DAYS, parsePrincipalArn, windowStart } from './identities.js';
export type { IdentityAnalysis, IdentitySummary } from './identities.js';
export { loadAnalysis } from './load.js';
export type { AnalysisState } from './load.js';
export { checkMissing, formatNotices } from './notices.js';
export type { AnalysisNotice } from './notices.js';
export { suggestPolicy } from './policy.js';
export type { SuggestedPolicy } from './policy.js';
export { builtinRules } from './rules/index.js';
export { DEFAULT_RULE_OPTIONS, rulesNeed } from './types.js';
export type { Rule, RuleContext } from './types.js';
export { servicePrefix } from './usage.js';
