import { makeFinding } from '../finding.js';
import type { Finding, Rule } from '../types.js';
import { hasExternalId, trustGrants } from '../../graph/index.js';
import { isServiceLinked } from '../../graph/index.js';
import { graphFor } from '../graph.js';

/**
 * A role that trusts an AWS account (or a principal of one) outside the imported accounts and
 * the organization, without an sts:ExternalId condition: the third party can be tricked into
 * using it on someone else's behalf (confused deputy).
 */
export const roleTrustExternalWithoutExternalId: Rule = {
  id: 'role-trust-external-without-externalid',
  title: 'Role trusts an external account without an external ID',
  needs: [],
  severity: 'medium',
  description:
    'The role trusts an AWS account outside your organization and imported accounts, and its trust policy has no sts:ExternalId condition. A vendor serving many customers can be made to assume it for another customer (the confused-deputy problem).',
  remediation:
    'Add "Condition": {"StringEquals": {"sts:ExternalId": "<unique value agreed with the third party>"}} to the trust statement, or remove the trust if the third party no longer needs access.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html',
  ],
  evaluate(ctx) {
    const known = new Set([...ctx.snapshots.map((s) => s.accountId), ...(ctx.organizationAccountIds ?? [])]);
    const findings: Finding[] = [];
    for (const s of ctx.snapshots) {
      for (const role of s.roles) {
        if (isServiceLinked(role)) continue;
        const grants = trustGrants(role).filter(
          (g) => (g.kind === 'account' || g.kind === 'principal') && g.accountId !== null && !known.has(g.accountId) && g.actions.some((a) => /^(sts:AssumeRole|sts:\*|\*)$/i.test(a)) && !hasExternalId(g),
        );
        const accounts = [...new Set(grants.map((g) => g.accountId!))].sort();
        for (const account of accounts) {
          const principals = [...new Set(grants.filter((g) => g.accountId === account).map((g) => (g.kind === 'account' ? `arn:aws:iam::${account}:root` : g.value)))];
          const isAdmin = graphFor(ctx)?.node(role.arn)?.isAdmin ?? false;
          findings.push(
            makeFinding(roleTrustExternalWithoutExternalId, {
              accountId: s.accountId,
              resource: role.arn,
              subject: account,
              severity: isAdmin ? 'high' : 'medium',
              title: `Role ${role.name} trusts external account ${account} without an external ID`,
              description: `${role.name} can be assumed from account ${account} (${principals.join(', ')}), which is neither imported nor in the organization, and no sts:ExternalId condition is required.`,
              details: { trustedAccount: account, trustedPrincipals: principals, isAdmin },
            }),
          );
        }
      }
    }
    return findings;
  },
};
