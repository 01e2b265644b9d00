import { makeFinding } from '../finding.js';
import type { Finding, Rule, Severity } from '../types.js';
import { graphFor } from '../graph.js';
import { nextHops, pathFrom, techniqueName, type AttackPath } from '../../graph/index.js';
import { contextLine, withPathContext, type PathWithContext } from '../../graph/index.js';
import { escalationCalls, evidenceTimes, type EscalationCall, type EscalationCalls } from '../../graph/index.js';

/**
 * A principal that is not admin-equivalent but can reach admin through one or more edges of the
 * privilege graph (every technique checked by the evaluator, so boundaries, SCPs and denies
 * apply), with the shortest path and the CloudTrail status of each step; and a principal whose
 * escalation calls CloudTrail shows (succeeded: it escalated, even if it is admin now; denied:
 * it tried) though no path is configured now.
 */
export const privilegeEscalation: Rule = {
  id: 'privilege-escalation',
  title: 'Principal can escalate to administrator',
  needs: ['escalationEvents'],
  severity: 'high',
  description:
    'The principal is not admin-equivalent, but the permissions it has (after permission boundaries, SCPs and explicit denies) let it become admin-equivalent: by changing its own policies, acting as another user or role, or handing an administrator role to a service it controls. Status from CloudTrail: possible (configuration only), attempted (the enabling calls were denied), exercised (they succeeded, or the target acted for it).',
  remediation:
    'Remove the permission used by the first step (often iam:PassRole on "*", iam:Put*/Attach*Policy, iam:CreatePolicyVersion, iam:CreateAccessKey on other users, or an sts:AssumeRole trust), or cap the principal with a permissions boundary. For an exercised path, treat the principal as compromised until the calls are explained.',
  references: [
    'https://pathfinding.cloud',
    'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
  ],
  evaluate(ctx) {
    const graph = graphFor(ctx);
    if (!graph) return [];
    const next = nextHops(graph, graph.adminTargets());
    const findings: Finding[] = [];
    // the sampled calls' times by eventID, built once for all paths
    let callTimes: ReadonlyMap<string, string> | undefined;
    for (const id of ctx.identities) {
      if (!id.iam || id.serviceLinked) continue;
      const node = graph.node(id.summary.arn);
      if (!node) continue;
      const snapshot = ctx.snapshots.find((s) => s.accountId === node.accountId);
      const path = node.isAdmin ? null : pathFrom(graph, next, node.id);
      const found: EscalationCalls = path && path.status !== 'possible' ? { calls: [], succeeded: 0, denied: 0 } : escalationCalls(graph, snapshot, id.iam);
      const succeeded = found.calls.filter((c) => c.succeeded);
      const denied = found.calls.filter((c) => !c.succeeded);
      if (path && !(path.status === 'possible' && succeeded.length > 0)) {
        callTimes ??= evidenceTimes(ctx.escalationEvidence ?? []);
        const [withContext] = withPathContext([path], ctx.riskDetections ?? [], callTimes);
        findings.push(pathFinding(withContext!, id.summary.name, id.summary.accountId, denied));
      } else if (succeeded.length > 0 || (denied.length > 0 && !node.isAdmin)) {
        findings.push(callsFinding(id.summary.arn, id.summary.name, id.summary.accountId, node.isAdmin, path, found, succeeded, denied));
      }
    }
    // Paths whose entry point showed risk first (exercised right after it before risk alone).
    const rank = (f: Finding) => (f.details.context ? ((f.details.context as { exercisedAfterRisk: boolean }).exercisedAfterRisk ? 2 : 1) : 0);
    return findings.map((f, i) => ({ f, i })).sort((a, b) => rank(b.f) - rank(a.f) || a.i - b.i).map((x) => x.f);
  },
};

function severityOf(p: AttackPath): Severity {
  if (p.status === 'exercised') return 'critical';
  if (p.status === 'attempted') return 'high';
  return p.conditional || p.confidence === 'potential' ? 'medium' : 'high';
}

function pathFinding(p: PathWithContext, name: string, accountId: string, denied: EscalationCall[]): Finding {
  const hops = p.steps.length;
  const techniques = p.steps.map((s) => s.technique).join(' → ');
  const target = p.to === 'admin' ? 'admin-equivalent permissions' : p.to;
  return makeFinding(privilegeEscalation, {
    accountId,
    resource: p.from,
    severity: severityOf(p),
    title: `${name} can escalate to administrator in ${hops} step${hops === 1 ? '' : 's'} (${p.status})`,
    description:
      `${name} can reach ${target} through ${techniques}` +
      (p.crossAccount ? ` across accounts ${p.accounts.join(', ')}` : '') +
      `. Status: ${p.status}` +
      (p.status === 'exercised' ? ': CloudTrail shows every step performed.' : p.status === 'attempted' ? ': CloudTrail shows some enabling calls (denied or partial).' : ': configuration allows it; no enabling call seen in the window.') +
      (p.conditional ? ' Some step depends on a condition that cannot be decided statically.' : '') +
      (p.confidence === 'potential' ? ' Some step acts through a resource (function, instance, stack...) not seen in CloudTrail.' : '') +
      (p.context ? ` The entry point showed risk in the window (${contextLine(p.context)}).` : ''),
    details: {
      status: p.status,
      possible: true,
      target: p.to,
      hops,
      conditional: p.conditional,
      confidence: p.confidence,
      crossAccount: p.crossAccount,
      accounts: p.accounts,
      steps: p.steps,
      ...(denied.length ? { deniedCalls: denied } : {}),
      ...(p.context ? { context: p.context } : {}),
    },
    evidence: [...(p.context?.risk.map((r) => r.eventId) ?? []), ...p.steps.flatMap((s) => [...s.succeededEventIds, ...s.failedEventIds]), ...denied.map((c) => c.eventId)].slice(0, 50),
  });
}

function callsFinding(
  arn: string,
  name: string,
  accountId: string,
  isAdmin: boolean,
  path: AttackPath | null,
  counts: EscalationCalls,
  succeeded: EscalationCall[],
  denied: EscalationCall[],
): Finding {
  const status = succeeded.length > 0 ? 'exercised' : 'attempted';
  const calls = [...succeeded, ...denied].sort((a, b) => (a.eventTime < b.eventTime ? -1 : 1));
  const techniques = [...new Set(calls.map((c) => c.technique))];
  return makeFinding(privilegeEscalation, {
    accountId,
    resource: arn,
    severity: status === 'exercised' ? 'critical' : 'high',
    title: `${name} ${status === 'exercised' ? 'escalated its privileges' : 'tried to escalate its privileges'} (${status})`,
    description:
      `CloudTrail shows ${name} calling ${techniques.map((t) => `${t} (${techniqueName(t)})`).join(', ')} on itself or an administrator: ` +
      `${counts.succeeded} succeeded, ${counts.denied} denied. ` +
      (isAdmin ? 'It is admin-equivalent now.' : path ? 'Configuration still allows a path to admin.' : 'No path to admin is configured now.'),
    details: {
      status,
      possible: !!path || isAdmin,
      isAdminNow: isAdmin,
      techniques,
      calls,
      ...(path ? { steps: path.steps, target: path.to, hops: path.steps.length } : {}),
    },
    evidence: calls.map((c) => c.eventId).slice(0, 50),
  });
}
