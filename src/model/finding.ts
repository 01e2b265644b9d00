/**
 * The public shape of a finding and of a rule's metadata. Rule ids, severities and the
 * Finding fields are part of trailscope's public contract (CLI JSON, CSV, SARIF, API).
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** Stable across runs for the same rule, identity and subject (e.g. an access key): a fingerprint. */
  id: string;
  /** The rule id, e.g. "inactive-identity". */
  rule: string;
  severity: Severity;
  accountId: string;
  /** The IAM user or role ARN the finding is about (never an STS session); arn:aws:iam::<acct>:root for root. */
  resource: string;
  title: string;
  description: string;
  remediation: string;
  /** Rule-specific structured facts (counts, unused actions, suggested policy, ...). */
  details: Record<string, unknown>;
  /** CloudTrail eventIDs that support the finding (may be empty when the finding is an absence of events). */
  evidence: string[];
}

export interface RuleMetadata {
  /** Public, stable id (kebab-case). */
  id: string;
  title: string;
  /** Default severity; a finding may be raised or lowered by the rule with a stated reason. */
  severity: Severity;
  description: string;
  remediation: string;
  /** Documentation links (AWS docs, Defender recommendation, ...). */
  references: string[];
  /** Classification tags, Sigma's style (attack.t1078.004, attack.persistence); SARIF shows them. */
  tags?: readonly string[];
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}
