import { createHash } from 'node:crypto';
import type { Finding, RuleMetadata, Severity } from '../model/index.js';

/** A finding with the rule's metadata filled in; `subject` distinguishes several findings of one rule on one identity. */
export function makeFinding(
  rule: RuleMetadata,
  f: {
    accountId: string;
    resource: string;
    description: string;
    details: Record<string, unknown>;
    evidence?: string[];
    title?: string;
    severity?: Severity;
    remediation?: string;
    subject?: string;
  },
): Finding {
  const id = createHash('sha256')
    .update(`${rule.id}\n${f.resource}\n${f.subject ?? ''}`)
    .digest('hex')
    .slice(0, 24);
  return {
    id,
    rule: rule.id,
    severity: f.severity ?? rule.severity,
    accountId: f.accountId,
    resource: f.resource,
    title: f.title ?? rule.title,
    description: f.description,
    remediation: f.remediation ?? rule.remediation,
    details: f.details,
    evidence: [...new Set(f.evidence ?? [])],
  };
}
