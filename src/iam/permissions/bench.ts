/**
 * Effective-permission benchmark: a synthetic Organization of 2,000 identities and the real
 * cloudsplaining test files. Run: node --import tsx src/iam/permissions/bench.ts [identities]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AccountSnapshot, IamRole, IamUser, IamGroup, ManagedPolicy, PolicyDocument } from '../types.js';
import { buildIamModel } from '../model.js';
import { parseAuthorizationDetails } from '../snapshot/authorization-details.js';
import { shippedAwsManagedPolicy } from '../snapshot/aws-managed.js';
import { parseScpExport, toScpChain } from '../snapshot/scps.js';
import { ActionUniverse } from './actions.js';
import { createPermissionEvaluator } from './evaluator.js';

const MANAGED = [
  'AdministratorAccess', 'ReadOnlyAccess', 'PowerUserAccess', 'SecurityAudit', 'ViewOnlyAccess', 'AmazonS3FullAccess',
  'AmazonS3ReadOnlyAccess', 'AmazonEC2FullAccess', 'AmazonEC2ReadOnlyAccess', 'AWSLambda_FullAccess', 'AmazonDynamoDBFullAccess',
  'AmazonSQSFullAccess', 'AmazonSNSFullAccess', 'CloudWatchFullAccess', 'AmazonRDSFullAccess', 'IAMFullAccess', 'IAMReadOnlyAccess',
  'AWSCloudFormationFullAccess', 'AmazonECS_FullAccess', 'AmazonEKSClusterPolicy', 'AWSCodeBuildAdminAccess', 'SecretsManagerReadWrite',
  'AmazonSSMFullAccess', 'AWSKeyManagementServicePowerUser', 'job-function/Billing', 'job-function/DatabaseAdministrator',
  'job-function/NetworkAdministrator', 'job-function/SystemAdministrator', 'service-role/AWSLambdaBasicExecutionRole',
  'service-role/AmazonEC2RoleforSSM', 'AmazonAthenaFullAccess', 'AWSGlueConsoleFullAccess',
].map((n) => `arn:aws:iam::aws:policy/${n}`);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function syntheticOrg(identities: number, accounts = 20) {
  const rand = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const snapshots: AccountSnapshot[] = [];
  const per = Math.ceil(identities / accounts);
  const accountIds = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
  for (const acct of accountIds) {
    const policies = new Map<string, ManagedPolicy>();
    for (const arn of MANAGED) {
      const p = shippedAwsManagedPolicy(arn);
      if (p) policies.set(arn, p);
    }
    const cust = (name: string, document: PolicyDocument) => {
      const arn = `arn:aws:iam::${acct}:policy/${name}`;
      policies.set(arn, { arn, name, document, awsManaged: false });
      return arn;
    };
    const customer = [
      cust('AppData', { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::app-${acct}/*` }, { Effect: 'Allow', Action: 'dynamodb:*', Resource: `arn:aws:dynamodb:*:${acct}:table/app-*` }] }),
      cust('Deployer', { Statement: [{ Effect: 'Allow', Action: ['cloudformation:*', 'lambda:*', 'iam:PassRole'], Resource: '*' }, { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*', Condition: { StringNotEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'cloudformation.amazonaws.com'] } } }] }),
      cust('NoIamWrites', { Statement: [{ Effect: 'Allow', NotAction: ['iam:Create*', 'iam:Delete*', 'iam:Put*', 'iam:Attach*'], Resource: '*' }] }),
      cust('MfaOnly', { Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] }),
    ];
    const boundary = cust('DevBoundary', { Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }, { Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'iam:PassRole'], Resource: '*' }] });
    const groups: IamGroup[] = ['admins', 'devs', 'auditors', 'data'].map((g, i) => ({
      arn: `arn:aws:iam::${acct}:group/${g}`, accountId: acct, type: 'group', name: g, path: '/', createdAt: null,
      attachedPolicyArns: [MANAGED[i === 0 ? 0 : i === 1 ? 2 : i === 2 ? 3 : 5]!], inlinePolicies: [], permissionsBoundaryArn: null, tags: {},
    }));
    const users: IamUser[] = [];
    const roles: IamRole[] = [];
    for (let i = 0; i < per; i++) {
      const attached = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => (rand() < 0.7 ? pick(MANAGED.slice(1)) : pick(customer)));
      const base = {
        accountId: acct, path: '/', createdAt: null, attachedPolicyArns: [...new Set(attached)], tags: {},
        inlinePolicies: rand() < 0.2 ? [{ name: 'extra', document: { Statement: [{ Effect: 'Allow' as const, Action: pick(['sqs:SendMessage', 'sns:Publish', 'kms:Decrypt', 'logs:*']), Resource: '*' }] } }] : [],
        permissionsBoundaryArn: rand() < 0.25 ? boundary : null,
      };
      if (rand() < 0.3) {
        const name = `user${i}`;
        users.push({ ...base, arn: `arn:aws:iam::${acct}:user/${name}`, type: 'user', name, groupNames: [pick(groups).name] });
      } else {
        const name = `role${i}`;
        roles.push({ ...base, arn: `arn:aws:iam::${acct}:role/${name}`, type: 'role', name, trustPolicy: { Statement: [] }, instanceProfileArns: [], lastUsed: null });
      }
    }
    snapshots.push({ accountId: acct, importedAt: new Date().toISOString(), users, roles, groups, policies, unresolvedPolicyArns: [] });
  }
  const chains = parseScpExport({
    managementAccountId: accountIds[0],
    policies: [
      { id: 'p-full', name: 'FullAWSAccess', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, targets: ['r-1', 'ou-prod', 'ou-dev', ...accountIds] },
      { id: 'p-leave', name: 'DenyLeave', document: { Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] }, targets: ['ou-prod', 'ou-dev'] },
      { id: 'p-trail', name: 'ProtectTrail', document: { Statement: [{ Effect: 'Deny', Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail'], Resource: 'arn:aws:cloudtrail:*:*:trail/org-trail' }] }, targets: ['ou-prod', 'ou-dev'] },
      { id: 'p-region', name: 'DevRegions', document: { Statement: [{ Effect: 'Deny', NotAction: ['iam:*', 'sts:*', 'organizations:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } }] }, targets: ['ou-dev'] },
    ],
    accounts: accountIds.map((id, i) => ({ id, parents: [i % 2 ? 'ou-dev' : 'ou-prod', 'r-1'] })),
  }).map(toScpChain);
  return buildIamModel({ snapshots, scpChains: chains });
}

async function main() {
  const n = Number(process.argv[2] ?? 2000);
  let t = performance.now();
  await ActionUniverse.load();
  const tUniverse = performance.now() - t;

  // real files
  t = performance.now();
  const dir = resolve(process.cwd(), '..', 'shared', 'data', 'cloudsplaining', 'test', 'files');
  let realPrincipals = 0;
  for (const f of ['example-authz-details.json', 'example_authz_details_for_overrides_complete.json', 'example_authz_v2.json', 'managed_policy_mismatch.json', 'example_authz_details_for_overrides.json']) {
    const s = parseAuthorizationDetails(JSON.parse(readFileSync(resolve(dir, f), 'utf8')));
    const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [s] }));
    for (const arn of [...s.users, ...s.roles, ...s.groups].map((x) => x.arn)) {
      ev.effective(arn);
      realPrincipals++;
    }
  }
  const tReal = performance.now() - t;

  t = performance.now();
  const model = syntheticOrg(n);
  const tBuild = performance.now() - t;
  t = performance.now();
  const ev = await createPermissionEvaluator(model);
  const tPrepare = performance.now() - t;
  t = performance.now();
  let cpu = process.cpuUsage();
  let admins = 0;
  let grants = 0;
  const principals = [...model.identities.values()].filter((x) => x.type !== 'group');
  for (const p of principals) {
    const e = ev.effective(p.arn);
    if (e.isAdmin) admins++;
    grants += e.granted.size;
  }
  const tEffective = performance.now() - t;
  const cpuEffective = process.cpuUsage(cpu);
  t = performance.now();
  cpu = process.cpuUsage();
  let allowed = 0;
  const target = (acct: string) => `arn:aws:iam::${acct}:role/target`;
  for (const p of principals) {
    if (ev.isAllowed(p.arn, 'iam:PassRole', target(p.accountId), { 'iam:PassedToService': 'lambda.amazonaws.com' }) !== 'denied') allowed++;
  }
  const tIsAllowed = performance.now() - t;
  const cpuIsAllowed = process.cpuUsage(cpu);
  const mem = process.memoryUsage();
  console.log(
    JSON.stringify(
      {
        actionUniverseLoadMs: Math.round(tUniverse),
        cloudsplainingFiles: { principals: realPrincipals, ms: Math.round(tReal) },
        synthetic: {
          identities: principals.length,
          accounts: model.accounts.size,
          buildModelMs: Math.round(tBuild),
          prepareMs: Math.round(tPrepare),
          effectiveAllMs: Math.round(tEffective),
          effectiveAllCpuMs: Math.round((cpuEffective.user + cpuEffective.system) / 1000),
          isAllowedPassRoleAllMs: Math.round(tIsAllowed),
          isAllowedPassRoleAllCpuMs: Math.round((cpuIsAllowed.user + cpuIsAllowed.system) / 1000),
          admins,
          avgGranted: Math.round(grants / principals.length),
          passRoleToLambdaPossible: allowed,
          ...ev.stats(),
        },
        rssMB: Math.round(mem.rss / 2 ** 20),
      },
      null,
      2,
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
