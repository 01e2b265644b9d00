import { makeFinding } from '../finding.js';
import type { Finding, Rule, RuleContext } from '../types.js';
import type { EffectivePermissions } from '../../iam/index.js';
import { TECHNIQUES } from '../../graph/index.js';

/** At most this many added actions are listed in a finding (an identity made admin gains thousands). */
const MAX_LISTED_ACTIONS = 100;

/**
 * An identity whose effective permissions grew after its snapshot, through IAM changes recorded
 * in CloudTrail (replayed by src/iam/replay): who changed what, and what it may do now that it
 * could not before. High when it became admin-equivalent or gained what a privilege-escalation
 * technique needs.
 */
export const identityPermissionsChanged: Rule = {
  id: 'identity-permissions-changed',
  title: 'Identity gained permissions after its IAM snapshot',
  severity: 'medium',
  description:
    'IAM changes recorded in CloudTrail after the latest IAM snapshot (policies attached or written, group membership, boundaries removed, new policy versions) gave the identity actions it did not have in the snapshot. Unreviewed grants are how persistence and privilege escalation start.',
  remediation:
    'Confirm the change with the person who made it (the actor) and its change ticket. If it was not intended, revert it (detach or delete the policy, restore the previous version or boundary) and review what the identity did since.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html',
    'https://attack.mitre.org/techniques/T1098/',
  ],
  needs: [],
  evaluate(ctx) {
    const findings: Finding[] = [];
    if (!ctx.configurations || !ctx.snapshotEvaluator) return findings;
    for (const id of ctx.identities) {
      const configuration = ctx.configurations.get(id.summary.arn);
      if (!configuration || !id.permissions || id.serviceLinked) continue;
      const before = snapshotPermissions(ctx, id.summary.arn);
      const added = [...id.permissions.granted.keys()].filter((a) => !before?.granted.has(a)).sort();
      const becameAdmin = id.permissions.isAdmin && !before?.isAdmin;
      if (added.length === 0 && !becameAdmin) continue;
      const enabled = enabledTechniques(id.permissions, new Set(added.map((a) => a.toLowerCase())));
      const actors = [...new Set(configuration.changes.map((c) => c.actor).filter((a): a is string => a !== null))];
      const s = id.summary;
      findings.push(
        makeFinding(identityPermissionsChanged, {
          accountId: s.accountId,
          resource: s.arn,
          severity: becameAdmin || enabled.length > 0 ? 'high' : 'medium',
          title:
            `${s.name} gained ${becameAdmin ? 'administrator access' : `${added.length} action(s)`} after its IAM snapshot` +
            (actors.length ? ` (changed by ${actors.join(', ')})` : ''),
          description:
            `IAM changes recorded after the snapshot (${configuration.changes.map((c) => `${c.eventName} at ${c.eventTime}`).join(', ')}) gave ${s.name} ` +
            `${added.length} action(s) it did not have in the snapshot` +
            (becameAdmin ? ', making it admin-equivalent' : '') +
            (enabled.length ? `; it can now use privilege-escalation technique(s) ${enabled.join(', ')}` : '') +
            '.' +
            (configuration.uncertain ? ' Some changes could not be applied exactly, so the result is uncertain.' : ''),
          details: {
            events: configuration.changes,
            actors,
            addedActions: added.slice(0, MAX_LISTED_ACTIONS),
            addedActionCount: added.length,
            becameAdmin,
            escalationTechniques: enabled,
            uncertain: configuration.uncertain,
            uncertainty: configuration.uncertainty,
          },
          evidence: configuration.changes.map((c) => c.eventID),
        }),
      );
    }
    return findings;
  },
};

/** The identity's permissions in the snapshot; null when it was not there (created since). */
function snapshotPermissions(ctx: RuleContext, arn: string): EffectivePermissions | null {
  try {
    return ctx.snapshotEvaluator?.effective(arn) ?? null;
  } catch {
    return null;
  }
}

/** Escalation techniques all of whose required actions are granted now, one of them newly. */
function enabledTechniques(now: EffectivePermissions, added: ReadonlySet<string>): string[] {
  const granted = new Set([...now.granted.keys()].map((a) => a.toLowerCase()));
  const has = (a: string) => now.isAdmin || granted.has(a.toLowerCase());
  return TECHNIQUES.filter((t) => {
    const needed = t.actions.filter(has);
    const complete = t.anyOf ? needed.length > 0 : needed.length === t.actions.length;
    return complete && needed.some((a) => added.has(a.toLowerCase()));
  }).map((t) => t.id);
}
