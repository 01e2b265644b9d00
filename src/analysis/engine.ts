/**
 * The rules engine: runs a list of rules over one analysis state and filters the findings.
 * It knows nothing about any particular rule.
 */
import { severityRank, type Finding, type Severity } from '../model/index.js';
import type { Rule, RuleContext } from './types.js';

export interface FindingFilter {
  /** Only these rule ids. */
  rules?: readonly string[];
  /** Only these severities. */
  severities?: readonly Severity[];
  accountId?: string;
}

export interface EngineResult {
  findings: Finding[];
  /** Rules that threw: the others still ran. */
  errors: { rule: string; message: string }[];
}

export function selectRules(rules: readonly Rule[], ids?: readonly string[]): Rule[] {
  if (!ids || ids.length === 0) return [...rules];
  const known = new Set(rules.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(`unknown rule id(s): ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
  }
  return rules.filter((r) => ids.includes(r.id));
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    cmp(a.rule, b.rule) ||
    cmp(a.accountId, b.accountId) ||
    cmp(a.resource, b.resource) ||
    cmp(a.id, b.id)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function runRules(rules: readonly Rule[], ctx: RuleContext, filter: FindingFilter = {}): EngineResult {
  const findings: Finding[] = [];
  const errors: EngineResult['errors'] = [];
  for (const rule of selectRules(rules, filter.rules)) {
    let produced: Finding[];
    try {
      produced = rule.evaluate(ctx);
    } catch (err) {
      errors.push({ rule: rule.id, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    for (const f of produced) {
      // a finding computed from an event-updated configuration says so, and from which events
      const configuration = ctx.configurations?.get(f.resource);
      if (configuration && f.details.configuration === undefined) {
        f.details = { ...f.details, configuration: { replayedEvents: configuration.changes.map((c) => c.eventID), uncertain: configuration.uncertain } };
      }
      if (filter.accountId && f.accountId !== filter.accountId) continue;
      if (filter.severities && filter.severities.length > 0 && !filter.severities.includes(f.severity)) continue;
      findings.push(f);
    }
  }
  findings.sort(compareFindings);
  return { findings, errors };
}
