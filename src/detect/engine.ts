/**
 * The event-rule engine: runs event rules over committed events (the store's commit hook) or
 * over stored ones (`detect`). It knows no rule: rules come as a list, indexed here by their
 * prefilter on (eventSource, eventName, identityType) so an event costs a map lookup unless some
 * rule wants it; the full record is decoded only when a rule that reads it is a candidate.
 */
import type { LightFields, NormalizedEvent } from '../model/index.js';
import { isSeverity, lightFieldsOf } from '../model/index.js';
import type {
  ChangeRecord,
  CommitHook,
  CommitHookResult,
  CommittedBatch,
  DetectionMemory,
  DetectionRecord,
} from '../store/index.js';
import type { EventRule, Prefilter, StateProvider } from './types.js';
import { accountOf } from './rules/helpers.js';
import { timeToMs } from '../store/index.js';
import { ScreenMemo } from './screen.js';

/** What else runs over each event beside the rules (the drift classifier). */
export interface EventConsumer {
  prefilter: Prefilter;
  /** Returns a change record for events that change configuration. */
  classify(event: NormalizedEvent): ChangeRecord | null;
}

/** A rule with what the engine keeps for it: its screen's memo and its dedup namespace. */
interface RuleEntry {
  rule: EventRule;
  screen: ScreenMemo | null;
  dedupNs: string | null;
}

/** Per memory: the providers' states, and the dedup slots this process saw taken, by namespace. */
interface MemoryContext {
  states: Map<string, unknown>;
  taken: Map<string, Set<string>>;
}

/** Slots remembered per rule as taken before the set starts over (the memory stays the authority). */
const TAKEN_LIMIT = 100_000;

interface Plan {
  rules: RuleEntry[];
  providers: StateProvider<unknown>[];
  consumers: EventConsumer[];
  /** Some of them filter on the principal: checked per event, the narrowed plans cached per principal. */
  byPrincipal: Map<string, Plan> | null;
}

const EMPTY: Plan = { rules: [], providers: [], consumers: [], byPrincipal: null };

function admits(p: Prefilter | undefined, source: string, name: string, itype: string | null): boolean {
  if (!p) return true;
  if (p.eventSource && !p.eventSource.includes(source)) return false;
  if (p.eventName && !p.eventName.includes(name)) return false;
  if (p.api && !p.api(source, name, itype)) return false;
  if (p.identityType && (itype === null || !p.identityType.includes(itype))) return false;
  return true;
}

/** Whether no detection of the rule was reported yet in the slot; takes it (kept in the memory, so across commits). */
function firstInSlot(ns: string, slot: string, event: NormalizedEvent, memory: DetectionMemory, taken: Set<string>): boolean {
  if (taken.size >= TAKEN_LIMIT) taken.clear();
  taken.add(slot);
  if (memory.get(ns, slot)) return false;
  memory.note(ns, slot, timeToMs(event.eventTime), event.eventID);
  return true;
}

/**
 * A slot known taken: seen taken in this process and still in the memory (a rolled-back commit
 * leaves it out). Only slots seen are looked up, so a miss never costs the memory a read.
 */
function knownTaken(ns: string, slot: string, memory: DetectionMemory, taken: Set<string>): boolean {
  return taken.has(slot) && memory.get(ns, slot) !== undefined;
}

export interface EngineError {
  rule: string;
  eventId: string;
  message: string;
}

export class DetectionEngine {
  /** By API, then identity type. */
  private readonly plans = new Map<string, Map<string, Plan>>();
  private readonly providers: StateProvider<unknown>[];
  private readonly entries: RuleEntry[];
  private readonly contexts = new WeakMap<DetectionMemory, MemoryContext>();
  /** Rules that threw, most recent last (bounded); the other rules still ran. */
  readonly errors: EngineError[] = [];

