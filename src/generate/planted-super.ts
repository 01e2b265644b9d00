/** Planted cases, category super: identities with full administrative power, and two that only look like it (boundary, explicit deny). */
import { USER_AGENTS } from './builder.js';
import { allow, AWS_POLICY, deny, doc, trust } from './iam-model.js';
import type { Actor } from './model.js';
import type { PlantKit } from './planted-kit.js';

export function plantSuperCases(k: PlantKit): Actor {
  const { b, rng, A, homeIp, before, spread } = k;
  // --- Super identities -------------------------------------------------------------------------
  const opsAdmin = b.user(A, {
    name: 'ops-admin',
    createdMs: before(800),
    managed: [AWS_POLICY.AdministratorAccess],
    password: { enabled: true, lastChangedMs: before(300) },
    mfa: true,
  });
  const opsAdminActor = b.actor(A, opsAdmin, { style: 'user-console', calls: [], userAgents: USER_AGENTS.console, ips: [homeIp], mfa: true });
  for (const t of spread(6)) {
    b.emit(opsAdminActor, 'signin:ConsoleLogin', t);
    b.emit(opsAdminActor, 'iam:ListUsers', t + 40_000);
    b.emit(opsAdminActor, 'cloudtrail:DescribeTrails', t + 95_000);
  }
  b.expect({
    id: 'super-user-direct',
    category: 'super',
    accountId: A.id,
    arn: opsAdmin.Arn,
    expect: { super: true, via: AWS_POLICY.AdministratorAccess, attachedTo: 'user' },
    description: 'User with AdministratorAccess attached directly, no boundary, no deny; the management account is not restricted by SCPs.',
  });

  b.group(A, 'Admins', [AWS_POLICY.AdministratorAccess], [], before(900));
  const samAdmin = b.user(A, { name: 'sam.admin', createdMs: before(700), groups: ['Admins'], keys: [{ active: true, createdMs: before(650) }] });
  const samActor = b.actor(A, samAdmin, { style: 'user-cli', calls: [], userAgents: USER_AGENTS.terraform });
  for (const t of spread(5)) b.emit(samActor, 'iam:GetRole', t, { args: { roleName: 'OrganizationAccountAccessRole' } });
  b.expect({
    id: 'super-user-via-group',
    category: 'super',
    accountId: A.id,
    arn: samAdmin.Arn,
    expect: { super: true, via: AWS_POLICY.AdministratorAccess, attachedTo: 'group:Admins' },
    description: 'User whose only grant is membership of the Admins group, which has AdministratorAccess.',
  });

  const starRole = b.role(A, {
    name: 'legacy-automation',
    createdMs: before(1200),
    trust: trust({ AWS: `arn:aws:iam::${A.id}:root` }),
    inline: [{ PolicyName: 'everything', PolicyDocument: doc(allow('*', '*')) }],
    description: 'Old automation role, predates Identity Center',
  });
  const starActor = b.actor(A, starRole, { style: 'assumed', calls: [], sessionNames: ['jenkins-nightly'], userAgents: USER_AGENTS.python });
  for (const t of spread(4)) b.emit(starActor, 'ec2:DescribeInstances', t);
  b.expect({
    id: 'super-role-inline-star',
    category: 'super',
    accountId: A.id,
    arn: starRole.Arn,
    expect: { super: true, via: 'inline policy "everything": Action * on Resource *' },
    description: 'Role with an inline policy allowing every action on every resource.',
  });

  // --- Not super: boundary, explicit deny ------------------------------------------------------
  const boundaryActions = ['s3:*', 'dynamodb:*', 'lambda:*', 'logs:*', 'cloudwatch:*', 'ec2:Describe*'];
  const boundaryArn = b.policy(A, 'DeveloperBoundary', [doc({ Sid: 'DeveloperScope', ...allow(boundaryActions) })], before(600), { description: 'Permissions boundary for delegated admins' });
  const devLead = b.user(A, { name: 'dev-lead', createdMs: before(500), managed: [AWS_POLICY.AdministratorAccess], boundary: boundaryArn, keys: [{ active: true, createdMs: before(490) }] });
  const devLeadActor = b.actor(A, devLead, { style: 'user-cli', calls: [] });
  for (const t of spread(8)) b.emit(devLeadActor, rng.pick(['lambda:ListFunctions20150331', 'dynamodb:ListTables', 's3:ListBuckets']), t);
  b.expect({
    id: 'boundary-limits-admin',
    category: 'super',
    accountId: A.id,
    arn: devLead.Arn,
    expect: { super: false, reason: 'permissions-boundary', boundary: boundaryArn, boundaryAllows: boundaryActions },
    description: 'AdministratorAccess attached, but a permissions boundary caps the user at a few services.',
  });

  const deniedActions = ['iam:*', 'organizations:*', 'account:*'];
  const contractor = b.user(A, {
    name: 'contractor-admin',
    createdMs: before(300),
    managed: [AWS_POLICY.AdministratorAccess],
    inline: [{ PolicyName: 'DenyIdentityAdministration', PolicyDocument: doc({ Sid: 'NoIdentityChanges', ...deny(deniedActions) }) }],
    password: { enabled: true, lastChangedMs: before(290) },
    mfa: true,
  });
  const contractorActor = b.actor(A, contractor, { style: 'user-console', calls: [], userAgents: USER_AGENTS.console, mfa: true });
  for (const t of spread(5)) {
    b.emit(contractorActor, 'signin:ConsoleLogin', t);
    b.emit(contractorActor, 'ec2:DescribeInstances', t + 30_000);
  }
  b.expect({
    id: 'explicit-deny-limits-admin',
    category: 'super',
    accountId: A.id,
    arn: contractor.Arn,
    expect: { super: false, reason: 'explicit-deny', deniedActions },
    description: 'AdministratorAccess attached, but an inline Deny removes IAM, Organizations and Account actions.',
  });
  return opsAdminActor;
}
