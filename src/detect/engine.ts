/**
 * The event-rule engine: runs event rules over committed events (the store's commit hook) or
 * over stored ones (`detect`). It knows no rule: rules come as a list, indexed here by their
 * prefilter on (eventSource, eventName, identityType) so an event costs a map lookup unless some
 * rule wants it; the full record is decoded only when a rule that reads it is a candidate.
 */
import type { NormalizedEvent } from '../model/index.js';
import { isSeverity } from '../model/index.js';
import type {
  ChangeRecord,
  CommitHook,
  CommitHookResult,
  CommittedBatch,
  DetectionMemory,
  DetectionRecord,
} from '../store/index.js';
import type { EventRule, Prefilter, RuleInput, StateProvider } from './types.js';
import { accountOf } from './rules/helpers.js';

/** What else runs over each event beside the rules (the drift classifier). */
export interface EventConsumer {
  prefilter: Prefilter;
  /** Returns a change record for events that change configuration. */
  classify(event: NormalizedEvent): ChangeRecord | null;
}

interface Plan {
  rules: EventRule[];
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

export interface EngineError {
  rule: string;
  eventId: string;
  message: string;
}

export class DetectionEngine {
  /** By API, then identity type. */
  private readonly plans = new Map<string, Map<string, Plan>>();
  private readonly providers: StateProvider<unknown>[];
  private readonly states = new WeakMap<DetectionMemory, Map<string, unknown>>();
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
  }

  /** The store's commit hook: detections and changes for the events a transaction inserted. */
  hook(): CommitHook {
    return (batch, memory) => this.run(batch, memory);
  }

  /** Evaluates every event of the batch, in order. */
  run(batch: CommittedBatch, memory: DetectionMemory, opts: { observeOnly?: boolean } = {}): CommitHookResult {
    const detections: DetectionRecord[] = [];
    const changes: ChangeRecord[] = [];
    const states = this.statesFor(memory);
    for (let i = 0; i < batch.size; i++) {
      let plan = this.plan(batch.api(i), batch.identityType(i));
      if (plan === EMPTY) continue;
      if (plan.byPrincipal) {
        plan = this.narrow(plan, batch.principalArn(i));
        if (plan === EMPTY) continue;
      }
      let light: NormalizedEvent | undefined;
      let full: NormalizedEvent | undefined;
      const input = (kind: RuleInput | undefined): NormalizedEvent =>
        kind === 'light' ? (light ??= full ?? batch.light(i)) : (full ??= batch.full(i));
      if (!opts.observeOnly) {
        for (const rule of plan.rules) {
          const event = input(rule.input);
          try {
            const d = rule.match(event, rule.state ? states.get(rule.state.id) : undefined);
            if (d) detections.push(this.record(rule, event, d));
          } catch (err) {
            this.fail(rule.id, event.eventID, err);
          }
        }
        for (const c of plan.consumers) {
          const event = input('full');
          try {
            const change = c.classify(event);
            if (change) changes.push(change);
          } catch (err) {
            this.fail('drift', event.eventID, err);
          }
        }
      }
      for (const p of plan.providers) {
        const event = input(p.input);
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
    const rules = plan.rules.filter((r) => ok(r.prefilter));
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

  private statesFor(memory: DetectionMemory): Map<string, unknown> {
    let states = this.states.get(memory);
    if (!states) {
      states = new Map(this.providers.map((p) => [p.id, p.create(memory)]));
      this.states.set(memory, states);
    }
    return states;
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
    const rules = this.rules.filter((r) => admits(r.prefilter, source, name, itype));
    const providers = this.providers.filter((p) => admits(p.prefilter, source, name, itype));
    const consumers = this.consumers.filter((c) => admits(c.prefilter, source, name, itype));
    const byPrincipal = [...rules.map((r) => r.prefilter), ...providers.map((p) => p.prefilter), ...consumers.map((c) => c.prefilter)].some((p) => p?.principal);
    plan = rules.length || providers.length || consumers.length ? { rules, providers, consumers, byPrincipal: byPrincipal ? new Map() : null } : EMPTY;
    byType.set(key, plan);
    return plan;
  }
}

/** Whole events as a batch (re-scans, tests): light and full are the event itself. */
export class EventsBatch implements CommittedBatch {
  constructor(private readonly events: readonly NormalizedEvent[]) {}
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
