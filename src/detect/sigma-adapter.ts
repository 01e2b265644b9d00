/**
 * Sigma rules as event rules. The loader (src/detect/sigma, delivered separately) compiles
 * SigmaHQ YAML into objects of the shape below; this adapter only turns one into an EventRule:
 * id `sigma:<id>`, severity from the Sigma level, ATT&CK techniques from its tags.
 */
import { LIGHT_RAW_FIELDS, type Severity } from '../model/index.js';
import { defineEventRule, type EventRule } from './types.js';
import { accountOf, actorOf, who } from './rules/helpers.js';

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
  /** The field paths the matcher reads, or 'record' when it searches the whole record (keywords). */
  reads?: readonly string[] | 'record';
  matches(record: Record<string, unknown>): boolean;
  /**
   * A necessary condition on some of the light fields (the record's LIGHT_RAW_FIELDS): `test`
   * false on a partial record holding just `fields` means `matches` is false on the whole one.
   */
  screen?: { fields: readonly string[]; test(view: Record<string, unknown>): boolean };
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

/**
 * The rule may match any call of a role session, which is most of CloudTrail: its prefilter
 * admits an API that does not exist, called from a role session. (A rule for root's calls of any
 * API, say, is not broad: root calls are rare.)
 */
export function matchesAnyRoleSessionCall(rule: CompiledSigmaRuleShape): boolean {
  const p = rule.prefilter;
  if (!p || (!p.eventSource?.length && !p.eventName?.length && !p.api)) return true;
  if (p.eventSource?.length || p.eventName?.length) return false;
  return p.api!('trailscope.invalid', 'NoSuchCall', 'AssumedRole');
}

/** Every field the matcher reads is one a light event carries, so no record decode is needed. */
export function readsOnlyLightFields(rule: CompiledSigmaRuleShape): boolean {
  return Array.isArray(rule.reads) && rule.reads.every((f) => LIGHT_RAW_FIELDS.includes(f));
}

/**
 * A rule that may match any role-session call (AWS STS AssumeRole Misuse matches every one)
 * reports the first matching call of each actor session per UTC day: the session, not each of
 * its calls, is what a reader triages, and one row per call would outnumber every other finding.
 */
const perSessionAndDay = {
  key: (e: Parameters<EventRule['match']>[0]) => `${e.principalArn ?? accountOf(e)}|${e.sessionName ?? ''}|${e.eventTime.slice(0, 10)}`,
};

export function sigmaEventRule(rule: CompiledSigmaRuleShape): EventRule {
  const broad = matchesAnyRoleSessionCall(rule);
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
    tags: rule.tags,
    attack: attackTechniques(rule.tags),
    ...(prefilter ? { prefilter } : {}),
    input: readsOnlyLightFields(rule) ? 'light' : 'full',
    ...(broad ? { dedup: perSessionAndDay } : {}),
    ...(rule.screen ? { screen: rule.screen } : {}),
    match(e) {
      if (!rule.matches(e.raw)) return null;
      const sigma = { id: rule.id, file: rule.file, author: rule.author, status: rule.status, level: rule.level, tags: rule.tags };
      return {
        resource: actorOf(e),
        details: { ...who(e), sigma, ...(broad ? { reported: 'the first matching call of this actor session in the UTC day' } : {}) },
      };
    },
  });
}
