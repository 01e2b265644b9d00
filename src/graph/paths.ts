/**
 * Shortest attack paths over the privilege graph, with a CloudTrail status per step and path.
 *
 * One reverse breadth-first search from the targets (admin-equivalent principals and the admin
 * state, or one chosen principal) gives every node its next hop, so paths for all sources cost
 * O(nodes + edges). Among equally short next hops the best-evidenced is kept: exercised before
 * attempted before possible, then unconditional, then confirmed.
 */
import { ADMIN, type GraphEdge, type GraphNode, type PrivilegeGraph } from './model.js';
import { STATUS_RANK, type StepStatus } from './evidence.js';
import { TECHNIQUE_BY_ID, TRUST_EDGE_KINDS } from './techniques.js';

/** One step of a path (JSON: part of `trailscope paths --json`). */
export interface PathStep {
  from: string;
  to: string;
  /** Technique id (techniques.ts, e.g. "iam-001", "lambda-001", "sts-001") or trust edge kind ("trust-external", ...). */
  technique: string;
  techniqueName: string;
  actions: string[];
  via?: string;
  service?: string;
  conditional: boolean;
  /** Conditional steps: the undecided conditions the step relies on, e.g. "IpAddress aws:SourceIp 203.0.113.0/24". */
  conditions?: string[];
  confidence: 'confirmed' | 'potential';
  status: StepStatus;
  /** CloudTrail eventIDs of the enabling calls (succeeded / denied) in the window. */
  succeededEventIds: string[];
  failedEventIds: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  followOn?: string;
}

/** A path from a source to an admin-equivalent principal, the admin state, or a chosen target. */
export interface AttackPath {
  from: string;
  to: string;
  steps: PathStep[];
  /** See pathStatus. */
  status: StepStatus;
  /** Some step depends on an undecidable condition. */
  conditional: boolean;
  /** potential when some step acts through a resource not seen in CloudTrail. */
  confidence: 'confirmed' | 'potential';
  /** Accounts the path crosses, in order of appearance. */
  accounts: string[];
  crossAccount: boolean;
}

export function betterEdge(a: GraphEdge, b: GraphEdge): boolean {
  if (STATUS_RANK[a.status] !== STATUS_RANK[b.status]) return STATUS_RANK[a.status] > STATUS_RANK[b.status];
  if (a.conditional !== b.conditional) return !a.conditional;
  if (a.confidence !== b.confidence) return a.confidence === 'confirmed';
  return a.technique < b.technique;
}

export type EdgeFilter = (e: GraphEdge, from: GraphNode | undefined) => boolean;

/** Next hop towards the nearest target, for every node that reaches one (targets map to null). */
export function nextHops(graph: PrivilegeGraph, targets: ReadonlySet<string>, usable: EdgeFilter = () => true): Map<string, GraphEdge | null> {
  const next = new Map<string, GraphEdge | null>();
  let frontier: string[] = [];
  for (const t of targets) {
    if (!graph.nodes.has(t)) continue;
    next.set(t, null);
    frontier.push(t);
  }
  while (frontier.length > 0) {
    const found = new Map<string, GraphEdge>();
    for (const v of frontier) {
      for (const e of graph.in.get(v) ?? []) {
        if (next.has(e.from) || !usable(e, graph.nodes.get(e.from))) continue;
        const cur = found.get(e.from);
        if (!cur || betterEdge(e, cur)) found.set(e.from, e);
      }
    }
    frontier = [];
    for (const [u, e] of found) {
      next.set(u, e);
      frontier.push(u);
    }
  }
  return next;
}

export function techniqueName(id: string): string {
  return TECHNIQUE_BY_ID.get(id)?.name ?? (TRUST_EDGE_KINDS as Record<string, string>)[id] ?? id;
}

export function toStep(e: GraphEdge): PathStep {
  return {
    from: e.from,
    to: e.to,
    technique: e.technique,
    techniqueName: techniqueName(e.technique),
    actions: e.actions,
    ...(e.via ? { via: e.via } : {}),
    ...(e.service ? { service: e.service } : {}),
    conditional: e.conditional,
    ...(e.conditions ? { conditions: e.conditions } : {}),
    confidence: e.confidence,
    status: e.status,
    succeededEventIds: e.evidence.succeeded,
    failedEventIds: e.evidence.failed,
    firstSeen: e.evidence.firstSeen,
    lastSeen: e.evidence.lastSeen,
    ...(e.evidence.followOn ? { followOn: e.evidence.followOn } : {}),
  };
}

/**
 * exercised: every step exercised; attempted: some step's enabling calls were denied, or the
 * last step (the one reaching the target) was exercised while an earlier one was not seen;
 * possible otherwise — earlier hops used in the normal course (a CI role assumed every day)
 * do not make a path "attempted".
 */
export function pathStatus(steps: readonly { status: StepStatus }[]): StepStatus {
  if (steps.length > 0 && steps.every((s) => s.status === 'exercised')) return 'exercised';
  if (steps.some((s) => s.status === 'attempted') || steps[steps.length - 1]?.status === 'exercised') return 'attempted';
  return 'possible';
}

/** The path from `from` along next hops, or null when it reaches no target. */
export function pathFrom(graph: PrivilegeGraph, next: ReadonlyMap<string, GraphEdge | null>, from: string): AttackPath | null {
  if (!next.has(from)) return null;
  const steps: PathStep[] = [];
  let cur = from;
  const seen = new Set<string>();
  for (let e = next.get(cur); e; e = next.get(cur)) {
    if (seen.has(cur)) break;
    seen.add(cur);
    steps.push(toStep(e));
    cur = e.to;
  }
  if (steps.length === 0) return null;
  const accounts: string[] = [];
  for (const id of [from, ...steps.map((s) => s.to)]) {
    const a = graph.nodes.get(id)?.accountId;
    if (a && !accounts.includes(a)) accounts.push(a);
  }
  return {
    from,
    to: cur,
    steps,
    status: pathStatus(steps),
    conditional: steps.some((s) => s.conditional),
    confidence: steps.some((s) => s.confidence === 'potential') ? 'potential' : 'confirmed',
    accounts,
    crossAccount: accounts.length > 1,
  };
}

/** Scoped federated trusts (a subject condition) are not entry points: only unscoped ones lead in from a provider. */
export const ENTRY_EDGES: EdgeFilter = (e, from) => from?.kind !== 'federated' || !!e.unscoped;

export interface FindPathsOptions {
  /** Only from this node (any node id); default: every entry point. */
  from?: string;
  /** A node id, or "admin" (default): every admin-equivalent principal and the admin state. */
  to?: string;
}

/**
 * Shortest paths from entry points (users with access keys or console passwords, accounts
 * outside the imported ones trusted by a role, "*", unscoped OIDC providers) — or from one
 * node — to admin-equivalent principals or to one target.
 */
export function findPaths(graph: PrivilegeGraph, opts: FindPathsOptions = {}): AttackPath[] {
  const targets = !opts.to || opts.to === ADMIN ? graph.adminTargets() : new Set([opts.to]);
  const next = nextHops(graph, targets, opts.from ? () => true : ENTRY_EDGES);
  const sources = opts.from ? [opts.from] : [...graph.nodes.values()].filter((n) => n.entry.length > 0 && !n.isAdmin).map((n) => n.id);
  const out: AttackPath[] = [];
  for (const s of sources) {
    if (targets.has(s)) continue;
    const p = pathFrom(graph, next, s);
    if (p) out.push(p);
  }
  return out.sort(
    (a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || a.steps.length - b.steps.length || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0),
  );
}
