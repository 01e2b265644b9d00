/**
 * Builds the synthetic organization: accounts and OUs, SCPs, per-account IAM (background
 * workloads and people), then the planted cases (planted.ts).
 */
import { Rng } from './rng.js';
import type { AccountInfo, AccountResources, Actor } from './model.js';
import { DAY_MS, OrgBuilder, USER_AGENTS } from './builder.js';
import type { ExpectedCase } from './builder.js';
import { AWS_POLICY, allow, deny, doc, trust } from './iam-model.js';
import type { IamAccount, PolicyDoc, RoleDetail } from './iam-model.js';
import { actionsOf } from './catalog.js';
import type { PlannedEvent } from './records.js';
import { plantCases } from './planted.js';

export interface OrgOptions {
  seed: string;
  accounts: number;
  identitiesPerAccount: number;
  startMs: number;
  endMs: number;
}

export interface ScpPolicy {
  id: string;
  arn: string;
  name: string;
  description: string;
  awsManaged: boolean;
  document: PolicyDoc;
  /** Root ("r-..."), OU ("ou-...") or account ids the policy is attached to. */
  targets: string[];
}

export interface OrganizationalUnit {
  id: string;
  name: string;
  parentId: string;
}

export interface Organization {
  id: string;
  rootId: string;
  managementAccountId: string;
  /** An account outside the organization (a vendor) that some roles trust. */
  externalAccountId: string;
  accounts: AccountInfo[];
  ous: OrganizationalUnit[];
  scps: ScpPolicy[];
  iam: Map<string, IamAccount>;
  /** Background actors per account id (weight > 0). */
  actors: Map<string, Actor[]>;
  /** Planted events, sorted by time. */
  scripted: PlannedEvent[];
  cases: ExpectedCase[];
}

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yuki', 'zoe', 'amir', 'bea', 'chen', 'dmitri', 'elif', 'farah', 'goran', 'hana', 'ines', 'jonas', 'kofi', 'lena', 'mateo', 'noor', 'omar', 'priya', 'quinn', 'rosa', 'sven', 'tariq', 'uma'];
const LAST = ['smith', 'nguyen', 'garcia', 'mueller', 'rossi', 'kowalski', 'tanaka', 'okafor', 'silva', 'johansson', 'dubois', 'haddad', 'kim', 'patel', 'novak', 'cohen', 'larsen', 'moreau', 'ibrahim', 'fischer'];
const APPS = ['orders', 'payments', 'invoices', 'catalog', 'search', 'notifications', 'auth', 'reports', 'ingest', 'billing', 'inventory', 'shipping', 'profile', 'analytics', 'recommender', 'audit', 'export', 'media', 'pricing', 'ledger'];
export const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2'];
const REGION_WEIGHTS = [0.64, 0.2, 0.09, 0.04, 0.03];
const DEV_REGIONS = ['us-east-1', 'eu-west-1'];