  constructor(
    readonly rules: readonly EventRule[],
    private readonly consumers: readonly EventConsumer[] = [],
  ) {
    const ids = new Set<string>();
    for (const r of rules) {
      if (ids.has(r.id)) throw new Error(`two event rules share the id "${r.id}"`);
      ids.add(r.id);
      if (!isSeverity(r.severity)) throw new Error(`event rule ${r.id}: unknown severity "${r.severity}"`);
    }
    const byId = new Map<string, StateProvider<unknown>>();
    for (const r of rules) if (r.state && !byId.has(r.state.id)) byId.set(r.state.id, r.state);
    this.providers = [...byId.values()];
    this.entries = rules.map((rule) => ({
      rule,
      screen: rule.screen ? new ScreenMemo(rule.screen) : null,
      dedupNs: rule.dedup ? `dedup:${rule.id}` : null,
    }));
  }

  /** The store's commit hook: detections and changes for the events a transaction inserted. */
  hook(): CommitHook {
    return (batch, memory) => this.run(batch, memory);
  }

  /** Evaluates every event of the batch, in order. */
  run(batch: CommittedBatch, memory: DetectionMemory, opts: { observeOnly?: boolean } = {}): CommitHookResult {
    const detections: DetectionRecord[] = [];
    const changes: ChangeRecord[] = [];
    const { states, taken } = this.contextFor(memory);
    for (let i = 0; i < batch.size; i++) {
      let plan = this.plan(batch.api(i), batch.identityType(i));
      if (plan === EMPTY) continue;
      if (plan.byPrincipal) {
        plan = this.narrow(plan, batch.principalArn(i));
        if (plan === EMPTY) continue;
      }
      // Built on first use: most events ruled out by a screen never need either.
      let light: NormalizedEvent | undefined;
      let full: NormalizedEvent | undefined;
      if (!opts.observeOnly) {
        for (const { rule, screen, dedupNs } of plan.rules) {
          if (screen && screen.admits(batch, i) === false) continue;
          const event = rule.input === 'light' ? (light ??= full ?? batch.light(i)) : (full ??= batch.full(i));
          try {
            let slot: string | undefined;
            let slotsTaken: Set<string> | undefined;
            if (dedupNs) {
              slot = rule.dedup!.key(event);
              slotsTaken = taken.get(dedupNs);
              if (!slotsTaken) taken.set(dedupNs, (slotsTaken = new Set()));
              // Its detection, if any, is already reported: the match would change nothing.
              if (knownTaken(dedupNs, slot, memory, slotsTaken)) continue;
            }
            const state = rule.state ? states.get(rule.state.id) : undefined;
            const d = rule.match(event, state);
            // The slot is looked up only on a match: the store's memory remembers keys it has, not misses.
            if (d && (!dedupNs || firstInSlot(dedupNs, slot!, event, memory, slotsTaken!))) {
              // A light event lacks the region, key and other context the detection's details
              // show: matches are rare, so the rule sees the full event once more to report them.
              const whole = rule.input === 'light' && event !== full ? (full ??= batch.full(i)) : event;
              detections.push(this.record(rule, whole, (whole !== event && rule.match(whole, state)) || d));
            }
          } catch (err) {
            this.fail(rule.id, event.eventID, err);
          }
        }
        for (const c of plan.consumers) {
          const event = (full ??= batch.full(i));
          try {
            const change = c.classify(event);
            if (change) changes.push(change);
          } catch (err) {
            this.fail('drift', event.eventID, err);
          }
        }
      }
      for (const p of plan.providers) {
        const event = p.input === 'light' ? (light ??= full ?? batch.light(i)) : (full ??= batch.full(i));
        try {
          p.observe(states.get(p.id), event);
        } catch (err) {
          this.fail(p.id, event.eventID, err);
        }
      }
    }
    return { detections, changes };
  }

  private record(rule: EventRule, event: NormalizedEvent, d: NonNullable<ReturnType<EventRule['match']>>): DetectionRecord {
    return {
      rule: rule.id,
      eventId: d.anchorEventId ?? event.eventID,
      eventTime: event.eventTime,
      accountId: d.accountId ?? accountOf(event),
      resource: d.resource,
      severity: d.severity ?? rule.severity,
      title: d.title ?? rule.title,
      description: rule.description,
      remediation: rule.remediation,
      details: rule.attack.length ? { ...d.details, attack: rule.attack } : d.details,
      evidence: [...new Set([event.eventID, ...(d.evidence ?? [])])],
    };
  }

