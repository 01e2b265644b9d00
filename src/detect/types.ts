/**
 * The event-rule contract (Panther's shape): one rule per file in rules/, its metadata beside a
 * pure `match(event, state)`. The engine (engine.ts) runs whatever rules it is given, indexed by
 * their prefilter; a rule that needs memory across events declares a state provider, and the
 * engine creates and feeds every declared provider: nothing is wired by hand.
 */
import type { NormalizedEvent } from '../model/index.js';
import type { RuleMetadata, Severity } from '../model/index.js';
import type { DetectionMemory } from '../store/index.js';

/** Which events a rule (or state provider) looks at; absent lists match everything. */
export interface Prefilter {
  eventSource?: readonly string[];
  eventName?: readonly string[];
  /**
   * A test on the API where a list would be long, given the event's userIdentity.type too (null
   * when it has none); evaluated once per (API, identity type), then cached.
   */
  api?: (eventSource: string, eventName: string, identityType: string | null) => boolean;
  /** userIdentity.type values (Root, IAMUser, AssumedRole, ...). */
  identityType?: readonly string[];
  /** A test on the acting principal's ARN (evaluated once per principal, then cached). */
  principal?: (principalArn: string | null) => boolean;
}

/**
 * 'light': the event from its indexed columns plus sourceIPAddress and userAgent, with raw holding
 * only LIGHT_RAW_FIELDS (src/model/light.ts): cheap, for rules that look at every event. 'full': the whole record (requestParameters, additionalEventData, ...).
 */
export type RuleInput = 'light' | 'full';

export interface StateProvider<S> {
  /** Unique id; several rules may share one provider (it is created once). */
  id: string;
  prefilter?: Prefilter;
  input: RuleInput;
  create(memory: DetectionMemory): S;
  /** Called for every event the prefilter admits, after the rules have matched it. */
  observe(state: S, event: NormalizedEvent): void;
}

/**
 * A necessary condition on a few of the record's LIGHT_RAW_FIELDS, for rules that look at many
 * events: when `test` is false, `match` returns null whatever else the event holds. The verdict
 * depends on those fields' values only, so the engine evaluates it once per distinct tuple of
 * values (bounded memo) and builds no event for the calls it rules out.
 */
export interface LightScreen {
  /** Dotted paths, each one of LIGHT_RAW_FIELDS. */
  fields: readonly string[];
  /** `raw` holds just `fields`, as the record has them (a null or absent field is left out). */
  test(raw: Record<string, unknown>): boolean;
}

export interface RuleDedup {
  /** The slot an event falls in, its period included (e.g. ending with the UTC day, eventTime's first 10 characters). */
  key(event: NormalizedEvent): string;
}

export interface Detection {
  /** The identity the detection is about (the actor, or the user acted upon); an IAM ARN, or arn:aws:iam::<acct>:root. */
  resource: string;
  /** Defaults to the event's recipient account. */
  accountId?: string;
  title?: string;
  /** Defaults to the rule's severity. */
  severity?: Severity;
  details: Record<string, unknown>;
  /** Further supporting event ids (the triggering event is always first). */
  evidence?: string[];
  /**
   * The event the detection is keyed by when it is not the triggering one (a sequence rule keys
   * by the same event whichever order the events arrive in, so re-scans never detect twice).
   */
  anchorEventId?: string;
}

export interface EventRuleMetadata extends RuleMetadata {
  /** MITRE ATT&CK technique ids, e.g. ["T1078.004"]. */
  attack: readonly string[];
}

export interface EventRule<S = unknown> extends EventRuleMetadata {
  /** Absent: every event (keep such rules on 'light' input). */
  prefilter?: Prefilter;
  /** Default 'full'. */
  input?: RuleInput;
  state?: StateProvider<S>;
  /**
   * One detection per key and period (Panther's dedup): for rules that may match a large share of
   * all calls, only the first matching event of each (key, period) becomes a detection.
   */
  dedup?: RuleDedup;
  /** Rules out most events from a few light fields before any event is built (see LightScreen). */
  screen?: LightScreen;
  match(event: NormalizedEvent, state: S): Detection | null;
}

/** Erases a rule's state type for the registry (the engine passes each rule its own provider's state). */
export function defineEventRule<S>(rule: EventRule<S>): EventRule {
  return rule as unknown as EventRule;
}
