/**
 * Sigma rules as event rules. The loader (src/detect/sigma, delivered separately) compiles
 * SigmaHQ YAML into objects of the shape below; this adapter only turns one into an EventRule:
 * id `sigma:<id>`, severity from the Sigma level, ATT&CK techniques from its tags.
 */
import type { Severity } from '../model/index.js';
import { defineEventRule, type EventRule } from './types.js';
import { actorOf, who } from './rules/helpers.js';

export interface CompiledSigmaRuleShape {
  id: string;
  title: string;
  level: string;
  description: string;
  author: string;
  references: string[];
  tags: string[];
  status: string;
  file: string;
  matches(record: Record<string, unknown>): boolean;
  /**
   * Which events can match at all; `api` is a test on the API and identity type (userIdentity.type,
   * null when absent), evaluated once per pair by the engine.
   */
  prefilter?: { eventSource?: string[]; eventName?: string[]; api?: (eventSource: string, eventName: string, identityType: string | null) => boolean };
}

const LEVELS: Record<string, Severity> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', informational: 'info' };

export function sigmaSeverity(level: string): Severity {
  return LEVELS[level.toLowerCase()] ?? 'medium';
}

/** attack.t1562.008 → T1562.008 (tactic tags such as attack.defense_evasion are not techniques). */
export function attackTechniques(tags: readonly string[]): string[] {
  return tags.flatMap((t) => {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    return m ? [m[1]!.toUpperCase()] : [];
  });
}

export function sigmaEventRule(rule: CompiledSigmaRuleShape): EventRule {
  const p = rule.prefilter;
  const prefilter = p && (p.eventSource?.length || p.eventName?.length || p.api)
    ? {
        ...(p.eventSource?.length ? { eventSource: p.eventSource } : {}),
        ...(p.eventName?.length ? { eventName: p.eventName } : {}),
        ...(p.api ? { api: p.api } : {}),
      }
    : undefined;
  return defineEventRule({
    id: `sigma:${rule.id}`,
    title: rule.title,
    severity: sigmaSeverity(rule.level),
    description: rule.description || rule.title,
    remediation: 'Review the matching event and its actor; see the Sigma rule\'s references for triage guidance.',
    references: rule.references,
    attack: attackTechniques(rule.tags),
    ...(prefilter ? { prefilter } : {}),
    input: 'full',
    match(e) {
      if (!rule.matches(e.raw)) return null;
      return {
        resource: actorOf(e),
        details: { ...who(e), sigma: { id: rule.id, file: rule.file, author: rule.author, status: rule.status, level: rule.level, tags: rule.tags } },
      };
    },
  });
}
