import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import { sharedData } from '../../../test/support/paths.js';
import type { AccountSnapshot, IamRole, IamUser, IamGroup, ManagedPolicy, PolicyDocument, ScpChain } from '../types.js';
import { buildIamModel } from '../model.js';
import { parseAuthorizationDetails } from '../snapshot/authorization-details.js';
import { shippedAwsManagedPolicy } from '../snapshot/aws-managed.js';
import { parseScpExport, toScpChain } from '../snapshot/scps.js';
import { createPermissionEvaluator, UnknownPrincipalError } from './evaluator.js';

const ACCT = '111122223333';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });

function role(name: string, opts: { attached?: string[]; inline?: PolicyDocument[]; boundary?: string } = {}): IamRole {
  return {
    arn: `arn:aws:iam::${ACCT}:role/${name}`,
    accountId: ACCT,
    type: 'role',
    name,
    path: '/',
    createdAt: null,
    attachedPolicyArns: opts.attached ?? [],
    inlinePolicies: (opts.inline ?? []).map((d, i) => ({ name: `inline${i}`, document: d })),
    permissionsBoundaryArn: opts.boundary ?? null,
    tags: {},
    trustPolicy: doc(),
    instanceProfileArns: [],
    lastUsed: null,
  };
}

function user(name: string, groupNames: string[], opts: { attached?: string[]; inline?: PolicyDocument[] } = {}): IamUser {
  return { ...role(name, opts), arn: `arn:aws:iam::${ACCT}:user/${name}`, type: 'user', groupNames } as unknown as IamUser;
}

function group(name: string, opts: { attached?: string[]; inline?: PolicyDocument[] } = {}): IamGroup {
  const r = role(name, opts);
  return {
    arn: `arn:aws:iam::${ACCT}:group/${name}`,
    accountId: ACCT,
    type: 'group',
    name,
    path: '/',
    createdAt: null,
    attachedPolicyArns: r.attachedPolicyArns,
    inlinePolicies: r.inlinePolicies,
    permissionsBoundaryArn: null,
    tags: {},
  };
}

function snapshot(parts: { roles?: IamRole[]; users?: IamUser[]; groups?: IamGroup[]; customer?: ManagedPolicy[] }): AccountSnapshot {
  const policies = new Map<string, ManagedPolicy>();
  for (const arn of [ADMIN, READONLY]) policies.set(arn, shippedAwsManagedPolicy(arn)!);
  for (const p of parts.customer ?? []) policies.set(p.arn, p);
  return { accountId: ACCT, importedAt: '2026-01-01T00:00:00Z', users: parts.users ?? [], roles: parts.roles ?? [], groups: parts.groups ?? [], policies, unresolvedPolicyArns: [] };
}

const customer = (name: string, document: PolicyDocument): ManagedPolicy => ({ arn: `arn:aws:iam::${ACCT}:policy/${name}`, name, document, awsManaged: false });
const arnOf = (r: { arn: string }) => r.arn;
const allActions = async () => (await expandIamActions('*', { expandAsterisk: true })).length;

test('AdministratorAccess alone is admin with every action full', async () => {
  const admin = role('Admin', { attached: [ADMIN] });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [admin] })] }));
  const e = ev.effective(admin.arn);
  assert.equal(e.isAdmin, true);
  assert.equal(e.granted.size, await allActions());
  assert.equal(e.granted.get('iam:PassRole'), 'full');
  assert.equal(e.granted.get('S3:getobject'), 'full', 'lookups ignore letter case');
  assert.equal(ev.isAllowed(admin.arn, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`), 'allowed');
});

test('a ReadOnly permission boundary limits AdministratorAccess: not admin, no writes', async () => {
  const bounded = role('Bounded', { attached: [ADMIN], boundary: READONLY });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [bounded] })] }));
  const e = ev.effective(bounded.arn);
  assert.equal(e.isAdmin, false);
  assert.equal(e.granted.get('iam:CreateUser'), undefined);
  assert.equal(e.granted.get('s3:GetObject'), 'full');
  assert.ok(e.granted.size > 1000 && e.granted.size < (await allActions()) / 2);
  assert.equal(ev.isAllowed(bounded.arn, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`), 'denied');
  assert.equal(ev.isAllowed(bounded.arn, 's3:GetObject', 'arn:aws:s3:::bucket/key'), 'allowed');
});

