/** Attaching managed policies to oneself when the grant names which (iam:PolicyARN): where those policies lead. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN } from './build.js';
import { findPaths } from './paths.js';
import { A, ADMIN_DOC, allow, doc, graphOf, policyArn, roleArn, snapshot, trustDoc, userArn } from './scenario.test-helpers.js';
import type { PolicyDocument } from '../iam/types.js';
import { adminRoleAssumableByService } from '../analysis/rules/admin-role-assumable-by-service.js';
import { DEFAULT_RULE_OPTIONS, type RuleContext } from '../analysis/types.js';

const U = userArn('deployer');

async function deployerMayAttach(policyArnCondition: Record<string, Record<string, unknown>>, policies: { name: string; document: PolicyDocument }[]) {
  const snap = snapshot(A, {
    users: [{ name: 'deployer', inline: [doc(allow('iam:AttachUserPolicy', U, policyArnCondition))], keys: 1 }],
    roles: [{ name: 'ec2-admin', trust: trustDoc({ Service: 'ec2.amazonaws.com' }), profile: true, inline: [ADMIN_DOC] }],
    policies,
  });
  const { graph, evaluator } = await graphOf([snap]);
  return { graph, evaluator, snap, paths: findPaths(graph, { from: U }) };
}

describe('self-attach limited to named policies', () => {
  it('attaches the one policy it may, then passes the admin role to EC2', async () => {
    const { graph, paths } = await deployerMayAttach({ ArnEquals: { 'iam:PolicyARN': policyArn('launch') } }, [
      { name: 'launch', document: doc(allow(['iam:PassRole', 'ec2:RunInstances'])) },
      { name: 'other', document: doc(allow('iam:CreateRole')) },
    ]);
    const derived = `${U}+policy:${policyArn('launch')}`;
    assert.equal(paths.length, 1);
    assert.deepEqual(
      paths[0]!.steps.map((s) => [s.from, s.technique, s.to, s.via ?? null, s.conditional]),
      [
        [U, 'iam-008', derived, policyArn('launch'), false],
        [derived, 'ec2-001', roleArn('ec2-admin'), null, false],
      ],
    );
    assert.deepEqual(graph.node(derived)?.derived, { from: U, addedGroups: [], addedPolicies: [policyArn('launch')] });
    assert.ok(!(graph.out.get(U) ?? []).some((e) => e.to === ADMIN), 'no direct step to admin');
  });

  it('the admin role handed to EC2 names the principal and the policy it must attach first', async () => {
    const { evaluator, snap } = await deployerMayAttach({ ArnEquals: { 'iam:PolicyARN': policyArn('launch') } }, [
      { name: 'launch', document: doc(allow(['iam:PassRole', 'ec2:RunInstances'])) },
    ]);
    const ctx = { asOf: '2026-06-01T00:00:00Z', windowDays: 90, windowStart: '2026-03-03T00:00:00Z', identities: [], snapshots: [snap], evaluator, options: DEFAULT_RULE_OPTIONS } as RuleContext;
    const consumers = adminRoleAssumableByService.evaluate(ctx)[0]?.details.consumers as Record<string, unknown>[];
    assert.deepEqual(
      consumers.map((c) => [c.principal, c.afterAttaching, c.afterJoining]),
      [[U, [policyArn('launch')], undefined]],
    );
  });

  it('may attach only a read-only policy: no path at all', async () => {
    const { paths } = await deployerMayAttach({ ArnEquals: { 'iam:PolicyARN': policyArn('reader') } }, [{ name: 'reader', document: doc(allow(['s3:GetObject'])) }]);
    assert.deepEqual(paths, []);
  });

  it('may attach any AWS-managed policy: AdministratorAccess, admin in one step', async () => {
    const { paths } = await deployerMayAttach({ ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/*' } }, []);
    assert.deepEqual(
      paths.map((p) => p.steps.map((s) => [s.technique, s.to, s.via, s.conditional])),
      [[['iam-008', ADMIN, 'arn:aws:iam::aws:policy/AdministratorAccess', false]]],
    );
  });
});
