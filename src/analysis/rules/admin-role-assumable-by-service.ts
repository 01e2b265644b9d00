import { makeFinding } from '../finding.js';
import type { Finding, Rule } from '../types.js';
import { graphFor } from '../graph.js';

/**
 * An admin-equivalent role that a compute service (Lambda, EC2, ECS, Glue, CodeBuild...) can
 * assume: whoever controls code on such a resource, or may pass the role to a new one, holds
 * administrator credentials. Lists its consumers: the services, the principals the graph shows
 * able to hand it over or use it, and the resources CloudTrail shows running as it.
 */
export const adminRoleAssumableByService: Rule = {
  id: 'admin-role-assumable-by-service',
  title: 'Admin-equivalent role assumable by a compute service',
  needs: ['escalationEvents'],
  severity: 'low',
  description:
    'The role is admin-equivalent and its trust policy lets an AWS compute service assume it. Workload roles rarely need full access; any code running as the role, or any principal allowed to pass it, is an administrator.',
  remediation:
    'Give the workload a role with only the permissions it uses (see the suggested policy of the super-identity finding), and restrict iam:PassRole on this role to the deployment pipeline.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html', 'https://pathfinding.cloud'],
  evaluate(ctx) {
    const graph = graphFor(ctx);
    if (!graph) return [];
    const findings: Finding[] = [];
    for (const node of graph.nodes.values()) {
      if (node.kind !== 'role' || !node.isAdmin) continue;
      const incoming = graph.in.get(node.id) ?? [];
      const services = [...new Set(incoming.filter((e) => e.technique === 'trust-service').map((e) => e.from))].sort();
      if (services.length === 0) continue;
      const consumers = incoming
        .filter((e) => e.technique !== 'trust-service' && e.service)
        .map((e) => {
          // a principal once it joined groups or attached policies (derived node): the principal, and what it must do first
          const derived = graph.node(e.from)?.derived;
          return {
            principal: derived?.from ?? e.from,
            ...(derived?.addedGroups.length ? { afterJoining: derived.addedGroups } : {}),
            ...(derived?.addedPolicies.length ? { afterAttaching: derived.addedPolicies } : {}),
            technique: e.technique,
            service: e.service!,
            status: e.status,
            confidence: e.confidence,
            conditional: e.conditional,
          };
        });
      const resources = [...new Set(graph.evidence.usesOf(node.id).flatMap((u) => u.resources.filter((r) => !r.includes(':iam::') || r.includes(':instance-profile/'))))].sort();
      const uses = graph.evidence.usesOf(node.id);
      findings.push(
        makeFinding(adminRoleAssumableByService, {
          accountId: node.accountId ?? '',
          resource: node.id,
          title: `Admin-equivalent role ${node.name} is assumable by ${services.join(', ')}`,
          description:
            `${node.name} has full access and trusts ${services.join(', ')}. ` +
            `${new Set(consumers.map((c) => c.principal)).size} principal(s) can hand it to or use it through a service` +
            (resources.length ? `; CloudTrail shows it behind ${resources.length} resource(s).` : '.'),
          details: { services, consumers, resources },
          evidence: uses.map((u) => u.eventId).slice(0, 20),
        }),
      );
    }
    return findings;
  },
};
