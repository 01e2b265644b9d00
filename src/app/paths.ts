/**
 * The attack paths use case, shared by `trailscope paths` and GET /api/paths: load the analysis,
 * build the privilege graph, walk it, and return the document `paths --json` prints.
 */
import { loadAnalysis } from '../analysis/index.js';
import type { AnalysisNotice } from '../analysis/index.js';
import type { RuleContext } from '../analysis/index.js';
import { ADMIN, evidenceTimes, findPaths, withPathContext, type AttackPath, type GraphNode, type PathWithContext } from '../graph/index.js';
import { graphFor } from '../analysis/index.js';
import type { Store } from '../store/index.js';
import { UseCaseError } from './errors.js';

/** The JSON document of `trailscope paths --json` (shape documented in src/cli/paths.ts). */
export interface PathsDocument {
  asOf: string;
  windowStart: string;
  windowDays: number;
  from: string | null;
  target: string;
  nodes: Record<string, Omit<GraphNode, 'id'>>;
  paths: PathWithContext[];
  stats: { nodes: number; edges: number; evaluatorCalls: number; graphMs: number; paths: number };
}

export interface PathsRequest {
  asOf: string;
  windowDays: number;
  accountId?: string | undefined;
  /** A node id; default: every entry point. */
  from?: string | undefined;
  /** A node id or "admin" (default). */
  to?: string | undefined;
  /** Called with what the store lacks, before the walk (so the CLI prints them before any error). */
  onNotices?: (notices: readonly AnalysisNotice[]) => void;
}

/** The analysis the paths are computed from: callers may cache it per (as-of, window, account). */
export async function loadPathsAnalysis(store: Store, req: { asOf: string; windowDays: number; accountId?: string | undefined }): Promise<{ ctx: RuleContext; notices: AnalysisNotice[] }> {
  const { ctx, notices } = await loadAnalysis(store, { asOf: req.asOf, windowDays: req.windowDays, ...(req.accountId ? { accountId: req.accountId } : {}), resourceDetail: false });
  return { ctx, notices };
}

/** The document, and whether there was a graph to walk at all (no IAM snapshot: none). */
export async function findAttackPaths(store: Store, req: PathsRequest): Promise<{ document: PathsDocument; walked: boolean }> {
  const { ctx, notices } = await loadPathsAnalysis(store, req);
  req.onNotices?.(notices);
  return { document: pathsDocument(ctx, req), walked: graphFor(ctx) !== null };
}

/** Paths of an analysis already loaded (the whole organization: --account only narrows the report). */
export function pathsDocument(ctx: RuleContext, req: Pick<PathsRequest, 'accountId' | 'from' | 'to'>): PathsDocument {
  const graph = graphFor(ctx);
  const to = req.to ?? ADMIN;
  const base = { asOf: ctx.asOf, windowStart: ctx.windowStart, windowDays: ctx.windowDays, from: req.from ?? null, target: to };
  // Nothing to walk (the notices say why): still a valid, empty result.
  if (!graph) return { ...base, nodes: {}, paths: [], stats: { nodes: 0, edges: 0, evaluatorCalls: 0, graphMs: 0, paths: 0 } };
  if (to !== ADMIN && !graph.node(to)) throw new UseCaseError(`--to ${to}: not a principal of any imported snapshot`);
  if (req.from && !graph.node(req.from)) throw new UseCaseError(`--from ${req.from}: not a node of the graph (a user, role, root, trusted account or provider)`);
  // --account narrows the report to paths that touch the account; the graph spans the organization
  const found = findPaths(graph, { from: req.from, to }).filter((p) => !req.accountId || p.accounts.includes(req.accountId));
  // Paths whose entry point showed risk (and was exercised right after) come first, with the events.
  const paths = withPathContext(found, ctx.riskDetections ?? [], evidenceTimes(ctx.escalationEvidence ?? []));
  const nodes: PathsDocument['nodes'] = {};
  for (const p of paths) {
    for (const id of [p.from, ...p.steps.flatMap((s) => [s.to, ...(s.via && graph.node(s.via) ? [s.via] : [])])]) {
      const n = graph.node(id);
      if (n && !nodes[id]) {
        const { id: _id, ...rest } = n;
        nodes[id] = rest;
      }
    }
  }
  return {
    ...base,
    nodes,
    paths,
    stats: { nodes: graph.stats.nodes, edges: graph.stats.edges, evaluatorCalls: graph.stats.evaluatorCalls, graphMs: graph.stats.ms, paths: paths.length },
  };
}

/** Whether a path starts at, ends at or passes through a principal. */
export function pathTouches(p: AttackPath, id: string): boolean {
  return p.from === id || p.to === id || p.steps.some((s) => s.to === id || s.via === id);
}
