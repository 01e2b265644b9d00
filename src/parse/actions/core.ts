/**
 * The compiled rule per (eventSource, eventName): resolved once, cached, reused for every record.
 */
import { canonicalAction } from './iam-index.js';
import { canPassRole } from './passrole.js';
import { DYNAMIC_RULES, type DynamicRule } from './rules.js';
import {
  APIGATEWAY_VERB_BY_PREFIX,
  EVENT_ACTIONS,
  EVENT_SOURCE_PREFIX,
  PERMISSIONLESS,
  VERSION_SUFFIX,
} from './table.js';

export interface CompiledRule {
  readonly kind: 'mapped' | 'permissionless' | 'unknown';
  /** `prefix:EventName` with the version suffix removed (key of PassRole and dynamic rules). */
  readonly key: string;
  readonly prefix: string;
  readonly actions: readonly string[];
  readonly unknown: readonly string[];
  readonly dynamic: DynamicRule | undefined;
  readonly passRole: boolean;
}

const EVENT_ACTIONS_LOWER = new Map<string, readonly string[]>(
  Object.entries(EVENT_ACTIONS).map(([k, v]) => [k.toLowerCase(), v]),
);

/** Compiled rules per `eventSource\0eventName`. Bounded so hostile input cannot grow it forever. */
const RULE_CACHE = new Map<string, CompiledRule>();
const RULE_CACHE_LIMIT = 20_000;

/** The IAM prefix for an eventSource host (`monitoring.amazonaws.com` → `cloudwatch`). */
export function iamPrefixForEventSource(eventSource: string): string {
  const host = eventSource.toLowerCase();
  return EVENT_SOURCE_PREFIX[host] ?? host.split('.')[0] ?? '';
}

export function validate(candidates: readonly string[]): { actions: string[]; unknown: string[] } {
  const actions: string[] = [];
  const unknown: string[] = [];
  for (const c of candidates) {
    const canonical = canonicalAction(c);
    if (canonical) {
      if (!actions.includes(canonical)) actions.push(canonical);
    } else if (!unknown.includes(c)) {
      unknown.push(c);
    }
  }
  return { actions, unknown };
}

function compile(eventSource: string, eventName: string): CompiledRule {
  const prefix = iamPrefixForEventSource(eventSource);
  if (!prefix || !eventName) {
    return { kind: 'unknown', key: '', prefix, actions: [], unknown: [`${prefix}:${eventName}`], dynamic: undefined, passRole: false };
  }
  const names = [eventName];
  const stripped = eventName.replace(VERSION_SUFFIX, '');
  if (stripped && stripped !== eventName) names.push(stripped);

  for (const name of names) {
    const key = `${prefix}:${name}`;
    const lower = key.toLowerCase();
    const passRole = canPassRole(lower);
    if (PERMISSIONLESS.has(lower)) {
      return { kind: 'permissionless', key, prefix, actions: [], unknown: [], dynamic: undefined, passRole: false };
    }
    const dynamic = DYNAMIC_RULES.get(lower);
    if (dynamic) return { kind: 'mapped', key, prefix, actions: [], unknown: [], dynamic, passRole };
    const listed = EVENT_ACTIONS_LOWER.get(lower);
    if (listed) {
      const v = validate(listed);
      return { kind: v.actions.length ? 'mapped' : 'unknown', key, prefix, ...v, dynamic: undefined, passRole };
    }
    const canonical = canonicalAction(lower);
    if (canonical) return { kind: 'mapped', key, prefix, actions: [canonical], unknown: [], dynamic: undefined, passRole };
  }

  if (prefix === 'apigateway') {
    for (const [pattern, verb] of APIGATEWAY_VERB_BY_PREFIX) {
      if (pattern.test(stripped)) {
        const v = validate([verb]);
        return { kind: 'mapped', key: `${prefix}:${stripped}`, prefix, ...v, dynamic: undefined, passRole: false };
      }
    }
  }
  // Never invent: report what the naive mapping would have been.
  const key = `${prefix}:${stripped}`;
  return { kind: 'unknown', key, prefix, actions: [], unknown: [key], dynamic: undefined, passRole: canPassRole(key) };
}

/** Longer eventSource / eventName values are not AWS names: unknown, not cached. */
const MAX_NAME_LENGTH = 256;

export function ruleFor(eventSource: string, eventName: string): CompiledRule {
  if (eventSource.length > MAX_NAME_LENGTH || eventName.length > MAX_NAME_LENGTH) {
    const clipped = `${eventSource.slice(0, 64)}:${eventName.slice(0, 64)}…`;
    return { kind: 'unknown', key: '', prefix: '', actions: [], unknown: [clipped], dynamic: undefined, passRole: false };
  }
  const cacheKey = `${eventSource}\u0000${eventName}`;
  let rule = RULE_CACHE.get(cacheKey);
  if (!rule) {
    rule = compile(eventSource, eventName);
    if (RULE_CACHE.size >= RULE_CACHE_LIMIT) RULE_CACHE.clear();
    RULE_CACHE.set(cacheKey, rule);
  }
  return rule;
}

const DENIED_ACTION = /not authorized to perform:? ([A-Za-z0-9-]+:[A-Za-z0-9]+)(?: on resource:? (arn:[^\s"]+))?/;

/**
 * The action (and resource) an AccessDenied message says was evaluated, e.g. "... is not authorized
 * to perform: iam:PassRole on resource: arn:aws:iam::1:role/x because ...". Only for failed calls.
 */
export function deniedActionFromMessage(record: Record<string, unknown>): { action?: string; resource?: string } {
  const msg = record.errorMessage;
  if (typeof msg !== 'string' || msg.length === 0) return {};
  const m = DENIED_ACTION.exec(msg.slice(0, 2048));
  if (!m?.[1]) return {};
  return { action: canonicalAction(m[1]), resource: m[2]?.replace(/[.,;]+$/, '') };
}

/**
 * The IAM actions an (eventSource, eventName) pair maps to without looking at request parameters
 * (request-dependent rules evaluated on an empty request, PassRole not included).
 */
export function actionsForEventName(eventSource: string, eventName: string): string[] {
  const rule = ruleFor(eventSource, eventName);
  if (rule.dynamic) return validate(rule.dynamic({ eventSource, eventName })).actions;
  return rule.actions.slice();
}