  /** The plan's members whose principal test admits this principal (tests cached per principal). */
  private narrow(plan: Plan, principal: string | null): Plan {
    const key = principal ?? '';
    const byPlan = plan.byPrincipal!;
    let out = byPlan.get(key);
    if (out) return out;
    const ok = (p: Prefilter | undefined) => !p?.principal || p.principal(principal);
    const rules = plan.rules.filter((r) => ok(r.rule.prefilter));
    const providers = plan.providers.filter((p) => ok(p.prefilter));
    const consumers = plan.consumers.filter((c) => ok(c.prefilter));
    out = rules.length || providers.length || consumers.length ? { rules, providers, consumers, byPrincipal: null } : EMPTY;
    if (byPlan.size > 50_000) byPlan.clear();
    byPlan.set(key, out);
    return out;
  }

  private fail(rule: string, eventId: string, err: unknown): void {
    if (this.errors.length >= 100) this.errors.shift();
    this.errors.push({ rule, eventId, message: err instanceof Error ? err.message : String(err) });
  }

  private contextFor(memory: DetectionMemory): MemoryContext {
    let context = this.contexts.get(memory);
    if (!context) {
      context = { states: new Map(this.providers.map((p) => [p.id, p.create(memory)])), taken: new Map() };
      this.contexts.set(memory, context);
    }
    return context;
  }

  private plan(api: string, itype: string | null): Plan {
    let byType = this.plans.get(api);
    if (!byType) {
      if (this.plans.size > 20_000) this.plans.clear();
      byType = new Map();
      this.plans.set(api, byType);
    }
    const key = itype ?? '';
    let plan = byType.get(key);
    if (plan) return plan;
    let source = '';
    let name = '';
    try {
      [source, name] = JSON.parse(api) as [string, string];
    } catch {
      // not the store's shape: only rules without a prefilter can want it
    }
    const rules = this.entries.filter((r) => admits(r.rule.prefilter, source, name, itype));
    const providers = this.providers.filter((p) => admits(p.prefilter, source, name, itype));
    const consumers = this.consumers.filter((c) => admits(c.prefilter, source, name, itype));
    const byPrincipal = [...rules.map((r) => r.rule.prefilter), ...providers.map((p) => p.prefilter), ...consumers.map((c) => c.prefilter)].some((p) => p?.principal);
    plan = rules.length || providers.length || consumers.length ? { rules, providers, consumers, byPrincipal: byPrincipal ? new Map() : null } : EMPTY;
    byType.set(key, plan);
    return plan;
  }
}

/** Whole events as a batch (re-scans, tests): light and full are the event itself. */
export class EventsBatch implements CommittedBatch {
  /** Each event's light fields, read from its record on first use (null: an irregular record). */
  private readonly lights: (LightFields | null | undefined)[] = [];

  constructor(private readonly events: readonly NormalizedEvent[]) {}
  lightValue(i: number, field: string): string | null | undefined {
    const e = this.events[i]!;
    if (this.lights[i] === undefined) this.lights[i] = lightFieldsOf(e);
    const light = this.lights[i];
    if (!light) return undefined;
    switch (field) {
      case 'eventSource':
        return e.eventSource;
      case 'eventName':
        return e.eventName;
      case 'sourceIPAddress':
        return e.sourceIPAddress;
      case 'userAgent':
        return light.userAgent;
      case 'userIdentity.type':
        return e.identityType;
      case 'userIdentity.arn':
        return light.userArn;
      case 'userIdentity.sessionContext.sessionIssuer.type':
        return light.sessionIssuerType;
      default:
        return undefined;
    }
  }
  get size(): number {
    return this.events.length;
  }
  api(i: number): string {
    const e = this.events[i]!;
    return JSON.stringify([e.eventSource, e.eventName]);
  }
  identityType(i: number): string | null {
    return this.events[i]!.identityType;
  }
  principalArn(i: number): string | null {
    return this.events[i]!.principalArn;
  }
  light(i: number): NormalizedEvent {
    return this.events[i]!;
  }
  full(i: number): NormalizedEvent {
    return this.events[i]!;
  }
}
