import { makeFinding } from '../finding.js';
import type { Finding, Rule } from '../types.js';
import { isWebIdentity, oidcScope, trustGrants } from '../../graph/index.js';
import { isServiceLinked } from '../../graph/index.js';
import { graphFor } from '../graph.js';

/**
 * A web-identity role (OIDC provider: GitHub Actions, GitLab, Terraform Cloud, EKS...) whose trust
 * checks the token's audience (or nothing) but not its subject: any repository, pipeline or
 * workload that can get a token from the provider can assume it.
 */
export const roleTrustOidcUnscoped: Rule = {
  id: 'role-trust-oidc-unscoped',
  title: 'Web-identity role without a subject condition',
  needs: [],
  severity: 'high',
  description:
    'The role trusts an OIDC identity provider for sts:AssumeRoleWithWebIdentity but does not pin the token subject (":sub"). For shared providers such as token.actions.githubusercontent.com, anyone able to run a workflow anywhere on the provider can assume the role.',
  remediation:
    'Add a condition on the subject claim, e.g. "StringLike": {"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:ref:refs/heads/main"}, next to the audience check.',
  references: [
    'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html',
  ],
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const s of ctx.snapshots) {
      for (const role of s.roles) {
        if (isServiceLinked(role)) continue;
        for (const g of trustGrants(role)) {
          if (!isWebIdentity(g)) continue;
          const scope = oidcScope(g);
          if (!scope || scope.hasSubject) continue;
          const isAdmin = graphFor(ctx)?.node(role.arn)?.isAdmin ?? false;
          findings.push(
            makeFinding(roleTrustOidcUnscoped, {
              accountId: s.accountId,
              resource: role.arn,
              subject: scope.provider,
              severity: isAdmin ? 'critical' : 'high',
              title: `Role ${role.name} trusts ${scope.host} without a subject condition`,
              description:
                `${role.name} can be assumed with any token from ${scope.host}` +
                (scope.checks.length ? `; the trust only checks ${scope.checks.join(', ')}.` : '; the trust checks no claim at all.'),
              details: { provider: scope.provider, host: scope.host, checks: scope.checks, audienceChecked: scope.hasAudience, isAdmin },
            }),
          );
        }
      }
    }
    return findings;
  },
};
