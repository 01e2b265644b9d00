/**
 * The privilege-escalation graph: nodes are IAM users, roles and groups of every imported
 * account, root users, accounts outside the imported ones, identity providers, AWS service
 * principals, "*" (anyone) and one "admin" state; an edge A → B means "A can act as B" (or, to
 * admin, "A can make itself or someone it controls admin-equivalent").
 *
 * Every permission question goes through the PermissionEvaluator, so permission boundaries,
 * SCPs and explicit denies apply to every edge, and trust policies to every sts:AssumeRole edge.
 * Evaluator calls are prefiltered by each actor's effective granted actions (a technique is
 * only tried when every action it needs is granted at all) and cached.
 */
import type { PrivilegeGraph, GraphInput } from './model.js';
import { SelfAttachBuilder } from './self-attach.js';

export type { NodeKind, Confidence, GraphNode, GraphEdge, GraphInput, GraphStats } from './model.js';
export { ADMIN, PUBLIC, GUARDRAIL_MAX, ADMIN_LEVERS, PrivilegeGraph, isServiceLinked, customerPoliciesOf, identityAllowsAll } from './model.js';

/** Builds the graph. Synchronous: the evaluator is already prepared. */
export function buildGraph(input: GraphInput): PrivilegeGraph {
  const t0 = performance.now();
  const b = new SelfAttachBuilder(input);
  b.run();
  const g = b.graph;
  g.stats.nodes = g.nodes.size;
  g.stats.edges = g.edges.length;
  g.stats.ms = Math.round(performance.now() - t0);
  return g;
}
