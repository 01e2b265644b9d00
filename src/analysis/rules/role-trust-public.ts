import { makeFinding } from '../finding.js';
import type { Finding, Rule } from '../types.js';
import { narrowsToOrgOrAccount, trustGrants } from '../../graph/index.js';
import { isServiceLinked } from '../../graph/index.js';
import { graphFor } from '../graph.js';

/**
 * A role whose trust policy admits "*" (Principal "*" or {"AWS": "*"}) for sts:AssumeRole
 * without a condition tying it to the organization, an account or a named principal/resource
 * (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn...).
 */
export const roleTrustPublic: Rule = {
  id: 'role-trust-public',
  title: 'Role assumable by any AWS principal',
  needs: [],
  severity: 'high',
  description:
    'The role trusts "*": any principal of any AWS account whose own policies allow sts:AssumeRole can obtain its credentials. No condition limits the trust to your organization or accounts.',
  remediation:
    'Name the trusted accounts or principals in the trust policy, or add a condition such as "StringEquals": {"aws:PrincipalOrgID": "o-..."} (or aws:PrincipalAccount). Delete the role if it is unused.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html',
  ],
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const s of ctx.snapshots) {
      for (const role of s.roles) {
        if (isServiceLinked(role)) continue;
        const open = trustGrants(role).filter((g) => g.kind === 'public' && g.actions.some((a) => /^(sts:AssumeRole|sts:\*|\*)$/i.test(a)) && !narrowsToOrgOrAccount(g));
        if (open.length === 0) continue;
        const isAdmin = graphFor(ctx)?.node(role.arn)?.isAdmin ?? false;
        findings.push(
          makeFinding(roleTrustPublic, {
            accountId: s.accountId,
            resource: role.arn,
            severity: isAdmin ? 'critical' : 'high',
            title: `Role ${role.name} can be assumed by any AWS principal${isAdmin ? ' and is admin-equivalent' : ''}`,
            description:
              `The trust policy of ${role.name} admits "*" in statement(s) ${open.map((g) => g.statementIndex).join(', ')}` +
              (open.some((g) => g.condition) ? ', with conditions that do not restrict the caller to an organization or account.' : ' with no condition.'),
            details: {
              principal: '*',
              conditions: open.some((g) => !!g.condition),
              conditionKeys: [...new Set(open.flatMap((g) => g.conditionKeys))],
              statements: open.map((g) => g.statementIndex),
              isAdmin,
            },
          }),
        );
      }
    }
    return findings;
  },
};
