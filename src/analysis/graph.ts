/**
 * The graph of one analysis run, built once per RuleContext and shared by the rules that need
 * it (privilege-escalation, admin-role-assumable-by-service) and by `trailscope paths`. Analysis
 * hands the graph its input; the graph knows nothing of analysis.
 */
import { buildGraph, EvidenceIndex, type PrivilegeGraph } from '../graph/index.js';
import type { RuleContext } from './types.js';

const cache = new WeakMap<RuleContext, PrivilegeGraph>();

/** Null when no IAM data is loaded. */
export function graphFor(ctx: RuleContext): PrivilegeGraph | null {
  if (!ctx.evaluator) return null;
  let g = cache.get(ctx);
  if (!g) {
    const sessions = new Map<string, readonly string[]>();
    for (const id of ctx.identities) if (id.usage) sessions.set(id.summary.arn, id.usage.sessionNames);
    const evidence = new EvidenceIndex(ctx.escalationEvidence ?? [], ctx.snapshots, (arn) => sessions.get(arn) ?? []);
    g = buildGraph({ snapshots: ctx.snapshots, evaluator: ctx.evaluator, organizationAccountIds: ctx.organizationAccountIds, evidence });
    cache.set(ctx, g);
  }
  return g;
}
