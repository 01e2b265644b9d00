/** Planted cases, category inactive: stale, too new, service-linked, session-only, failed-only and Identity Center identities. */
import { DAY_MS, USER_AGENTS } from './builder.js';
import { allow, AWS_POLICY, doc, trust } from './iam-model.js';
import { accessDenied, INACTIVITY_DAYS, iso } from './planted-kit.js';
import type { Actor } from './model.js';
import type { PlantKit } from './planted-kit.js';

export function plantInactiveCases(k: PlantKit, opsAdminActor: Actor): void {
  const { b, rng, A, startMs, endMs, before, spread } = k;
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
}
