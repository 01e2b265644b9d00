/**
 * Stored detections as findings (src/model/finding.ts), and the event rules as CIEM-style rules
 * so `findings` filters, sorts and renders them (SARIF metadata included) like any other.
 */
import { createHash } from 'node:crypto';
import { isSeverity, type Finding } from '../model/index.js';
import type { Rule } from '../analysis/index.js';
import type { DetectionRecord } from '../store/index.js';
import type { EventRule } from './types.js';

/** Stable: the same rule firing on the same event is the same finding, whoever stored it. */
export function detectionFindingId(rule: string, eventId: string): string {
  return createHash('sha256').update(`${rule}\nevent\n${eventId}`).digest('hex').slice(0, 24);
}

export function detectionToFinding(d: DetectionRecord): Finding {
  return {
    id: detectionFindingId(d.rule, d.eventId),
    rule: d.rule,
    severity: isSeverity(d.severity) ? d.severity : 'medium',
    accountId: d.accountId,
    resource: d.resource,
    title: d.title,
    description: d.description,
    remediation: d.remediation,
    details: { ...d.details, eventTime: d.eventTime },
    evidence: d.evidence,
  };
}

/**
 * One Rule per event rule whose evaluate() returns that rule's stored detections in the window
 * (loaded beforehand: the analysis rule contract is synchronous). Detections of rules not loaded
 * (a Sigma directory no longer given) still show, under a rule built from the stored record.
 */
export function detectionRules(eventRules: readonly EventRule[], detections: readonly DetectionRecord[]): Rule[] {
  const byRule = new Map<string, Finding[]>();
  for (const d of detections) {
    const list = byRule.get(d.rule) ?? [];
    list.push(detectionToFinding(d));
    byRule.set(d.rule, list);
  }
  const rules: Rule[] = eventRules.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    description: r.description,
    remediation: r.remediation,
    references: [...r.references, ...r.attack.map((t) => `https://attack.mitre.org/techniques/${t.replace('.', '/')}/`)],
    needs: [],
    evaluate: () => byRule.get(r.id) ?? [],
  }));
  const known = new Set(eventRules.map((r) => r.id));
  for (const [id, findings] of byRule) {
    if (known.has(id)) continue;
    const first = findings[0]!;
    rules.push({ id, title: first.title, severity: first.severity, description: first.description, remediation: first.remediation, references: [], needs: [], evaluate: () => findings });
  }
  return rules;
}