test('an explicit Deny removes actions and makes AdministratorAccess not admin', async () => {
  const r = role('AdminButNoIam', { attached: [ADMIN], inline: [doc({ Effect: 'Deny', Action: ['iam:*', 'organizations:Leave*'], Resource: '*' })] });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r] })] }));
  const e = ev.effective(r.arn);
  assert.equal(e.isAdmin, false);
  assert.equal(e.granted.get('iam:PassRole'), undefined);
  assert.equal(e.granted.get('organizations:LeaveOrganization'), undefined);
  assert.equal(e.granted.get('ec2:RunInstances'), 'full');
  const iamCount = [...e.granted.keys()].filter((a) => a.startsWith('iam:')).length;
  assert.equal(iamCount, 0);
  assert.equal(ev.isAllowed(r.arn, 'iam:PassRole', `arn:aws:iam::${ACCT}:role/x`), 'denied');
});

test('NotAction and NotResource', async () => {
  const r = role('NotStuff', {
    inline: [
      doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }),
      doc({ Effect: 'Allow', Action: 'iam:Get*', NotResource: `arn:aws:iam::${ACCT}:role/secret` }),
    ],
  });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r] })] }));
  const e = ev.effective(r.arn);
  assert.equal(e.isAdmin, false);
  assert.equal(e.granted.get('s3:PutObject'), 'full');
  assert.equal(e.granted.get('iam:CreateUser'), undefined);
  assert.equal(e.granted.get('iam:GetRole'), 'limited', 'NotResource grants are resource-constrained');
  assert.equal(ev.isAllowed(r.arn, 'iam:GetRole', `arn:aws:iam::${ACCT}:role/secret`), 'denied');
  assert.equal(ev.isAllowed(r.arn, 'iam:GetRole', `arn:aws:iam::${ACCT}:role/public`), 'allowed');
  const expected = (await expandIamActions(['iam:*', 'organizations:*', 'account:*'])).length;
  const iamGet = (await expandIamActions('iam:Get*')).length;
  assert.equal(e.granted.size, (await allActions()) - expected + iamGet);
});

test('an SCP denying a service removes it; the management account is not affected', async () => {
  const memberRole = role('Admin', { attached: [ADMIN] });
  const chains = parseScpExport({
    managementAccountId: '999999999999',
    policies: [
      { id: 'p-full', name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }), targets: ['r-1', 'ou-1', ACCT, '999999999999'] },
      { id: 'p-nos3', name: 'NoS3', document: doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }), targets: ['ou-1'] },
    ],
    accounts: [
      { id: ACCT, parents: ['ou-1', 'r-1'] },
      { id: '999999999999', parents: ['ou-1', 'r-1'] },
    ],
  }).map(toScpChain);
  const mgmtSnap: AccountSnapshot = { ...snapshot({}), accountId: '999999999999', roles: [{ ...memberRole, accountId: '999999999999', arn: 'arn:aws:iam::999999999999:role/Admin' }] };
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [memberRole] }), mgmtSnap], scpChains: chains }));
  const e = ev.effective(memberRole.arn);
  assert.equal(e.isAdmin, false);
  assert.equal(e.granted.get('s3:GetObject'), undefined);
  assert.equal(e.granted.get('ec2:RunInstances'), 'full');
  assert.equal(ev.isAllowed(memberRole.arn, 's3:GetObject', 'arn:aws:s3:::b/k'), 'denied');
  const m = ev.effective('arn:aws:iam::999999999999:role/Admin');
  assert.equal(m.isAdmin, true);
  assert.equal(m.granted.get('s3:GetObject'), 'full');
  // the account root is subject to SCPs too
  const root = ev.effective(`arn:aws:iam::${ACCT}:root`);
  assert.equal(root.isAdmin, false);
  assert.equal(root.granted.get('s3:GetObject'), undefined);
  assert.equal(ev.effective('arn:aws:iam::999999999999:root').isAdmin, true);
});

