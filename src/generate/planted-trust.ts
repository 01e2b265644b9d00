/** Planted cases, categories role-trust and cross-account: who may assume which role. */
import { USER_AGENTS } from './builder.js';
import { allow, AWS_POLICY, doc, trust } from './iam-model.js';
import type { PlantKit } from './planted-kit.js';

export function plantTrustCases(k: PlantKit): void {
  const { b, rng, A, B, externalAccountId, before, spread } = k;
  // --- Role trusts ----------------------------------------------------------------------------
  const publicRole = b.role(A, { name: 'partner-readonly', createdMs: before(500), trust: trust({ AWS: '*' }), managed: [AWS_POLICY.ReadOnlyAccess] });
  b.expect({
    id: 'trust-public',
    category: 'role-trust',
    accountId: A.id,
    arn: publicRole.Arn,
    expect: { trust: 'public', principal: '*', conditions: false },
    description: 'Trusts "*" with no condition: anyone in any AWS account can assume it.',
  });
  b.expect({
    id: 'public-role-inactive',
    category: 'inactive',
    accountId: A.id,
    arn: publicRole.Arn,
    expect: { status: 'inactive' },
    description: 'The public role has never been used.',
  });

  const vendor = b.role(A, { name: 'vendor-integration', createdMs: before(350), trust: trust({ AWS: `arn:aws:iam::${externalAccountId}:root` }), managed: [AWS_POLICY.AmazonS3ReadOnlyAccess] });
  const vendorActor = b.actor(A, vendor, { style: 'assumed', calls: [], sessionNames: ['vendor-sync'], userAgents: USER_AGENTS.java, ips: ['203.0.113.45'] });
  for (const t of spread(6)) b.emit(vendorActor, rng.pick(['s3:ListBuckets', 's3:GetObject']), t);
  b.expect({
    id: 'trust-external-without-external-id',
    category: 'role-trust',
    accountId: A.id,
    arn: vendor.Arn,
    expect: { trust: 'external-account-without-external-id', trustedAccount: externalAccountId },
    description: 'Trusts a third-party account without an sts:ExternalId condition (confused deputy).',
  });
  const monitoring = b.role(A, {
    name: 'vendor-monitoring',
    createdMs: before(350),
    trust: trust({ AWS: `arn:aws:iam::${externalAccountId}:root` }, 'sts:AssumeRole', { StringEquals: { 'sts:ExternalId': rng.hex(24) } }),
    managed: [AWS_POLICY.ViewOnlyAccess],
  });
  const monitoringActor = b.actor(A, monitoring, { style: 'assumed', calls: [], sessionNames: ['monitoring'], userAgents: USER_AGENTS.go, ips: ['203.0.113.46'] });
  for (const t of spread(6)) b.emit(monitoringActor, 'monitoring:DescribeAlarms', t);
  b.expect({
    id: 'trust-external-with-external-id',
    category: 'role-trust',
    accountId: A.id,
    arn: monitoring.Arn,
    expect: { trust: 'ok' },
    description: 'Control: the same vendor account, but with an sts:ExternalId condition.',
  });

  const oidc = `arn:aws:iam::${A.id}:oidc-provider/token.actions.githubusercontent.com`;
  const gh = b.role(A, {
    name: 'github-actions-deploy',
    createdMs: before(250),
    trust: trust({ Federated: oidc }, 'sts:AssumeRoleWithWebIdentity', { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }),
    inline: [{ PolicyName: 'deploy', PolicyDocument: doc(allow(['s3:PutObject', 'lambda:UpdateFunctionCode'])) }],
  });
  const subject = 'repo:acme-corp/storefront:ref:refs/heads/main';
  const ghUser = b.actor(A, { service: 'github' }, { style: 'web-identity-user', calls: [], sessionNames: [subject], userAgents: USER_AGENTS.github });
  const ghActor = b.actor(A, gh, { style: 'web-identity', calls: [], sessionNames: ['GitHubActions'], userAgents: USER_AGENTS.github, ips: ['20.51.47.12', '52.238.24.9'] });
  for (const t of spread(8)) {
    b.emit(ghUser, 'sts:AssumeRoleWithWebIdentity', t, { args: { roleArn: gh.Arn, roleSessionName: 'GitHubActions', subject, sessionName: subject } });
    b.emit(ghActor, 's3:PutObject', t + 15_000);
  }
  b.expect({
    id: 'trust-oidc-without-sub',
    category: 'role-trust',
    accountId: A.id,
    arn: gh.Arn,
    expect: { trust: 'oidc-without-subject-condition', provider: oidc, checks: ['token.actions.githubusercontent.com:aud'] },
    description: 'GitHub Actions OIDC role that checks the audience but not the subject: any repository on GitHub can assume it.',
  });
  const ghScoped = b.role(A, {
    name: 'github-actions-scoped',
    createdMs: before(200),
    trust: trust({ Federated: oidc }, 'sts:AssumeRoleWithWebIdentity', {
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme-corp/payments:ref:refs/heads/main' },
    }),
    inline: [{ PolicyName: 'deploy', PolicyDocument: doc(allow('s3:PutObject', `arn:aws:s3:::${A.res.buckets[1]}/*`)) }],
  });
  b.expect({
    id: 'trust-oidc-with-sub',
    category: 'role-trust',
    accountId: A.id,
    arn: ghScoped.Arn,
    expect: { trust: 'ok' },
    description: 'Control: the same provider, with a sub condition pinning one repository and branch.',
  });

  // --- Cross-account -----------------------------------------------------------------------------
  if (B) {
    const targetName = 'platform-admin-cross';
    const targetArn = `arn:aws:iam::${B.id}:role/${targetName}`;
    const carlos = b.user(A, {
      name: 'carlos.ops',
      createdMs: before(400),
      inline: [{ PolicyName: 'assume-prod-admin', PolicyDocument: doc(allow('sts:AssumeRole', targetArn)) }],
      keys: [{ active: true, createdMs: before(390) }],
    });
    const target = b.role(B, { name: targetName, createdMs: before(410), trust: trust({ AWS: `arn:aws:iam::${A.id}:root` }), managed: [AWS_POLICY.AdministratorAccess] });
    const carlosActor = b.actor(A, carlos, { style: 'user-cli', calls: [] });
    const targetActor = b.actor(B, target, { style: 'assumed', calls: [], sessionNames: ['carlos.ops'] });
    const assumeIds: string[] = [];
    for (const t of spread(5)) {
      const shared = rng.uuid();
      const args = { roleArn: target.Arn, roleSessionName: 'carlos.ops' };
      assumeIds.push(b.emit(carlosActor, 'sts:AssumeRole', t, { args, sharedEventID: shared }));
      // The role's account logs its own copy, seeing only the calling account.
      b.emit(carlosActor, 'sts:AssumeRole', t, { args, sharedEventID: shared, recipientAccountId: B.id, identityOverride: { type: 'AWSAccount', principalId: carlos.UserId, accountId: A.id } });
      b.emit(targetActor, 'iam:ListRoles', t + 30_000);
      b.emit(targetActor, 'ec2:DescribeInstances', t + 60_000);
    }
    b.expect({
      id: 'cross-account-admin-path',
      category: 'cross-account',
      accountId: A.id,
      arn: carlos.Arn,
      expect: { canAssume: target.Arn, targetAccountId: B.id, targetGrants: AWS_POLICY.AdministratorAccess, exercised: true, eventIDs: assumeIds },
      description: `A user in ${A.name} may assume an administrator role in ${B.name} (trusts ${A.id}:root), and does.`,
    });
  }
}
