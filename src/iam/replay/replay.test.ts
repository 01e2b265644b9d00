import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRecord } from '../../parse/normalize.js';
import { ACCOUNT, allow, authorizationDetails, record } from '../../../test/support/analysis.js';
import { detectIamInput, importIamInputs } from '../import.js';
import type { AccountSnapshot } from '../types.js';
import { replayAccount } from './index.js';

const T = '2026-05-01T00:00:00Z';
const CUSTOM = `arn:aws:iam::${ACCOUNT}:policy/custom`;

async function snapshot(): Promise<AccountSnapshot> {
  const doc = authorizationDetails({
    users: [
      { name: 'alice', created: '2025-01-01T00:00:00Z', managed: [CUSTOM] },
      { name: 'bob', created: '2025-01-01T00:00:00Z' },
    ],
    policies: [{ name: 'custom', document: allow(['s3:GetObject']) }],
  });
  doc.GroupDetailList = [
    { GroupName: 'admins', GroupId: 'AGPAADMINS', Arn: `arn:aws:iam::${ACCOUNT}:group/admins`, Path: '/', CreateDate: '2025-01-01T00:00:00Z', GroupPolicyList: [], AttachedManagedPolicies: [] },
  ];
  const { snapshots } = await importIamInputs([detectIamInput(JSON.stringify(doc), 'authz.json')], undefined, { importedAt: '2026-01-01T00:00:00Z' });
  return snapshots[0]!;
}

const ev = (name: string, requestParameters: Record<string, unknown>, opts: { id: string; error?: string; responseElements?: Record<string, unknown>; time?: string }) =>
  normalizeRecord(record({ user: 'ops' }, `iam:${name}`, opts.time ?? T, { requestParameters, ...opts }));

describe('replayAccount', () => {
  it('leaves the snapshot it was given untouched and ignores failed calls', async () => {
    const base = await snapshot();
    const r = replayAccount(base, [
      ev('AttachUserPolicy', { userName: 'bob', policyArn: CUSTOM }, { id: 'ok' }),
      ev('AttachUserPolicy', { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, { id: 'denied', error: 'AccessDenied' }),
    ]);
    assert.deepEqual(r.snapshot.users.find((u) => u.name === 'bob')?.attachedPolicyArns, [CUSTOM]);
    assert.deepEqual(r.snapshot.users.find((u) => u.name === 'alice')?.attachedPolicyArns, [CUSTOM]);
    assert.deepEqual(base.users.find((u) => u.name === 'bob')?.attachedPolicyArns, []);
    assert.equal(r.applied, 1);
  });

  it('resolves an attached AWS-managed policy from shipped data, and marks an unknown one uncertain', async () => {
    const r = replayAccount(await snapshot(), [
      ev('AttachUserPolicy', { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { id: 'a1' }),
      ev('AttachUserPolicy', { userName: 'bob', policyArn: `arn:aws:iam::${ACCOUNT}:policy/never-seen` }, { id: 'a2' }),
    ]);
    assert.equal(r.snapshot.policies.get('arn:aws:iam::aws:policy/ReadOnlyAccess')?.resolvedFrom, 'aws-managed-data');
    assert.equal(r.configurations.get(`arn:aws:iam::${ACCOUNT}:user/alice`)?.uncertain, false);
    const bob = r.configurations.get(`arn:aws:iam::${ACCOUNT}:user/bob`);
    assert.equal(bob?.uncertain, true);
    assert.match(bob?.uncertainty[0] ?? '', /never-seen has no known document/);
    assert.ok(r.snapshot.unresolvedPolicyArns.includes(`arn:aws:iam::${ACCOUNT}:policy/never-seen`));
  });

  it('applies policy versions exactly when their documents were seen, and flags an unseen default', async () => {
    const v2 = allow(['s3:*']);
    const r = replayAccount(await snapshot(), [
      ev('CreatePolicyVersion', { policyArn: CUSTOM, policyDocument: JSON.stringify(v2), setAsDefault: true }, { id: 'v2', responseElements: { policyVersion: { versionId: 'v2', isDefaultVersion: true } } }),
      ev('SetDefaultPolicyVersion', { policyArn: CUSTOM, versionId: 'v1' }, { id: 'back', time: '2026-05-02T00:00:00Z' }),
    ]);
    assert.deepEqual(r.snapshot.policies.get(CUSTOM)?.document.Statement[0]?.Action, ['s3:GetObject'], 'v1 is the snapshot document');
    const alice = r.configurations.get(`arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.deepEqual(alice?.changes.map((c) => c.eventID), ['v2', 'back'], 'a policy change reaches the identities attaching it');
    assert.equal(alice?.uncertain, false);

    const unseen = replayAccount(await snapshot(), [ev('SetDefaultPolicyVersion', { policyArn: CUSTOM, versionId: 'v7' }, { id: 'v7' })]);
    assert.equal(unseen.configurations.get(`arn:aws:iam::${ACCOUNT}:user/alice`)?.uncertain, true);
  });

  it('follows group membership, users and roles created and deleted, and credentials', async () => {
    const r = replayAccount(await snapshot(), [
      ev('PutGroupPolicy', { groupName: 'admins', policyName: 'all', policyDocument: JSON.stringify(allow(['*'])) }, { id: 'g1' }),
      ev('AddUserToGroup', { groupName: 'admins', userName: 'bob' }, { id: 'g2' }),
      ev('CreateRole', { roleName: 'deployer', assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }, { id: 'r1' }),
      ev('CreateAccessKey', { userName: 'bob' }, { id: 'k1', responseElements: { accessKey: { accessKeyId: 'AKIANEW', status: 'Active', userName: 'bob' } } }),
      ev('UpdateAccessKey', { userName: 'bob', accessKeyId: 'AKIANEW', status: 'Inactive' }, { id: 'k2' }),
      ev('CreateLoginProfile', { userName: 'bob' }, { id: 'p1' }),
      ev('DeleteUser', { userName: 'alice' }, { id: 'd1' }),
    ]);
    const bob = r.snapshot.users.find((u) => u.name === 'bob');
    assert.deepEqual(bob?.groupNames, ['admins']);
    assert.deepEqual(bob?.accessKeys?.map((k) => [k.id, k.active]), [['AKIANEW', false]]);
    assert.equal(bob?.hasConsolePassword, true);
    assert.deepEqual(r.configurations.get(`arn:aws:iam::${ACCOUNT}:user/bob`)?.changes.map((c) => c.eventID), ['g1', 'g2', 'k1', 'k2', 'p1']);
    assert.equal(r.snapshot.roles.find((r) => r.name === 'deployer')?.trustPolicy.Statement[0]?.Principal && true, true);
    assert.equal(r.snapshot.users.some((u) => u.name === 'alice'), false);
    assert.deepEqual(r.configurations.get(`arn:aws:iam::${ACCOUNT}:user/alice`)?.changes.map((c) => c.eventID), ['d1']);
  });
});
