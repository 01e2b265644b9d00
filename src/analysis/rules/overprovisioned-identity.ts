import { makeFinding } from '../finding.js';
import { suggestedPolicyFor } from './suggested-policy.js';
import { servicePrefix, type GrantedClassification } from '../usage.js';
import { activityKnown, type Finding, type Rule } from '../types.js';

/**
 * An active identity that uses a small part of what it is granted. The ratio is taken over
 * the actions CloudTrail could show (granted minus unknown), so data events the trail does
 * not record and iam:PassRole never count as unused. Administrators are reported by
 * super-identity instead (their unused list would be the whole AWS catalogue).
 */
export const overprovisionedIdentity: Rule = {
  id: 'overprovisioned-identity',
  title: 'Overprovisioned identity should have only the permissions it uses',
  severity: 'medium',
  description:
    'The identity is active but uses a small part of the actions it is granted. Unused grants, especially for workloads with a defined job, widen the blast radius of a compromised key, session or workload.',
  remediation:
    'Replace the identity\'s policies with the suggested least-privilege policy (details.suggestedPolicy, or `trailscope policy suggest <arn>`), after checking seasonal jobs the window may not cover.',
  references: [
    'https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-identity-access',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
  ],
  needs: [],
  evaluate(ctx) {
    const { maxUsedRatio, minUnused } = ctx.options.overprovisioned;
    const findings: Finding[] = [];
    for (const id of ctx.identities) {
      const s = id.summary;
      const c = id.classification;
      if (!id.iam || !c || !id.permissions || id.serviceLinked || id.createdInWindow) continue;
      // Unused = not seen in CloudTrail: meaningless where CloudTrail was not watching.
      if (!activityKnown(ctx, s.accountId)) continue;
      if (id.permissions.isAdmin) continue;
      if (!id.usage?.lastSuccess) continue; // inactive: inactive-identity's case
      const observable = c.usedCount + c.unusedCount;
      if (observable === 0 || c.unusedCount < minUnused) continue;
      const ratio = c.usedCount / observable;
      if (ratio >= maxUsedRatio) continue;

      const { unusedByService, unusedServices, complete } = groupUnused(c);
      const unknownServices = c.unknownByService();
      const policy = suggestedPolicyFor(ctx, id);
      const pct = (ratio * 100).toFixed(1);
      findings.push(
        makeFinding(overprovisionedIdentity, {
          accountId: s.accountId,
          resource: s.arn,
          title: `Overprovisioned ${s.type} ${s.name} uses ${c.usedCount} of ${observable} observable granted actions`,
          description:
            `${s.type === 'user' ? 'IAM user' : 'IAM role'} ${s.name} used ${c.usedCount} of the ${observable} granted actions CloudTrail can show (${pct}%) in the ${ctx.windowDays} days before ${ctx.asOf}; ` +
            `${c.unusedCount} were never used, ${Object.keys(unusedServices).length} service(s) not at all` +
            (c.unknownCount > 0 ? `, and ${c.unknownCount} more cannot be judged from CloudTrail (data events, iam:PassRole).` : '.'),
          details: {
            windowDays: ctx.windowDays,
            asOf: ctx.asOf,
            usedRatio: Number(ratio.toFixed(4)),
            threshold: { maxUsedRatio, minUnused },
            grantedActionCount: s.grantedActionCount,
            usedActionCount: c.usedCount,
            unusedActionCount: c.unusedCount,
            unknownActionCount: c.unknownCount,
            usedActions: c.used,
            unusedByService,
            unusedListComplete: complete,
            unusedServices,
            unknownServices,
            suggestedPolicy: policy.document,
            suggestedPolicyNotes: policy.notes,
          },
          evidence: [...id.usage.actions.values()].flatMap((a) => a.success?.eventIds.slice(0, 1) ?? []).slice(0, 20),
        }),
      );
    }
    return findings;
  },
};

/** Unused actions listed in full up to this many; above it, wholly unused services are only counted. */
export const MAX_LISTED_UNUSED = 1000;

/**
 * Unused actions grouped by service. `unusedServices` counts the services the identity did not
 * use at all (remove them whole). `unusedByService` lists the actions: all of them when there
 * are at most MAX_LISTED_UNUSED, otherwise those of the services it did use (the precise part).
 */
export function groupUnused(c: GrantedClassification): {
  unusedByService: Record<string, string[]>;
  unusedServices: Record<string, number>;
  complete: boolean;
} {
  const usedServices = new Set(c.used.map(servicePrefix));
  const complete = c.unusedCount <= MAX_LISTED_UNUSED;
  const { counts, actions } = c.unusedByService((svc) => complete || usedServices.has(svc));
  const unusedServices: Record<string, number> = {};
  for (const [svc, n] of Object.entries(counts)) if (!usedServices.has(svc)) unusedServices[svc] = n;
  return { unusedByService: actions, unusedServices, complete };
}
