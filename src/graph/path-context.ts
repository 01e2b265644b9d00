/**
 * Attack paths in the light of what happened: a path whose entry point showed risk in the window
 * (an identity-risk detection about the entry principal) matters more than one that only the
 * configuration allows, and most when its steps were exercised soon after that risk. Pure: paths
 * and stored detections in, annotated and reordered paths out.
 */
import type { AttackPath } from './paths.js';

/** The event detections that say an entry principal may be in someone else's hands. */
export const PATH_RISK_RULES: readonly string[] = ['console-login-without-mfa', 'unusual-source-ip', 'access-key-created-for-other-user'];

/** How soon after a risk event a step's call counts as "right after". */
export const EXERCISED_AFTER_RISK_MS = 24 * 3_600_000;

/** What pathContext needs of a stored detection (DetectionRecord fits). */
export interface RiskDetectionLike {
  rule: string;
  eventId: string;
  eventTime: string;
  resource: string;
}

export interface PathContext {
  /** Risk detections about the entry principal in the window, oldest first. */
  risk: { rule: string; eventId: string; time: string }[];
  /** Some step's enabling call succeeded within EXERCISED_AFTER_RISK_MS after one of them. */
  exercisedAfterRisk: boolean;
  /**
   * The calls that tie a step to a risk event: the step's technique, the call (its event id when
   * its time is known, else the step's first/last call time) and the risk event before it.
   */
  exercisedAfter: { technique: string; eventId: string | null; time: string; afterRiskEventId: string }[];
}

export type PathWithContext = AttackPath & { context?: PathContext };

/**
 * Adds `context` to each path whose entry principal (path.from) has risk detections, and puts
 * those first (exercised after the risk before risk alone), keeping the given order otherwise.
 * `events` (the steps' calls, e.g. the analysis' sampled escalation calls, or their times by
 * eventID, built once when paths are annotated one at a time) make "right after" exact;
 * without them a step's first and last call times stand for its calls.
 */
export function withPathContext(
  paths: readonly AttackPath[],
  detections: readonly RiskDetectionLike[],
  events: readonly { eventID: string; eventTime: string }[] | ReadonlyMap<string, string> = [],
): PathWithContext[] {
  const eventTimes = events instanceof Map ? (events as ReadonlyMap<string, string>) : new Map((events as readonly { eventID: string; eventTime: string }[]).map((e) => [e.eventID, e.eventTime]));
  const byPrincipal = new Map<string, RiskDetectionLike[]>();
  for (const d of detections) {
    if (!PATH_RISK_RULES.includes(d.rule)) continue;
    const list = byPrincipal.get(d.resource) ?? [];
    list.push(d);
    byPrincipal.set(d.resource, list);
  }
  const annotated = paths.map((p, index) => {
    const risks = byPrincipal.get(p.from);
    return { path: risks ? { ...p, context: contextOf(p, risks, eventTimes) } : { ...p }, index };
  });
  const rank = (p: PathWithContext) => (p.context ? (p.context.exercisedAfterRisk ? 2 : 1) : 0);
  return annotated.sort((a, b) => rank(b.path) - rank(a.path) || a.index - b.index).map((a) => a.path);
}

function contextOf(path: AttackPath, risks: readonly RiskDetectionLike[], eventTimes: ReadonlyMap<string, string>): PathContext {
  const sorted = [...risks].sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  const exercisedAfter: PathContext['exercisedAfter'] = [];
  for (const step of path.steps) {
    for (const call of stepCalls(step, eventTimes)) {
      const t = Date.parse(call.time);
      const risk = sorted.find((r) => {
        const rt = Date.parse(r.eventTime);
        return t >= rt && t - rt <= EXERCISED_AFTER_RISK_MS;
      });
      if (risk) {
        exercisedAfter.push({ technique: step.technique, eventId: call.eventId, time: call.time, afterRiskEventId: risk.eventId });
        break;
      }
    }
  }
  return {
    risk: sorted.map((r) => ({ rule: r.rule, eventId: r.eventId, time: r.eventTime })),
    exercisedAfterRisk: exercisedAfter.length > 0,
    exercisedAfter,
  };
}

/** The step's succeeded calls with their times (exact when known, else its first and last call). */
function stepCalls(step: AttackPath['steps'][number], eventTimes: ReadonlyMap<string, string>): { eventId: string | null; time: string }[] {
  if (step.succeededEventIds.length === 0) return [];
  const known = step.succeededEventIds.flatMap((id) => {
    const time = eventTimes.get(id);
    return time ? [{ eventId: id, time }] : [];
  });
  if (known.length > 0) return known;
  return [step.firstSeen, step.lastSeen].filter((t): t is string => t !== null).map((time) => ({ eventId: null, time }));
}

/** One line for text output: why the path comes first. */
export function contextLine(c: PathContext): string {
  const rules = [...new Set(c.risk.map((r) => r.rule))].join(', ');
  if (!c.exercisedAfterRisk) return `risk at the entry point: ${rules} (${c.risk.length} event${c.risk.length === 1 ? '' : 's'})`;
  const first = c.exercisedAfter[0]!;
  return `exercised after risk at the entry point: ${rules}; ${first.technique} at ${first.time} followed event ${first.afterRiskEventId}`;
}
