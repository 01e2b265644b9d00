/**
 * Joining a group that is not admin but lets a member escalate: the derived node "user + group"
 * and the multi-step paths through it, on real snapshots and the real evaluator.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN } from './build.js';
import { findPaths } from './paths.js';
import { A, ADMIN_DOC, allow, doc, graphOf, groupArn, policyArn, roleArn, snapshot, trustDoc, userArn, type GroupSpec } from './scenario.test-helpers.js';
import type { PolicyDocument } from '../iam/types.js';
import { adminRoleAssumableByService } from '../analysis/rules/admin-role-assumable-by-service.js';
import { DEFAULT_RULE_OPTIONS, type RuleContext } from '../analysis/types.js';

const U = userArn('intern');
const joinOnly = (...groups: string[]) => doc(allow('iam:AddUserToGroup', groups.map((g) => groupArn(g))));

async function pathsOfIntern(groups: GroupSpec[], extra: { policies?: { name: string; document: PolicyDocument }[] } = {}) {
  const snap = snapshot(A, {
    users: [
      { name: 'intern', inline: [joinOnly(...groups.map((g) => g.name))], keys: 1 },
      { name: 'boss', inline: [ADMIN_DOC], keys: 0 },
    ],
    roles: [{ name: 'ec2-admin', trust: trustDoc({ Service: 'ec2.amazonaws.com' }), profile: true, inline: [ADMIN_DOC] }],
    groups,
    policies: extra.policies,
  });
  const { graph, evaluator } = await graphOf([snap]);
  return { graph, evaluator, snap, paths: findPaths(graph, { from: U }) };
}

describe('group joins: escalation through the permissions of a non-admin group', () => {
  it('joins a group whose policy may rewrite itself, then creates an admin version of it', async () => {
    const { graph, paths } = await pathsOfIntern([{ name: 'policy-editors', managed: [policyArn('editors')] }], {
      policies: [{ name: 'editors', document: doc(allow('iam:CreatePolicyVersion', policyArn('editors')), allow(['s3:GetObject'])) }],
    });
    const derived = `${U}+group:${groupArn('policy-editors')}`;
    assert.equal(paths.length, 1);
    const [p] = paths;
    assert.equal(p!.to, ADMIN);
    assert.deepEqual(
      p!.steps.map((s) => [s.from, s.technique, s.to, s.via]),
      [
        [U, 'iam-013', derived, groupArn('policy-editors')],
        [derived, 'iam-001', ADMIN, policyArn('editors')],
      ],
    );
    assert.equal(p!.steps[0]!.techniqueName, 'iam:AddUserToGroup');
    assert.deepEqual(graph.node(derived)?.derived, { from: U, addedGroups: [groupArn('policy-editors')], addedPolicies: [] });
    assert.equal(graph.node(derived)?.isAdmin, false);
  });

  it('joins a group allowed to pass roles to EC2 and run instances: on to the admin role', async () => {
    const { paths } = await pathsOfIntern([{ name: 'launchers', inline: [doc(allow(['iam:PassRole', 'ec2:RunInstances']))] }]);
    const [p] = paths;
    assert.ok(p, 'a path');
    assert.equal(p.to, roleArn('ec2-admin'));
    assert.deepEqual(p.steps.map((s) => s.technique), ['iam-013', 'ec2-001']);
    assert.equal(p.steps[1]!.from, `${U}+group:${groupArn('launchers')}`);
  });

  it('the admin role handed to EC2 names the real user, and the group it must join, as a consumer', async () => {
    const { evaluator, snap } = await pathsOfIntern([{ name: 'launchers', inline: [doc(allow(['iam:PassRole', 'ec2:RunInstances']))] }]);
    const ctx = { asOf: '2026-06-01T00:00:00Z', windowDays: 90, windowStart: '2026-03-03T00:00:00Z', identities: [], snapshots: [snap], evaluator, options: DEFAULT_RULE_OPTIONS } as RuleContext;
    const [f] = adminRoleAssumableByService.evaluate(ctx);
    const consumers = f?.details.consumers as { principal: string; afterJoining?: string[]; technique: string }[];
    assert.deepEqual(
      consumers.map((c) => [c.principal, c.afterJoining, c.technique]),
      [[U, [groupArn('launchers')], 'ec2-001']],
    );
  });

  it('joins a group allowed to create access keys for an admin user', async () => {
    const { paths } = await pathsOfIntern([{ name: 'key-admins', inline: [doc(allow('iam:CreateAccessKey', userArn('boss')))] }]);
    const [p] = paths;
    assert.ok(p, 'a path');
    assert.equal(p.to, userArn('boss'));
    assert.deepEqual(p.steps.map((s) => s.technique), ['iam-013', 'iam-002']);
  });

  it('a grant split over two groups takes both joins', async () => {
    const { paths } = await pathsOfIntern([
      { name: 'passers', inline: [doc(allow('iam:PassRole'))] },
      { name: 'runners', inline: [doc(allow('ec2:RunInstances'))] },
    ]);
    const [p] = paths;
    assert.ok(p, 'a path');
    assert.equal(p.to, roleArn('ec2-admin'));
    assert.deepEqual(p.steps.map((s) => s.technique), ['iam-013', 'iam-013', 'ec2-001']);
    const both = [groupArn('passers'), groupArn('runners')].sort().map((g) => `+group:${g}`).join('');
    assert.equal(p.steps[1]!.to, `${U}${both}`);
  });

  it('a user whose own grants and a group’s together allow everything becomes admin-equivalent by joining', async () => {
    const snap = snapshot(A, {
      users: [{ name: 'intern', inline: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, allow('iam:AddUserToGroup', groupArn('iam-team')))], keys: 1 }],
      groups: [{ name: 'iam-team', inline: [doc(allow('iam:*'))] }],
    });
    const { graph } = await graphOf([snap]);
    const derived = `${U}+group:${groupArn('iam-team')}`;
    assert.equal(graph.node(U)?.isAdmin, false);
    assert.equal(graph.node(derived)?.isAdmin, true);
    const [p] = findPaths(graph, { from: U });
    assert.deepEqual(p?.steps.map((s) => [s.technique, s.to]), [['iam-013', derived]]);
  });

  it('joining a group with only harmless read permissions leads nowhere and adds no node', async () => {
    const { graph, paths } = await pathsOfIntern([{ name: 'readers', inline: [doc(allow(['s3:Get*', 's3:List*', 'iam:Get*', 'iam:List*']))] }]);
    assert.deepEqual(paths, []);
    assert.ok(![...graph.nodes.values()].some((n) => n.derived));
  });
});