/** Calls people make (read-mostly, occasional change). */
const HUMAN_READ = [
  'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 's3:ListBuckets',
  's3:GetBucketLocation', 's3:GetBucketPolicy', 'lambda:ListFunctions20150331', 'lambda:GetFunction20150331v2',
  'logs:DescribeLogGroups', 'logs:FilterLogEvents', 'monitoring:DescribeAlarms', 'monitoring:GetMetricData',
  'dynamodb:ListTables', 'dynamodb:DescribeTable', 'sts:GetCallerIdentity', 'cloudformation:DescribeStacks',
  'kms:ListAliases', 'secretsmanager:ListSecrets', 'ssm:DescribeInstanceInformation', 'cloudtrail:LookupEvents', 's3:GetObject',
];
const HUMAN_WRITE = ['ec2:StopInstances', 'ec2:CreateTags', 'monitoring:PutMetricAlarm', 'lambda:UpdateFunctionCode20150331v2', 's3:PutObject', 'ec2:RunInstances'];
const ADMIN_EXTRA = ['iam:ListRoles', 'iam:GetRole', 'iam:ListUsers', 'iam:GetAccountSummary', 'cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'iam:ListPolicies', 'kms:DescribeKey', 'iam:GenerateCredentialReport'];
const CI_CALLS = ['sts:GetCallerIdentity', 's3:PutObject', 's3:GetObject', 'lambda:GetFunction20150331v2', 'lambda:UpdateFunctionCode20150331v2', 'cloudformation:DescribeStacks', 'cloudformation:CreateStack'];
const LAMBDA_POOL = ['s3:GetObject', 's3:PutObject', 'dynamodb:Query', 'dynamodb:PutItem', 'kms:Decrypt', 'secretsmanager:GetSecretValue', 'ssm:GetParameter'];
const EC2_POOL = ['s3:GetObject', 'ec2:DescribeTags', 'kms:Decrypt', 'ssm:GetParametersByPath', 'ec2:DescribeInstances', 's3:PutObject'];
const ECS_POOL = ['dynamodb:Query', 'dynamodb:PutItem', 's3:GetObject', 'secretsmanager:GetSecretValue', 'kms:GenerateDataKey', 's3:PutObject'];

function pickSome<T>(rng: Rng, items: readonly T[], min: number, max: number): T[] {
  return rng.shuffle([...items]).slice(0, rng.int(min, Math.min(max, items.length)));
}


function resources(rng: Rng, accountId: string, alias: string, regions: string[]): AccountResources {
  const apps = pickSome(rng, APPS, 4, 7);
  return {
    buckets: [`${alias}-data-${rng.lowerAlnum(6)}`, `${alias}-artifacts`, `${alias}-logs-${regions[0]}`, ...apps.slice(0, 2).map((a) => `${alias}-${a}-exports`)],
    tables: apps.map((a) => `${a}-${rng.pick(['events', 'items', 'state'])}`),
    functions: [],
    secrets: apps.slice(0, 3).map((a) => `prod/${a}/db-credentials-${rng.alnum(6)}`),
    parameters: apps.slice(0, 4).map((a) => `/${a}/config/endpoint`),
    kmsKeys: [rng.uuid(), rng.uuid()],
    logGroups: apps.map((a) => `/aws/lambda/${a}-handler`),
    instanceIds: Array.from({ length: 6 }, () => 'i-0' + rng.hex(16)),
    amis: ['ami-0' + rng.hex(16), 'ami-0' + rng.hex(16)],
    subnets: ['subnet-0' + rng.hex(16), 'subnet-0' + rng.hex(16)],
    securityGroups: ['sg-0' + rng.hex(16)],
    stacks: apps.map((a) => `${a}-service`),
    trailName: 'org-trail',
    instanceProfiles: [],
    cfnRoles: [],
  };
}

export function buildOrganization(opts: OrgOptions): Organization {
  const rng = Rng.derive(opts.seed, 'org');
  const b = new OrgBuilder(rng, opts.startMs, opts.endMs);
  const orgId = 'o-' + rng.lowerAlnum(10);
  const rootId = 'r-' + rng.lowerAlnum(4);
  const ouSuffix = (): string => `${rootId.slice(2)}-${rng.lowerAlnum(8)}`;
  const ous: OrganizationalUnit[] = [
    { id: 'ou-' + ouSuffix(), name: 'Production', parentId: rootId },
    { id: 'ou-' + ouSuffix(), name: 'Development', parentId: rootId },
  ];
  const [prodOu, devOu] = ous as [OrganizationalUnit, OrganizationalUnit];
  const usedIds = new Set<string>();
  const accountId = (): string => {
    let id: string;
    do id = rng.digits(12);
    while (usedIds.has(id));
    usedIds.add(id);
    return id;
  };
  const accounts: AccountInfo[] = [];
  for (let i = 0; i < opts.accounts; i++) {
    const id = accountId();
    const isManagement = i === 0;
    const ou = isManagement ? null : i % 2 === 1 ? prodOu : devOu;
    const name = isManagement ? 'acme-management' : ou === prodOu ? `acme-prod-${String(i).padStart(2, '0')}` : `acme-dev-${String(i).padStart(2, '0')}`;
    const regions = ou === devOu ? DEV_REGIONS : REGIONS;
    const weights = ou === devOu ? [0.82, 0.18] : REGION_WEIGHTS;
    accounts.push({
      index: i,
      id,
      name,
      parents: ou ? [ou.id, rootId] : [rootId],
      isManagement,
      regions,
      regionWeights: weights,
      res: resources(rng, id, name, regions),
    });
  }
  const externalAccountId = accountId();

  const scps: ScpPolicy[] = [
    {
      id: 'p-FullAWSAccess',
      arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
      name: 'FullAWSAccess',
      description: 'Allows access to every operation',
      awsManaged: true,
      document: doc(allow('*')),
      // AWS attaches FullAWSAccess to the root, every OU and every account by default.
      targets: [rootId, ...ous.map((o) => o.id), ...accounts.map((a) => a.id)],
    },
  ];
  const scp = (name: string, description: string, document: PolicyDoc, targets: string[]): void => {
    const id = 'p-' + rng.lowerAlnum(8);
    scps.push({ id, arn: `arn:aws:organizations::${accounts[0]!.id}:policy/${orgId}/service_control_policy/${id}`, name, description, awsManaged: false, document, targets });
  };
  scp('DenyLeaveOrganization', 'Member accounts may not leave the organization', doc({ Sid: 'DenyLeave', ...deny('organizations:LeaveOrganization') }), [prodOu.id, devOu.id]);
  scp(
    'ProtectCloudTrail',
    'Nobody in member accounts may stop or change the organization trail',
    doc({ Sid: 'DenyTrailChanges', ...deny(['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'], `arn:aws:cloudtrail:*:*:trail/org-trail`) }),
    [prodOu.id, devOu.id],
  );
  scp(
    'DevRegionAllowList',
    'Development accounts may only use us-east-1 and eu-west-1 (global services excepted)',
    doc({
      Sid: 'DenyOtherRegions',
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*', 'organizations:*', 'support:*', 'cloudfront:*', 'route53:*', 'budgets:*', 'waf:*', 'health:*', 'trustedadvisor:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': DEV_REGIONS } },
    }),
    [devOu.id],
  );

  const longAgo = opts.endMs - 900 * DAY_MS;
  for (const acct of accounts) {
    // The SDK-for-JavaScript form (URL-encoded documents) for the second account, CLI form elsewhere.
    b.account(acct, acct.index === 1 || (accounts.length === 1 && acct.index === 0), longAgo - rng.int(0, 400) * DAY_MS);
    background(b, acct, accounts, opts);
  }

  plantCases(b, { accounts, externalAccountId, startMs: opts.startMs, endMs: opts.endMs });
  b.finalizeScriptedUsage();

  return {
    id: orgId,
    rootId,
    managementAccountId: accounts[0]!.id,
    externalAccountId,
    accounts,
    ous,
    scps,
    iam: b.iam,
    actors: b.actors,
    scripted: b.scripted,
    cases: b.cases,
  };
}

/** Everyday identities of one account: people, CI, workloads, Identity Center, service-linked roles. */
function background(b: OrgBuilder, acct: AccountInfo, accounts: AccountInfo[], opts: OrgOptions): void {
  const rng = b.rng;
  const { endMs } = opts;
  const old = (minDays: number, maxDays: number): number => endMs - rng.int(minDays, maxDays) * DAY_MS - rng.int(0, 86_399) * 1000;
  const recent = (maxHours: number): number => endMs - rng.int(600, maxHours * 3600) * 1000;
  const id = acct.id;
  const iam = b.iam.get(id)!;
  const mgmt = accounts[0]!;
  const emailOf = (first: string, last: string): string => `${first}.${last}@acme-corp.com`;

  // Root: rare console use.
  const root = b.actor(acct, 'root', { style: 'root', calls: ['iam:GetAccountSummary', 'sts:GetCallerIdentity', 'iam:ListUsers'], weight: 0.02, userAgents: USER_AGENTS.console, mfa: true });
  void root;
  iam.rootPasswordLastUsedMs = recent(24 * 20);

  // Groups.
  const selfManage = {
    PolicyName: 'ManageOwnCredentials',
    PolicyDocument: doc(allow(['iam:GetUser', 'iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:ChangePassword', 'iam:ListMFADevices'], 'arn:aws:iam::*:user/${aws:username}')),
  };
  b.group(acct, 'Developers', [AWS_POLICY.PowerUserAccess], [selfManage], old(700, 900));
  b.group(acct, 'ReadOnly', [AWS_POLICY.ReadOnlyAccess], [selfManage], old(700, 900));

  // Identity Center permission-set roles; people sign in through the access portal.
  const ssoProvider = `arn:aws:iam::${id}:saml-provider/AWSSSO_${rng.hex(16)}_DO_NOT_DELETE`;
  const ssoTrust = trust({ Federated: ssoProvider }, ['sts:AssumeRoleWithSAML', 'sts:TagSession'], { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } });
  const people = Array.from({ length: 6 }, () => emailOf(rng.pick(FIRST), rng.pick(LAST)));
  const permissionSets: { name: string; policy: string; calls: string[]; people: string[]; weight: number }[] = [
    { name: 'AdministratorAccess', policy: AWS_POLICY.AdministratorAccess, calls: [...HUMAN_READ, ...ADMIN_EXTRA, ...HUMAN_WRITE], people: people.slice(0, 2), weight: 2 },
    { name: 'PowerUserAccess', policy: AWS_POLICY.PowerUserAccess, calls: [...HUMAN_READ, ...HUMAN_WRITE], people: people.slice(1, 5), weight: 5 },
    { name: 'ReadOnlyAccess', policy: AWS_POLICY.ReadOnlyAccess, calls: HUMAN_READ, people: people.slice(3, 6), weight: 3 },
  ];
  for (const ps of permissionSets) {
    const role = b.role(acct, {
      name: `AWSReservedSSO_${ps.name}_${rng.hex(16)}`,
      path: '/aws-reserved/sso.amazonaws.com/',
      createdMs: old(300, 700),
      trust: ssoTrust,
      managed: [ps.policy],
      description: 'Created by AWS Identity Center',
      tags: {},
    });
    b.actor(acct, role, { style: 'sso', calls: ps.calls, weight: ps.weight, sessionNames: ps.people, userAgents: [...USER_AGENTS.console, ...USER_AGENTS.cli], ips: ps.people.map(() => b.publicIp()), mfa: true });
    role.RoleLastUsed = { LastUsedDate: recent(6), Region: acct.regions[0] };
  }

  // Service-linked roles (never judged for inactivity). GuardDuty's is busy; the others are idle.
  const slr = (service: string, name: string, policy: string): RoleDetail =>
    b.role(acct, { name, path: `/aws-service-role/${service}/`, createdMs: old(400, 800), trust: trust({ Service: service }), managed: [policy], description: `Service-linked role for ${service}` });
  const gd = slr('guardduty.amazonaws.com', 'AWSServiceRoleForAmazonGuardDuty', AWS_POLICY.AmazonGuardDutyServiceRolePolicy);
  b.actor(acct, gd, { style: 'service-linked', calls: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 's3:GetBucketAcl', 'ec2:DescribeVpcs'], weight: 0.6, sessionNames: ['AmazonGuardDuty'], userAgents: ['guardduty.amazonaws.com'], ips: ['guardduty.amazonaws.com'] });
  gd.RoleLastUsed = { LastUsedDate: recent(2), Region: acct.regions[0] };
  slr('trustedadvisor.amazonaws.com', 'AWSServiceRoleForTrustedAdvisor', AWS_POLICY.AWSTrustedAdvisorServiceRolePolicy);
  if (acct.isManagement) {
    slr('organizations.amazonaws.com', 'AWSServiceRoleForOrganizations', AWS_POLICY.AWSOrganizationsServiceTrustPolicy);
    slr('sso.amazonaws.com', 'AWSServiceRoleForSSO', AWS_POLICY.AWSSSOServiceRolePolicy);
  } else {
    // The role Organizations creates in member accounts, used now and then from the management account.
    const oaar = b.role(acct, { name: 'OrganizationAccountAccessRole', createdMs: old(500, 800), trust: trust({ AWS: `arn:aws:iam::${mgmt.id}:root` }), managed: [AWS_POLICY.AdministratorAccess] });
    b.actor(acct, oaar, { style: 'assumed', calls: [...HUMAN_READ.slice(0, 8), ...ADMIN_EXTRA.slice(0, 4)], weight: 0.15, sessionNames: ['platform-admin'], userAgents: USER_AGENTS.cli });
    oaar.RoleLastUsed = { LastUsedDate: recent(48), Region: acct.regions[0] };
  }

  // Workload roles and their service principals.
  const fixed = 4 + (acct.isManagement ? 2 : 1) + 1; // root, SSO x3, SLRs, OAAR
  const n = Math.max(8, opts.identitiesPerAccount - fixed);
  const nLambda = Math.round(n * 0.25);
  const nEc2 = Math.round(n * 0.12);
  const nEcs = Math.round(n * 0.12);
  const nCi = Math.max(1, Math.round(n * 0.08));
  const nHuman = Math.max(1, n - nLambda - nEc2 - nEcs - nCi - 1);
  const ipsAws = (): string[] => [b.publicIp(), b.publicIp()];

  const lambdaRoles: { arn: string; sessions: string[] }[] = [];
  for (let i = 0; i < nLambda; i++) {
    const app = `${rng.pick(APPS)}-${rng.pick(['handler', 'worker', 'consumer', 'api', 'cron'])}${i >= APPS.length ? '-' + i : ''}`;
    const calls = pickSome(rng, LAMBDA_POOL, 2, 4).concat('logs:CreateLogStream');
    const role = b.role(acct, {
      name: `${app}-role-${rng.lowerAlnum(8)}`,
      path: '/service-role/',
      createdMs: old(120, 700),
      trust: trust({ Service: 'lambda.amazonaws.com' }),
      managed: [AWS_POLICY.AWSLambdaBasicExecutionRole],
      inline: [{ PolicyName: `${app}-access`, PolicyDocument: doc(allow(actionsOf(calls.filter((c) => !c.startsWith('logs:'))))) }],
    });
    acct.res.functions.push({ name: app, roleArn: role.Arn });
    b.actor(acct, role, { style: 'lambda', calls, weight: 3, sessionNames: [app], userAgents: rng.chance(0.5) ? USER_AGENTS.python : USER_AGENTS.node, ips: ipsAws(), deniable: true });
    role.RoleLastUsed = { LastUsedDate: recent(4), Region: acct.regions[0] };
    lambdaRoles.push({ arn: role.Arn, sessions: [app] });
  }
  const ec2Roles: { arn: string; sessions: string[] }[] = [];
  for (let i = 0; i < nEc2; i++) {
    const app = `${rng.pick(APPS)}-${rng.pick(['web', 'batch', 'bastion', 'runner'])}-${i}`;
    const calls = pickSome(rng, EC2_POOL, 2, 4).concat('ssm:UpdateInstanceInformation');
    const role = b.role(acct, {
      name: `${app}-instance`,
      createdMs: old(200, 800),
      trust: trust({ Service: 'ec2.amazonaws.com' }),
      managed: [AWS_POLICY.AmazonSSMManagedInstanceCore],
      inline: [{ PolicyName: 'app-access', PolicyDocument: doc(allow(actionsOf(calls.filter((c) => !c.startsWith('ssm:Update'))))) }],
      instanceProfile: true,
    });
    acct.res.instanceProfiles.push(role.InstanceProfileList[0]!.Arn);
    const sessions = [pickInstance(acct, rng), pickInstance(acct, rng)];
    b.actor(acct, role, { style: 'ec2', calls, weights: calls.map((c) => (c === 'ssm:UpdateInstanceInformation' ? 4 : 1)), weight: 2, sessionNames: sessions, userAgents: [...USER_AGENTS.ssmAgent, ...USER_AGENTS.python], ips: [`10.0.${rng.int(0, 255)}.${rng.int(1, 254)}`, b.publicIp()], deniable: true });
    role.RoleLastUsed = { LastUsedDate: recent(2), Region: acct.regions[0] };
    ec2Roles.push({ arn: role.Arn, sessions });
  }
  const ecsRoles: { arn: string; sessions: string[] }[] = [];
  for (let i = 0; i < nEcs; i++) {
    const app = `${rng.pick(APPS)}-svc-${i}`;
    const calls = pickSome(rng, ECS_POOL, 2, 4);
    const role = b.role(acct, {
      name: `${app}-task`,
      createdMs: old(100, 600),
      trust: trust({ Service: 'ecs-tasks.amazonaws.com' }, 'sts:AssumeRole', { ArnLike: { 'aws:SourceArn': `arn:aws:ecs:${acct.regions[0]}:${id}:*` } }),
      inline: [{ PolicyName: 'task-access', PolicyDocument: doc(allow(actionsOf(calls))) }],
    });
    const sessions = [rng.hex(32), rng.hex(32)];
    b.actor(acct, role, { style: 'ecs', calls, weight: 3, sessionNames: sessions, userAgents: rng.chance(0.5) ? USER_AGENTS.java : USER_AGENTS.go, ips: ipsAws(), deniable: true });
    role.RoleLastUsed = { LastUsedDate: recent(2), Region: acct.regions[0] };
    ecsRoles.push({ arn: role.Arn, sessions });
  }
  // CloudFormation execution role, handed over by CI with CreateStack roleARN.
  const cfn = b.role(acct, {
    name: 'cfn-deploy-execution',
    createdMs: old(300, 600),
    trust: trust({ Service: 'cloudformation.amazonaws.com' }),
    inline: [{ PolicyName: 'deploy', PolicyDocument: doc(allow(['lambda:*', 'dynamodb:*', 's3:*', 'logs:*', 'cloudwatch:*', 'sqs:*', 'sns:*'])) }],
  });
  acct.res.cfnRoles.push(cfn.Arn);
  b.actor(acct, cfn, { style: 'assumed', calls: ['lambda:GetFunction20150331v2', 'dynamodb:DescribeTable', 'logs:DescribeLogGroups'], weight: 0.3, sessionNames: ['AWSCloudFormation'], userAgents: ['cloudformation.amazonaws.com'], ips: ['cloudformation.amazonaws.com'] });
  cfn.RoleLastUsed = { LastUsedDate: recent(24), Region: acct.regions[0] };

  // AWS services assuming workload roles (AWSService identity).
  const svc = (service: string, roles: { arn: string; sessions: string[] }[], weight: number): void => {
    if (!roles.length) return;
    const a = b.actor(acct, { service }, { style: 'aws-service', calls: ['sts:AssumeRole'], weight, invokedBy: service });
    a.argsFor = (r: Rng) => {
      const role = r.pick(roles);
      return { roleArn: role.arn, roleSessionName: r.pick(role.sessions) };
    };
  };
  svc('lambda.amazonaws.com', lambdaRoles, 1.5);
  svc('ec2.amazonaws.com', ec2Roles, 0.4);
  svc('ecs-tasks.amazonaws.com', ecsRoles, 0.8);

  // CI users with long-lived keys.
  const ciPolicy = b.policy(acct, 'ci-deploy', [doc(allow(actionsOf(CI_CALLS.filter((c) => !c.startsWith('cloudformation:CreateStack'))))), doc(allow(actionsOf(CI_CALLS)), allow('iam:PassRole', cfn.Arn))], old(400, 600), { description: 'Deploy pipeline' });
  for (let i = 0; i < nCi; i++) {
    const created = old(200, 800);
    const u = b.user(acct, { name: i === 0 ? 'ci-deployer' : `ci-deployer-${i}`, path: '/automation/', createdMs: created, managed: [ciPolicy], keys: [{ active: true, createdMs: created + 3 * DAY_MS }] });
    b.actor(acct, u, { style: 'user-cli', calls: CI_CALLS, weights: CI_CALLS.map((c) => (c.includes('Create') ? 0.05 : 1)), weight: 2, userAgents: [...USER_AGENTS.terraform, ...USER_AGENTS.cli], ips: ipsAws(), deniable: true });
    markUsedRecently(b, acct, u.Arn, recent(3), acct.regions[0]!, 's3');
  }

  // People with IAM users (the pre-Identity-Center way): console and CLI.
  for (let i = 0; i < nHuman; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const group = rng.chance(0.6) ? 'Developers' : 'ReadOnly';
    const created = old(150, 900);
    const console = rng.chance(0.6);
    const u = b.user(acct, {
      name: `${first}.${last}${i >= 10 ? i : ''}`,
      createdMs: created,
      groups: [group],
      keys: console ? [] : [{ active: true, createdMs: created + DAY_MS }],
      password: console ? { enabled: true, lastChangedMs: created + rng.int(1, 100) * DAY_MS } : undefined,
      mfa: console,
      tags: { team: rng.pick(['platform', 'data', 'payments', 'growth']) },
    });
    const calls = group === 'Developers' ? [...HUMAN_READ, ...HUMAN_WRITE] : HUMAN_READ;
    b.actor(acct, u, {
      style: console ? 'user-console' : 'user-cli',
      calls,
      weights: calls.map((c) => (HUMAN_WRITE.includes(c) ? 0.15 : 1)),
      weight: 0.8,
      userAgents: console ? USER_AGENTS.console : USER_AGENTS.cli,
      mfa: console,
    });
    if (console) b.credentials(acct, u.Arn).password.lastUsedMs = recent(30);
    else markUsedRecently(b, acct, u.Arn, recent(30), acct.regions[0]!, 'ec2');
  }
}

function pickInstance(acct: AccountInfo, rng: Rng): string {
  return rng.pick(acct.res.instanceIds);
}

function markUsedRecently(b: OrgBuilder, acct: AccountInfo, arn: string, ms: number, region: string, service: string): void {
  for (const k of b.credentials(acct, arn).keys) Object.assign(k, { lastUsedMs: ms, region, service });
}