test('conditional grants: counted as conditional, never as full; isAllowed decides with context', async () => {
  const r = role('PassRoleToLambda', {
    inline: [
      doc(
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } },
        { Effect: 'Allow', Action: 'ec2:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
      ),
    ],
  });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r] })] }));
  const e = ev.effective(r.arn);
  assert.equal(e.granted.get('iam:PassRole'), 'conditional');
  assert.equal(e.granted.get('ec2:RunInstances'), 'conditional');
  assert.equal(e.granted.get('s3:GetObject'), 'limited');
  assert.equal(e.isAdmin, false);
  const target = `arn:aws:iam::${ACCT}:role/target`;
  assert.equal(ev.isAllowed(r.arn, 'iam:PassRole', target, { 'iam:PassedToService': 'lambda.amazonaws.com' }), 'allowed');
  assert.equal(ev.isAllowed(r.arn, 'iam:PassRole', target, { 'iam:PassedToService': 'ec2.amazonaws.com' }), 'denied');
  assert.equal(ev.isAllowed(r.arn, 'iam:PassRole', target), 'conditional', 'unknown PassedToService');
  assert.equal(ev.isAllowed(r.arn, 's3:GetObject', 'arn:aws:s3:::data/x'), 'allowed');
  assert.equal(ev.isAllowed(r.arn, 's3:GetObject', 'arn:aws:s3:::other/x'), 'denied');
});

test('a conditional Deny makes a full grant conditional (and isAllowed conditional without context)', async () => {
  const r = role('AdminOutsideRegion', {
    attached: [ADMIN],
    inline: [doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } } })],
  });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r] })] }));
  const e = ev.effective(r.arn);
  assert.equal(e.isAdmin, false);
  assert.equal(e.granted.get('ec2:RunInstances'), 'conditional');
  assert.equal(ev.isAllowed(r.arn, 'ec2:RunInstances', '*'), 'conditional');
  assert.equal(ev.isAllowed(r.arn, 'ec2:RunInstances', '*', { 'aws:RequestedRegion': 'eu-west-1' }), 'allowed');
  assert.equal(ev.isAllowed(r.arn, 'ec2:RunInstances', '*', { 'aws:RequestedRegion': 'us-east-1' }), 'denied');
});

test('principal conditions are decided from the principal itself', async () => {
  const r = role('Tagged', { inline: [doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': ACCT } } })] });
  const other = { ...role('Other'), inlinePolicies: [{ name: 'x', document: doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '000000000000' } } }) }] };
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r, other] })] }));
  assert.equal(ev.isAllowed(r.arn, 's3:ListBucket', 'arn:aws:s3:::b'), 'allowed');
  assert.equal(ev.isAllowed(other.arn, 's3:ListBucket', 'arn:aws:s3:::b'), 'denied');
});

