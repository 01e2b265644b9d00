/**
 * Graph structure beyond single techniques: trust edges from outside (external accounts, "*",
 * identity providers, services), cross-account AssumeRole, SCP-aware admin equivalence (the
 * PMapper false-admin case), CloudTrail confirmation of a role behind a resource, step evidence.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { A, ADMIN_DOC, B, allow, deny, doc, edgesFrom, graphOf, roleArn, scpChain, snapshot, trustDoc, userArn } from './scenario.test-helpers.js';
import { findPaths } from './paths.js';
import { normalizeRecord } from '../parse/normalize.js';
import { record } from '../../test/support/analysis.js';

const GH = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
const EXT = '999988887777';

describe('trust edges and entry points', () => {
  it('external account, public, unscoped OIDC and service trusts become entry nodes and edges', async () => {
    const snap = snapshot(A, {
      roles: [
        { name: 'vendor', trust: trustDoc({ AWS: `arn:aws:iam::${EXT}:root` }), inline: [ADMIN_DOC] },
        { name: 'open', trust: trustDoc({ AWS: '*' }), inline: [doc(allow('s3:GetObject'))] },
        { name: 'open-org', trust: trustDoc({ AWS: '*' }, 'sts:AssumeRole', { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }) },
        { name: 'gh', trust: trustDoc({ Federated: GH }, 'sts:AssumeRoleWithWebIdentity', { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }), inline: [doc(allow(['iam:PutRolePolicy'], roleArn('gh')))] },
        { name: 'gh-scoped', trust: trustDoc({ Federated: GH }, 'sts:AssumeRoleWithWebIdentity', { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:*' } }), inline: [ADMIN_DOC] },
        { name: 'fn', trust: trustDoc({ Service: 'lambda.amazonaws.com' }) },
      ],
    });
    const { graph } = await graphOf([snap]);
    assert.deepEqual(graph.node(`arn:aws:iam::${EXT}:root`)?.entry, ['external-account-trust']);
    assert.deepEqual(edgesFrom(graph, `arn:aws:iam::${EXT}:root`).map((e) => [e.technique, e.to]), [['trust-external', roleArn('vendor')]]);
    assert.deepEqual(edgesFrom(graph, '*').map((e) => e.to), [roleArn('open')], 'the org-narrowed role is not public');
    const gh = edgesFrom(graph, GH);
    assert.deepEqual(gh.map((e) => [e.to, e.unscoped]), [[roleArn('gh'), true], [roleArn('gh-scoped'), false]]);
    assert.deepEqual(edgesFrom(graph, 'lambda.amazonaws.com').map((e) => [e.technique, e.to]), [['trust-service', roleArn('fn')]]);
    // entry paths: the vendor account straight to an admin role; any GitHub repo → gh → PutRolePolicy on itself;
    // the scoped role is admin but not an entry (subject pinned)
    const paths = findPaths(graph);
    const by = new Map(paths.map((p) => [p.from, p.steps.map((s) => s.technique)]));
    assert.deepEqual(by.get(`arn:aws:iam::${EXT}:root`), ['trust-external']);
    assert.deepEqual(by.get(GH), ['trust-web-identity', 'iam-005']);
    assert.equal(paths.find((p) => p.from === GH)!.to, 'admin');
  });

  it('organization accounts are not external', async () => {
    const snap = snapshot(A, { roles: [{ name: 'audit', trust: trustDoc({ AWS: `arn:aws:iam::${EXT}:root` }) }] });
    const { graph } = await graphOf([snap], { organizationAccountIds: [EXT] });
    assert.deepEqual(graph.node(`arn:aws:iam::${EXT}:root`)?.entry, ['organization-account-trust']);
  });
});

describe('cross-account and SCPs', () => {
  const accounts = (bScp?: 'guardrail' | 'deny-iam') => {
    const a = snapshot(A, { users: [{ name: 'ops', keys: 1, inline: [doc(allow('sts:AssumeRole', `arn:aws:iam::${B}:role/*`))] }] });
    const b = snapshot(B, { roles: [{ name: 'admin', trust: trustDoc({ AWS: A }), inline: [ADMIN_DOC] }] });
    const scps =
      bScp === 'guardrail'
        ? [scpChain(B, [doc(allow('*'))], [doc(allow('*')), doc(deny(['organizations:LeaveOrganization', 'cloudtrail:StopLogging']))])]
        : bScp === 'deny-iam'
          ? [scpChain(B, [doc(allow('*'), deny(['iam:*']))])]
          : [];
    return graphOf([a, b], { scps });
  };

  it('a user assumes an admin role of another account trusting its account id', async () => {
    const { graph } = await accounts();
    const [p] = findPaths(graph, { from: userArn('ops') });
    assert.equal(p?.to, roleArn('admin', B));
    assert.equal(p?.crossAccount, true);
    assert.deepEqual(p?.accounts, [A, B]);
    assert.equal(graph.node(roleArn('admin', B))?.adminBasis, 'all-actions');
  });

  it('SCP guardrails (a few denied actions) leave AdministratorAccess admin-equivalent: everything the account allows', async () => {
    const { graph } = await accounts('guardrail');
    assert.equal(graph.node(roleArn('admin', B))?.adminBasis, 'account-maximum');
    assert.equal(findPaths(graph, { from: userArn('ops') }).length, 1);
  });

  it('an SCP denying iam:* makes the same role not admin-equivalent (no false admin)', async () => {
    const { graph } = await accounts('deny-iam');
    assert.equal(graph.node(roleArn('admin', B))?.isAdmin, false);
    assert.equal(findPaths(graph, { from: userArn('ops') }).length, 0);
    assert.equal(edgesFrom(graph, userArn('ops'), 'sts-001').length, 1, 'the AssumeRole edge itself remains');
  });
});

describe('CloudTrail evidence on edges', () => {
  const setup = () =>
    snapshot(A, {
      users: [{ name: 'dev', inline: [doc(allow(['lambda:UpdateFunctionCode', 'lambda:GetFunction']))] }],
      roles: [{ name: 'fn-admin', trust: trustDoc({ Service: 'lambda.amazonaws.com' }), inline: [ADMIN_DOC] }],
    });
  const ev = (r: Record<string, unknown>) => normalizeRecord(r);

  it('a function created with the role (by anyone) confirms the existing-resource edge; the update call exercises it', async () => {
    const create = ev(record({ user: 'ci', account: A }, 'lambda:CreateFunction20150331', '2026-05-01T00:00:00Z', { requestParameters: { functionName: 'job', role: roleArn('fn-admin') }, id: 'create' }));
    const update = ev(record({ user: 'dev', account: A }, 'lambda:UpdateFunctionCode20150331v2', '2026-05-02T00:00:00Z', { requestParameters: { functionName: 'job' }, id: 'update' }));
    const denied = ev(record({ user: 'dev', account: A }, 'lambda:UpdateFunctionCode20150331v2', '2026-05-03T00:00:00Z', { requestParameters: { functionName: 'other' }, error: 'AccessDeniedException', id: 'other' }));
    const before = (await graphOf([setup()])).graph;
    const [e0] = edgesFrom(before, userArn('dev'), 'lambda-003');
    assert.equal(e0?.confidence, 'potential');
    assert.equal(e0?.status, 'possible');
    const { graph } = await graphOf([setup()], { events: [create, update, denied] });
    const [e] = edgesFrom(graph, userArn('dev'), 'lambda-003');
    assert.equal(e?.confidence, 'confirmed');
    assert.equal(e?.via, `arn:aws:lambda:us-east-1:${A}:function:job`);
    assert.equal(e?.status, 'exercised');
    assert.deepEqual(e?.evidence.succeeded, ['update']);
    assert.deepEqual(e?.evidence.failed, [], 'a call on another function is not evidence for this role');
  });

  it('an external account assuming the role (logged as AWSAccount in the role account) exercises the trust edge', async () => {
    const snap = snapshot(A, { roles: [{ name: 'vendor', trust: trustDoc({ AWS: `arn:aws:iam::${EXT}:root` }) }] });
    const r = record({ user: 'x', account: EXT }, 'sts:AssumeRole', '2026-05-01T00:00:00Z', { requestParameters: { roleArn: roleArn('vendor'), roleSessionName: 's' }, id: 'ext-assume' });
    r.userIdentity = { type: 'AWSAccount', principalId: 'AIDAX', accountId: EXT };
    r.recipientAccountId = A;
    const { graph } = await graphOf([snap], { events: [ev(r)] });
    const [e] = edgesFrom(graph, `arn:aws:iam::${EXT}:root`);
    assert.equal(e?.status, 'exercised');
    assert.deepEqual(e?.evidence.succeeded, ['ext-assume']);
  });
});
