/**
 * Planted cases with known answers. Each case creates its identity, its grants and its events
 * through OrgBuilder and states its expectation from the same values, so expected.json cannot
 * drift from what was generated.
 */
import { DAY_MS, USER_AGENTS } from './builder.js';
import type { OrgBuilder } from './builder.js';
import type { AccountInfo } from './model.js';
import { AWS_POLICY, allow, deny, doc, trust } from './iam-model.js';
import { actionsOf } from './catalog.js';
import type { CallError } from './records.js';

/** No successful activity for this long means inactive. */
export const INACTIVITY_DAYS = 90;

export interface PlantContext {
  accounts: AccountInfo[];
  externalAccountId: string;
  startMs: number;
  endMs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function accessDenied(principalArn: string, action: string, resource: string): CallError {
  return {
    code: 'AccessDenied',
    message: `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  };
}

export function plantCases(b: OrgBuilder, ctx: PlantContext): void {
  const { accounts, externalAccountId, startMs, endMs } = ctx;
  const A = accounts[0]!;
  const B = accounts[1];
  const rng = b.rng;
  const before = (days: number): number => endMs - days * DAY_MS - rng.int(0, 40_000) * 1000;
  /** n times over the generated window (skipping its first and last hours). */
  const spread = (n: number): number[] => b.times(n, startMs + 3_600_000, endMs - 3_600_000);
  const homeIp = b.publicIp();
  const span = endMs - startMs;

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

  // --- Inactivity ------------------------------------------------------------------------------
  const olgaKeyUsed = before(150);
  const olgaPasswordUsed = before(200);
  const olga = b.user(A, {
    name: 'olga.departed',
    createdMs: before(700),
    groups: ['Developers'],
    keys: [{ active: true, createdMs: before(650) }],
    password: { enabled: true, lastChangedMs: before(600) },
  });
  const olgaCreds = b.credentials(A, olga.Arn);
  olgaCreds.password.lastUsedMs = olgaPasswordUsed;
  Object.assign(olgaCreds.keys[0]!, { lastUsedMs: olgaKeyUsed, region: 'us-east-1', service: 's3' });
  b.expect({
    id: 'inactive-user',
    category: 'inactive',
    accountId: A.id,
    arn: olga.Arn,
    expect: { status: 'inactive', lastUsed: iso(Math.max(olgaKeyUsed, olgaPasswordUsed)), createdAt: iso(olga.CreateDate) },
    description: `No activity in the trail; the credential report last shows use ${Math.round((endMs - Math.max(olgaKeyUsed, olgaPasswordUsed)) / DAY_MS)} days before the end; created long ago.`,
  });

  const ninaCreated = Math.max(startMs + 3_600_000, before(12));
  const nina = b.user(A, { name: 'nina.newhire', createdMs: ninaCreated, groups: ['ReadOnly'], password: { enabled: true, lastChangedMs: ninaCreated } });
  b.emit(opsAdminActor, 'iam:CreateUser', ninaCreated, { args: { userName: nina.UserName, userId: nina.UserId } });
  b.expect({
    id: 'new-user-not-judged',
    category: 'inactive',
    accountId: A.id,
    arn: nina.Arn,
    expect: { status: 'not-judged', reason: `created less than ${INACTIVITY_DAYS} days before the end`, createdAt: iso(ninaCreated) },
    description: 'Created inside the window (CreateUser is in the trail) and not used yet: too new to be inactive.',
  });

  const support = b.role(A, {
    name: 'AWSServiceRoleForSupport',
    path: '/aws-service-role/support.amazonaws.com/',
    createdMs: before(900),
    trust: trust({ Service: 'support.amazonaws.com' }),
    managed: [AWS_POLICY.AWSSupportServiceRolePolicy],
    description: 'Enables resource access for AWS to provide billing, administrative and support services',
  });
  b.expect({
    id: 'service-linked-role-not-judged',
    category: 'inactive',
    accountId: A.id,
    arn: support.Arn,
    expect: { status: 'not-judged', reason: 'service-linked role' },
    description: 'Service-linked role (/aws-service-role/) with no activity: AWS owns it; never judged inactive.',
  });

  const ordersRole = b.role(A, {
    name: 'orders-api-task',
    createdMs: before(400),
    trust: trust({ Service: 'ecs-tasks.amazonaws.com' }),
    inline: [{ PolicyName: 'orders', PolicyDocument: doc(allow(['dynamodb:Query', 'dynamodb:PutItem'])) }],
  });
  const ordersSessions = [rng.hex(32), rng.hex(32), rng.hex(32)];
  const ordersActor = b.actor(A, ordersRole, { style: 'ecs', calls: [], sessionNames: ordersSessions, userAgents: USER_AGENTS.java });
  const ecsService = b.actor(A, { service: 'ecs-tasks.amazonaws.com' }, { style: 'aws-service', calls: [], invokedBy: 'ecs-tasks.amazonaws.com' });
  for (const [i, t] of spread(10).entries()) {
    const session = ordersSessions[i % ordersSessions.length]!;
    b.emit(ecsService, 'sts:AssumeRole', t, { args: { roleArn: ordersRole.Arn, roleSessionName: session } });
    b.emit(ordersActor, i % 2 ? 'dynamodb:Query' : 'dynamodb:PutItem', t + 20_000, { args: { sessionName: session } });
  }
  b.expect({
    id: 'role-used-through-sessions',
    category: 'inactive',
    accountId: A.id,
    arn: ordersRole.Arn,
    expect: { status: 'active', via: 'AssumedRole sessions (sessionContext.sessionIssuer)', sessionNames: ordersSessions },
    description: 'Only ever appears as an AssumedRole session principal; its sessions are the role being used.',
  });

  const scanner = b.user(A, { name: 'legacy-scanner', path: '/automation/', createdMs: before(500), keys: [{ active: true, createdMs: before(480) }] });
  const scannerActor = b.actor(A, scanner, { style: 'user-cli', calls: [], ips: ['185.220.101.34', '45.155.205.99'] });
  const probes: [string, string, string][] = [
    ['iam:ListUsers', 'iam:ListUsers', `arn:aws:iam::${A.id}:user/`],
    ['s3:ListBuckets', 's3:ListAllMyBuckets', 'arn:aws:s3:::*'],
    ['secretsmanager:ListSecrets', 'secretsmanager:ListSecrets', '*'],
    ['iam:GetAccountAuthorizationDetails', 'iam:GetAccountAuthorizationDetails', '*'],
  ];
  const scannerEvents: string[] = [];
  const hostile = [...USER_AGENTS.hostile];
  for (const [i, t] of spread(12).entries()) {
    const [key, action, res] = probes[i % probes.length]!;
    scannerEvents.push(b.emit(scannerActor, key, t, { error: accessDenied(scanner.Arn, action, res), userAgent: i < hostile.length ? hostile[i] : undefined }));
  }
  b.expect({
    id: 'failed-calls-only',
    category: 'inactive',
    accountId: A.id,
    arn: scanner.Arn,
    expect: { status: 'inactive', reason: 'only AccessDenied calls; failures are not use', failedEventIDs: scannerEvents },
    description: "Its key signs requests (so the credential report's last-used date is recent) but every call is denied; some carry hostile User-Agent strings.",
  });

  // --- Identity Center people ----------------------------------------------------------------
  const samlProviderHash = rng.alnum(27) + '=';
  const people = ['maria.garcia@acme-corp.com', 'li.wei@acme-corp.com', 'kwame.mensah@acme-corp.com'];
  const ssoRole = b.role(A, {
    name: `AWSReservedSSO_SecurityAudit_${rng.hex(16)}`,
    path: '/aws-reserved/sso.amazonaws.com/',
    createdMs: before(400),
    trust: trust({ Federated: `arn:aws:iam::${A.id}:saml-provider/AWSSSO_${rng.hex(16)}_DO_NOT_DELETE` }, ['sts:AssumeRoleWithSAML', 'sts:TagSession'], { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } }),
    managed: [AWS_POLICY.ReadOnlyAccess],
    description: 'Created by AWS Identity Center',
  });
  const samlUser = b.actor(A, { service: 'saml' }, { style: 'saml-user', calls: [], sessionNames: people, federation: samlProviderHash, userAgents: ['aws-internal/3 aws-sdk-java/1.12.772'] });
  const ssoActor = b.actor(A, ssoRole, { style: 'sso', calls: [], sessionNames: people, userAgents: USER_AGENTS.console, mfa: true });
  const provider = (ssoRole.AssumeRolePolicyDocument.Statement[0]!.Principal as { Federated: string }).Federated;
  for (const [i, t] of spread(people.length * 4).entries()) {
    const who = people[i % people.length]!;
    b.emit(samlUser, 'sts:AssumeRoleWithSAML', t, { args: { roleArn: ssoRole.Arn, roleSessionName: who, principalArn: provider, sessionName: who } });
    b.emit(ssoActor, rng.pick(['cloudtrail:LookupEvents', 'iam:GetAccountSummary', 'ec2:DescribeSecurityGroups', 's3:GetBucketPolicy']), t + 60_000, { args: { sessionName: who } });
  }
  b.expect({
    id: 'identity-center-people',
    category: 'inactive',
    accountId: A.id,
    arn: ssoRole.Arn,
    expect: { status: 'active', people },
    description: 'Identity Center permission-set role; each session name is the e-mail of the person who signed in.',
  });

  // --- Over-provisioned --------------------------------------------------------------------------
  const etlCalls = ['s3:GetObject', 's3:PutObject', 'secretsmanager:GetSecretValue'];
  const etl = b.role(A, {
    name: 'reporting-etl',
    path: '/service-role/',
    createdMs: before(400),
    trust: trust({ Service: 'lambda.amazonaws.com' }),
    managed: [AWS_POLICY.PowerUserAccess, AWS_POLICY.AWSLambdaBasicExecutionRole],
  });
  const etlActor = b.actor(A, etl, { style: 'lambda', calls: [], sessionNames: ['reporting-etl'], userAgents: USER_AGENTS.python });
  const lambdaService = b.actor(A, { service: 'lambda.amazonaws.com' }, { style: 'aws-service', calls: [], invokedBy: 'lambda.amazonaws.com' });
  for (const [i, t] of spread(Math.max(9, Math.round(span / DAY_MS))).entries()) {
    if (i % 3 === 0) b.emit(lambdaService, 'sts:AssumeRole', t - 5000, { args: { roleArn: etl.Arn, roleSessionName: 'reporting-etl' } });
    b.emit(etlActor, etlCalls[i % etlCalls.length]!, t);
  }
  b.expect({
    id: 'over-provisioned-role',
    category: 'over-provisioned',
    accountId: A.id,
    arn: etl.Arn,
    expect: { overProvisioned: true, usedActions: actionsOf(etlCalls), granted: [AWS_POLICY.PowerUserAccess, AWS_POLICY.AWSLambdaBasicExecutionRole] },
    description: 'PowerUserAccess (all but IAM/Organizations) granted; only three actions ever used.',
  });

  // --- Unused credentials -------------------------------------------------------------------------
  const carol = b.user(A, {
    name: 'carol.console',
    createdMs: before(400),
    groups: ['ReadOnly'],
    keys: [{ active: true, createdMs: before(380) }],
    password: { enabled: true, lastChangedMs: before(100) },
    mfa: true,
  });
  const carolActor = b.actor(A, carol, { style: 'user-console', calls: [], useKeys: [], userAgents: USER_AGENTS.console, mfa: true });
  for (const t of spread(6)) {
    b.emit(carolActor, 'signin:ConsoleLogin', t);
    b.emit(carolActor, 'monitoring:DescribeAlarms', t + 50_000);
  }
  const carolKey = b.credentials(A, carol.Arn).keys[0]!;
  b.expect({
    id: 'unused-access-key',
    category: 'unused-credential',
    accountId: A.id,
    arn: carol.Arn,
    expect: { credential: 'access_key_1', accessKeyId: carolKey.id, unused: true, keyCreatedAt: iso(carolKey.createdMs), userActive: true },
    description: 'Active console user whose access key (active) has never been used.',
  });

  const buildAgent = b.user(A, { name: 'build-agent', path: '/automation/', createdMs: before(420), keys: [{ active: true, createdMs: before(410) }], password: { enabled: true, lastChangedMs: before(419) } });
  const buildActor = b.actor(A, buildAgent, { style: 'user-cli', calls: [], userAgents: USER_AGENTS.go });
  for (const t of spread(10)) b.emit(buildActor, rng.pick(['s3:PutObject', 'sts:GetCallerIdentity']), t);
  b.expect({
    id: 'unused-console-password',
    category: 'unused-credential',
    accountId: A.id,
    arn: buildAgent.Arn,
    expect: { credential: 'password', unused: true, passwordLastUsed: 'no_information', userActive: true },
    description: 'Automation user whose access key is in daily use but who also has a console password that was never used.',
  });

  // --- Privilege escalation ----------------------------------------------------------------------
  const editorPolicy = b.policy(
    A,
    'policy-editor-access',
    [doc(allow(['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicies'])), doc(allow(['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicies', 'iam:CreatePolicyVersion']))],
    before(500),
    { description: 'Lets the compliance team maintain policy text' },
  );
  const editor = b.user(A, { name: 'policy-editor', createdMs: before(480), managed: [editorPolicy], keys: [{ active: true, createdMs: before(470) }] });
  const editorActor = b.actor(A, editor, { style: 'user-cli', calls: [] });
  for (const t of spread(5)) b.emit(editorActor, rng.pick(['iam:ListPolicies', 'iam:GetPolicy']), t, { args: { policyArn: editorPolicy } });
  b.expect({
    id: 'privesc-possible-create-policy-version',
    category: 'privilege-escalation',
    accountId: A.id,
    arn: editor.Arn,
    expect: { privesc: 'possible', technique: 'CreatePolicyVersion', requiredActions: ['iam:CreatePolicyVersion'], via: editorPolicy },
    description: 'May create a new default version of any customer-managed policy, including its own: escalation is possible, never used.',
  });

  const adminExec = b.role(A, {
    name: 'lambda-admin-exec',
    path: '/service-role/',
    createdMs: before(600),
    trust: trust({ Service: 'lambda.amazonaws.com' }),
    managed: [AWS_POLICY.AdministratorAccess],
    description: 'Break-glass maintenance functions',
  });
  const deployerActions = ['lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:GetFunction'];
  const deployer = b.user(A, {
    name: 'lambda-deployer',
    createdMs: before(300),
    inline: [{ PolicyName: 'deploy-functions', PolicyDocument: doc(allow(deployerActions), allow('iam:PassRole', adminExec.Arn)) }],
    keys: [{ active: true, createdMs: before(290) }],
  });
  const deployerActor = b.actor(A, deployer, { style: 'user-cli', calls: [], userAgents: USER_AGENTS.python, ips: ['198.51.100.23'] });
  for (const t of spread(4)) b.emit(deployerActor, 'lambda:GetFunction20150331v2', t);
  const tEsc = startMs + Math.floor(span * 0.66);
  const fnName = `maintenance-${rng.lowerAlnum(6)}`;
  const createId = b.emit(deployerActor, 'lambda:CreateFunction20150331', tEsc, { args: { functionName: fnName, role: adminExec.Arn } });
  const invokeId = b.emit(deployerActor, 'lambda:Invoke', tEsc + 45_000, { args: { functionName: fnName } });
  b.emit(lambdaService, 'sts:AssumeRole', tEsc + 46_000, { args: { roleArn: adminExec.Arn, roleSessionName: fnName } });
  const adminExecActor = b.actor(A, adminExec, { style: 'lambda', calls: [], sessionNames: [fnName], userAgents: USER_AGENTS.python });
  b.emit(adminExecActor, 'iam:ListUsers', tEsc + 48_000);
  b.emit(adminExecActor, 'secretsmanager:GetSecretValue', tEsc + 49_000);
  b.expect({
    id: 'privesc-exercised-passrole-lambda',
    category: 'privilege-escalation',
    accountId: A.id,
    arn: deployer.Arn,
    expect: {
      privesc: 'exercised',
      technique: 'PassRole + Lambda CreateFunction + InvokeFunction',
      requiredActions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
      passedRole: adminExec.Arn,
      eventIDs: [createId, invokeId],
    },
    description: 'Created a function running as an administrator role and invoked it; the role then acted.',
  });
  b.expect({
    id: 'super-role-lambda-admin-exec',
    category: 'super',
    accountId: A.id,
    arn: adminExec.Arn,
    expect: { super: true, via: AWS_POLICY.AdministratorAccess, attachedTo: 'role' },
    description: 'The role passed in the exercised escalation: AdministratorAccess.',
  });

  const intern = b.user(A, { name: 'intern-jdoe', createdMs: before(60), groups: ['ReadOnly'], keys: [{ active: true, createdMs: before(59) }] });
  const internActor = b.actor(A, intern, { style: 'user-cli', calls: [] });
  for (const t of spread(8)) b.emit(internActor, rng.pick(['ec2:DescribeInstances', 's3:ListBuckets', 'iam:GetUser']), t, { args: { userName: intern.UserName } });
  const attempts: string[] = [];
  const tTry = startMs + Math.floor(span * 0.8);
  for (let i = 0; i < 3; i++) {
    attempts.push(
      b.emit(internActor, 'iam:AttachUserPolicy', tTry + i * 70_000, {
        args: { userName: intern.UserName, policyArn: AWS_POLICY.AdministratorAccess },
        error: accessDenied(intern.Arn, 'iam:AttachUserPolicy', `user ${intern.UserName}`),
      }),
    );
  }
  b.expect({
    id: 'privesc-attempted-attach-user-policy',
    category: 'privilege-escalation',
    accountId: A.id,
    arn: intern.Arn,
    expect: { privesc: 'attempted', technique: 'AttachUserPolicy', requiredActions: ['iam:AttachUserPolicy'], eventIDs: attempts },
    description: 'Tried three times to attach AdministratorAccess to itself; every call was denied.',
  });

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