test('group inheritance: users get their groups\' inline and managed policies; identical sets share results', async () => {
  const g = group('devs', { attached: [READONLY], inline: [doc({ Effect: 'Allow', Action: 'lambda:UpdateFunctionCode', Resource: '*' })] });
  const alice = user('alice', ['devs']);
  const bob = user('bob', ['devs']);
  const carol = user('carol', [], { inline: [doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' })] });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ users: [alice, bob, carol], groups: [g] })] }));
  const a = ev.effective(alice.arn);
  assert.equal(a.granted.get('lambda:UpdateFunctionCode'), 'full');
  assert.equal(a.granted.get('s3:GetObject'), 'full');
  assert.equal(a.granted.get('sqs:SendMessage'), undefined);
  assert.equal(ev.effective(carol.arn).granted.get('lambda:UpdateFunctionCode'), undefined);
  assert.equal(ev.effective(bob.arn).granted, a.granted, 'same policy set → same shared result');
  assert.equal(ev.stats().distinctPolicySets, 2);
  assert.throws(() => ev.effective(`arn:aws:iam::${ACCT}:user/nobody`), UnknownPrincipalError);
  assert.throws(() => (a.granted as Map<string, string>).set('x:y', 'full'), TypeError);
});

test('resource-constrained layers that do not intersect grant nothing (simulator decides)', async () => {
  const boundary = customer('OnlyBucketA', doc({ Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'] }));
  const r = role('BucketB', { inline: [doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' }, { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::a/*' })], boundary: boundary.arn });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r], customer: [boundary] })] }));
  const e = ev.effective(r.arn);
  assert.equal(e.granted.get('s3:GetObject'), undefined);
  assert.equal(e.granted.get('s3:DeleteObject'), 'limited');
  assert.ok(ev.stats().simulatorCalls > 0);
});

test('unresolved boundary: grants are at best conditional, reported', async () => {
  const r = role('UnknownBoundary', { attached: [ADMIN], boundary: `arn:aws:iam::${ACCT}:policy/Missing` });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r] })] }));
  const e = ev.effective(r.arn);
  assert.equal(e.isAdmin, false);
  assert.equal(e.granted.get('iam:CreateUser'), 'conditional');
  assert.deepEqual(e.unresolvedPolicyArns, [`arn:aws:iam::${ACCT}:policy/Missing`]);
});

test('cloudsplaining files: admins found, grants bounded by the universe, timing', async () => {
  const dir = sharedData('cloudsplaining', 'test', 'files');
  const files = ['example-authz-details.json', 'example_authz_details_for_overrides_complete.json', 'example_authz_v2.json', 'managed_policy_mismatch.json'];
  const t0 = performance.now();
  const snaps = files.map((f) => parseAuthorizationDetails(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'))));
  // two files share account 012345678901: evaluate each file on its own model
  let principals = 0;
  const admins: string[] = [];
  for (const s of snaps) {
    const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [s] }));
    for (const arn of [...s.users, ...s.roles].map(arnOf)) {
      const e = ev.effective(arn);
      principals++;
      if (e.isAdmin) admins.push(arn);
      assert.ok(e.granted.size <= (await allActions()));
    }
  }
  const ms = performance.now() - t0;
  // obama has AdministratorAccess attached in example-authz-details.json
  assert.ok(admins.includes('arn:aws:iam::012345678901:user/obama'));
  assert.ok(!admins.includes('arn:aws:iam::012345678901:role/MyRole'));
  console.log(`cloudsplaining files: ${principals} principals in ${ms.toFixed(0)} ms (including one-time action expansion)`);
});

test('ScpChain with no levels (management) and a missing chain behave the same', async () => {
  const r = role('Admin', { attached: [ADMIN] });
  const chain: ScpChain = { accountId: ACCT, levels: [], isManagementAccount: true };
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [r] })], scpChains: [chain] }));
  assert.equal(ev.effective(r.arn).isAdmin, true);
});

