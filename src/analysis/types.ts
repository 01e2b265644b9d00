/**
 * The rule contract. A rule is one file in rules/: its metadata beside a pure function of the
 * analysis state. The engine runs whatever list it is given and never changes when a rule is
 * added (privilege-escalation, role-trust and detection rules plug in the same way).
 */
import type { Finding, RuleMetadata } from '../model/index.js';
import type { AccountSnapshot, PermissionEvaluator } from '../iam/index.js';
import type { CredentialReport } from '../iam/index.js';
import type { IdentityAnalysis } from './identities.js';
import type { EvidenceGroup } from '../store/index.js';
import type { IdentityConfiguration } from '../iam/index.js';
import { DEFAULT_COVERAGE_OPTIONS, type AccountCoverage, type CoverageOptions } from './coverage.js';

export type { Finding, RuleMetadata, Severity } from '../model/index.js';

export interface OverprovisionedOptions {
  /** Fires when used / observable granted actions is below this ratio (0..1). */
  maxUsedRatio: number;
  /** ...and at least this many granted actions are unused. */
  minUnused: number;
}

export interface RuleOptions {
  overprovisioned: OverprovisionedOptions;
  /** Gap tolerance and minimum covered span (src/analysis/coverage.ts); default DEFAULT_COVERAGE_OPTIONS. */
  coverage?: CoverageOptions;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  overprovisioned: { maxUsedRatio: 0.1, minUnused: 10 },
  coverage: DEFAULT_COVERAGE_OPTIONS,
};

/** Something the user should know about a result (shown on stderr by the CLI; data for an API). */
export type { AnalysisNotice } from './notices.js';
import type { AnalysisNotice } from './notices.js';

export interface RuleContext {
  /** ISO end of the window (exclusive); the "now" of this run. */
  asOf: string;
  windowDays: number;
  /** ISO start of the window (inclusive). */
  windowStart: string;
  identities: readonly IdentityAnalysis[];
  snapshots: readonly AccountSnapshot[];
  /** Null when no IAM data is loaded. */
  evaluator: PermissionEvaluator | null;
  /**
   * Permissions as the snapshots had them, before the IAM change events after them were replayed
   * (the same evaluator when nothing was replayed). Optional.
   */
  snapshotEvaluator?: PermissionEvaluator | null;
  /** Identities (by ARN) whose configuration was brought up to date from change events. Optional. */
  configurations?: ReadonlyMap<string, IdentityConfiguration>;
  /**
   * Services passed roles went to, per principal and role ARN (from inferred iam:PassRole
   * events), for the iam:PassedToService condition of suggested policies. Optional.
   */
  passRoleServices?: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  /** Credential reports by account (they also carry the root user's row). Optional. */
  credentialReports?: ReadonlyMap<string, CredentialReport>;
  /**
   * Calls of privilege-escalation-relevant actions in the window, succeeded or denied, as groups
   * of identical calls with counts and sampled event ids (src/graph loadEscalationEvidence):
   * attempted/exercised status of attack paths. Optional.
   */
  escalationEvidence?: readonly EvidenceGroup[];
  /**
   * Identity-risk detections (src/graph/path-context.ts PATH_RISK_RULES) in the window: attack
   * paths whose entry point showed risk come first, with those events. Optional.
   */
  riskDetections?: readonly { rule: string; eventId: string; eventTime: string; resource: string }[];
  /** Accounts of the organization known from the SCP export (trusting them is not "external"). Optional. */
  organizationAccountIds?: ReadonlySet<string>;
  /**
   * CloudTrail coverage of the window per account. Rules that judge an absence of activity
   * (inactive, over-provisioned, unused credentials) skip accounts whose activity is unknown.
   * Absent: every account counts as fully covered.
   */
  coverage?: ReadonlyMap<string, AccountCoverage>;
  /** Accounts whose activity was not judged, and why. */
  notices?: readonly AnalysisNotice[];
  options: RuleOptions;
}

/** Whether CloudTrail covered enough of the window in this account to judge an absence of activity. */
export function activityKnown(ctx: Pick<RuleContext, 'coverage'>, accountId: string): boolean {
  if (!ctx.coverage) return true;
  return ctx.coverage.get(accountId)?.activity === 'known';
}

/** Costly optional inputs of RuleContext, loaded only when a selected rule needs them. */
export type RuleInput = 'escalationEvents';

export interface Rule extends RuleMetadata {
  /**
   * The optional inputs this rule reads. Undefined means "may read any of them" (everything is
   * loaded); `[]` lets `findings --rule <id>` skip the costly ones.
   */
  needs?: readonly RuleInput[];
  evaluate(ctx: RuleContext): Finding[];
}

/** Whether any of these rules may read `input`. */
export function rulesNeed(rules: readonly Rule[], input: RuleInput): boolean {
  return rules.some((r) => r.needs === undefined || r.needs.includes(input));
}