test('principal-only conditions are decided per principal: an SCP exemption for a break-glass role', async () => {
  const breakGlass = role('BreakGlass', { attached: [ADMIN] });
  const ops = role('Ops', { attached: [ADMIN] });
  const tagged = { ...user('dana', [], { inline: [doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'crypto' } } })] }), tags: { team: 'crypto' } };
  const untagged = user('erin', [], { inline: [doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'crypto' } } })] });
  const taggedRole = {
    ...role('TaggedRole', {
      inline: [
        doc(
          { Effect: 'Allow', Action: ['kms:Decrypt', 's3:GetObject'], Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'crypto' } } },
        ),
      ],
    }),
    tags: { team: 'crypto' },
  };
  const chains = parseScpExport({
    policies: [
      { id: 'p-full', name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }), targets: ['r-1', ACCT] },
      {
        id: 'p-iam',
        name: 'OnlyBreakGlassTouchesIam',
        document: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/BreakGlass` } } }),
        targets: ['r-1'],
      },
    ],
    accounts: [{ id: ACCT, parents: ['r-1'] }],
  }).map(toScpChain);
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [breakGlass, ops, taggedRole], users: [tagged, untagged] })], scpChains: chains }));
  const bg = ev.effective(breakGlass.arn);
  assert.equal(bg.isAdmin, true, 'the exemption applies: no deny for BreakGlass');
  assert.equal(bg.granted.get('iam:CreateUser'), 'full');
  const o = ev.effective(ops.arn);
  assert.equal(o.granted.get('iam:CreateUser'), undefined, 'for everyone else the deny is unconditional');
  assert.equal(o.granted.get('ec2:RunInstances'), 'full');
  assert.equal(ev.isAllowed(ops.arn, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`), 'denied');
  assert.equal(ev.isAllowed(breakGlass.arn, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`), 'allowed');
  // user tags are the principal's own; role tags can be overridden by session tags
  assert.equal(ev.effective(tagged.arn).granted.get('kms:Decrypt'), 'full');
  assert.equal(ev.effective(untagged.arn).granted.get('kms:Decrypt'), undefined);
  assert.equal(ev.effective(taggedRole.arn).granted.get('kms:Decrypt'), 'conditional');
  const obj = 'arn:aws:s3:::b/k';
  assert.equal(ev.isAllowed(taggedRole.arn, 's3:GetObject', obj, { 'aws:PrincipalTag/team': 'crypto' }), 'allowed');
  assert.equal(ev.isAllowed(taggedRole.arn, 's3:GetObject', obj, { 'aws:PrincipalTag/team': 'other' }), 'denied');
  assert.equal(ev.isAllowed(taggedRole.arn, 's3:GetObject', obj), 'conditional');
  // KMS keys need a key policy the model lacks: the answer comes from the identity-side grade
  const key = `arn:aws:kms:us-east-1:${ACCT}:key/k`;
  assert.equal(ev.isAllowed(taggedRole.arn, 'kms:Decrypt', key), 'conditional');
  assert.equal(ev.isAllowed(tagged.arn, 'kms:Decrypt', key), 'allowed');
  assert.equal(ev.isAllowed(untagged.arn, 'kms:Decrypt', key), 'denied');
});

test('isAllowed(sts:AssumeRole) on an imported role also needs its trust policy', async () => {
  const caller = role('Caller', { inline: [doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })] });
  const trusting = { ...role('TrustsCaller'), trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: caller.arn }, Action: 'sts:AssumeRole' }) };
  const notTrusting = { ...role('TrustsLambda'), trustPolicy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }) };
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [caller, trusting, notTrusting] })] }));
  assert.equal(ev.isAllowed(caller.arn, 'sts:AssumeRole', trusting.arn), 'allowed');
  assert.equal(ev.isAllowed(caller.arn, 'sts:AssumeRole', notTrusting.arn), 'denied');
  // trusted by ARN in the same account: no identity grant needed
  const noPolicy = role('NoPolicy');
  const trustsNoPolicy = { ...role('TrustsNoPolicy'), trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: noPolicy.arn }, Action: 'sts:AssumeRole' }) };
  const trustsAccount = { ...role('TrustsAccountMfa'), trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }) };
  const ev2 = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [caller, noPolicy, trustsNoPolicy, trustsAccount] })] }));
  assert.equal(ev2.isAllowed(noPolicy.arn, 'sts:AssumeRole', trustsNoPolicy.arn), 'allowed');
  assert.equal(ev2.isAllowed(noPolicy.arn, 'sts:AssumeRole', trustsAccount.arn), 'denied', 'trusted by account: own policy needed');
  assert.equal(ev2.isAllowed(caller.arn, 'sts:AssumeRole', trustsAccount.arn), 'conditional', 'MFA unknown');
  assert.equal(ev2.isAllowed(caller.arn, 'sts:AssumeRole', trustsAccount.arn, { 'aws:MultiFactorAuthPresent': 'true' }), 'allowed');
});

test('cross-account sts:AssumeRole: the caller\'s policies and the target\'s trust policy decide', async () => {
  const OTHER = '444455556666';
  const caller = role('Ops', { inline: [doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${OTHER}:role/*` })] });
  const idle = role('Idle');
  const targetSnap: AccountSnapshot = {
    ...snapshot({}),
    accountId: OTHER,
    roles: [
      { ...role('Admin'), accountId: OTHER, arn: `arn:aws:iam::${OTHER}:role/Admin`, trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole' }) },
      { ...role('Closed'), accountId: OTHER, arn: `arn:aws:iam::${OTHER}:role/Closed`, trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777777777777:root' }, Action: 'sts:AssumeRole' }) },
    ],
  };
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ roles: [caller, idle] }), targetSnap] }));
  assert.equal(ev.isAllowed(caller.arn, 'sts:AssumeRole', `arn:aws:iam::${OTHER}:role/Admin`), 'allowed');
  assert.equal(ev.isAllowed(caller.arn, 'sts:AssumeRole', `arn:aws:iam::${OTHER}:role/Closed`), 'denied');
  assert.equal(ev.isAllowed(idle.arn, 'sts:AssumeRole', `arn:aws:iam::${OTHER}:role/Admin`), 'denied', 'trusted account, but no grant of its own');
});

test('requests no Allow statement can match are denied without the simulator; the rest are simulated as before', async () => {
  const selfService = doc(
    { Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
    { Effect: 'Allow', Action: 'iam:CreateLoginProfile', Resource: 'arn:aws:iam::*:user/ops-?' },
    { Effect: 'Allow', Action: 'iam:UpdateLoginProfile', NotResource: `arn:aws:iam::${ACCT}:user/root-like` },
  );
  const alice = user('alice', [], { inline: [selfService] });
  const bob = user('bob', []);
  const runner = role('Runner', { inline: [selfService] });
  const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snapshot({ users: [alice, bob], roles: [runner] })] }));
  const calls = () => ev.stats().simulatorCalls;

  assert.equal(ev.isAllowed(alice.arn, 'iam:CreateAccessKey', alice.arn), 'allowed', 'her own user matches ${aws:username}');
  let before = calls();
  assert.equal(ev.isAllowed(alice.arn, 'iam:CreateAccessKey', bob.arn), 'denied');
  assert.equal(ev.isAllowed(alice.arn, 'iam:CreateLoginProfile', bob.arn), 'denied');
  assert.equal(calls(), before, 'no statement can match bob: answered without simulating');
  assert.equal(ev.isAllowed(alice.arn, 'iam:CreateLoginProfile', `arn:aws:iam::${ACCT}:user/ops-1`), 'allowed', '? matches one character');
  assert.equal(ev.isAllowed(alice.arn, 'iam:CreateLoginProfile', `arn:aws:iam::${ACCT}:user/ops-12`), 'denied');
  before = calls();
  assert.equal(ev.isAllowed(alice.arn, 'iam:UpdateLoginProfile', bob.arn), 'allowed', 'NotResource is left to the simulator');
  assert.ok(calls() > before);
  // A role has no aws:username: the simulator decides (and denies), the prefilter does not guess.
  before = calls();
  assert.equal(ev.isAllowed(runner.arn, 'iam:CreateAccessKey', bob.arn), 'denied');
  assert.ok(calls() > before);
});
