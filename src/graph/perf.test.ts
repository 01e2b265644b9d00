/**
 * Scale: 2,000 identities over 4 accounts with the shapes that cost most — roles trusting their
 * whole account, users allowed sts:AssumeRole on a name pattern (limited: simulated per pair),
 * iam:PassRole to service roles, IAM write permissions — analysed by the real evaluator.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allow, deny, doc, graphOf, snapshot, trustDoc, ADMIN_DOC, type RoleSpec, type UserSpec } from './scenario.test-helpers.js';
import { findPaths, nextHops, pathFrom } from './paths.js';

const ACCOUNTS = ['100000000001', '100000000002', '100000000003', '100000000004'];
const PER_ACCOUNT = 500;

function account(id: string, i: number) {
  const users: UserSpec[] = [];
  const roles: RoleSpec[] = [];
  const next = ACCOUNTS[(i + 1) % ACCOUNTS.length]!;
  for (let n = 0; n < PER_ACCOUNT * 0.6; n++) {
    const kind = n % 6;
    const inline =
      kind === 0
        ? [doc(allow(['s3:GetObject', 's3:ListBucket', 'ec2:Describe*']))]
        : kind === 1
          ? [doc(allow('sts:AssumeRole', `arn:aws:iam::${id}:role/team-${n % 20}-*`))]
          : kind === 2
            ? [doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction', 'iam:PassRole']))]
            : kind === 3
              ? [doc(allow(['iam:CreateAccessKey', 'iam:UpdateLoginProfile'], `arn:aws:iam::${id}:user/svc-*`))]
              : kind === 4
                ? [doc(allow('sts:AssumeRole', `arn:aws:iam::${next}:role/cross-*`))]
                : [doc(allow(['iam:*'], '*'), deny(['iam:CreateAccessKey', 'iam:Put*', 'iam:Attach*', 'iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy', 'iam:AddUserToGroup', 'iam:*PermissionsBoundary', 'iam:*LoginProfile', 'iam:SetDefaultPolicyVersion', 'iam:CreateRole']))];
    users.push({ name: n % 10 === 3 ? `svc-${n}` : `user-${n}`, inline, keys: n % 3 === 0 ? 1 : 0, password: n % 4 === 0 });
  }
  for (let n = 0; n < PER_ACCOUNT * 0.4; n++) {
    const kind = n % 5;
    if (kind === 0) roles.push({ name: `team-${n % 20}-${n}`, trust: trustDoc({ AWS: `arn:aws:iam::${id}:root` }), inline: [n % 40 === 0 ? ADMIN_DOC : doc(allow(['dynamodb:*']))] });
    else if (kind === 1) roles.push({ name: `fn-${n}`, trust: trustDoc({ Service: 'lambda.amazonaws.com' }), inline: [n % 50 === 1 ? ADMIN_DOC : doc(allow(['sqs:*', 'logs:*']))] });
    else if (kind === 2) roles.push({ name: `ec2-${n}`, trust: trustDoc({ Service: 'ec2.amazonaws.com' }), profile: true, inline: [doc(allow(['s3:*']))] });
    else if (kind === 3) roles.push({ name: `cross-${n}`, trust: trustDoc({ AWS: `arn:aws:iam::${ACCOUNTS[(i + ACCOUNTS.length - 1) % ACCOUNTS.length]}:root` }), inline: [n % 30 === 3 ? ADMIN_DOC : doc(allow(['ec2:*']))] });
    else roles.push({ name: `vendor-${n}`, trust: trustDoc({ AWS: 'arn:aws:iam::999999999999:root' }, 'sts:AssumeRole', n % 2 ? { StringEquals: { 'sts:ExternalId': 'x' } } : undefined), inline: [doc(allow(['s3:GetObject']))] });
  }
  return snapshot(id, { users, roles });
}

describe('scale', () => {
  it('2,000 identities: evaluator + graph + all shortest paths (time printed; npm run bench measures speed)', async () => {
    const snaps = ACCOUNTS.map((id, i) => account(id, i));
    assert.equal(snaps.reduce((n, s) => n + s.users.length + s.roles.length, 0), 2000);
    const t0 = performance.now();
    const { graph, evaluator } = await graphOf(snaps);
    const built = performance.now() - t0;
    const next = nextHops(graph, graph.adminTargets());
    let reach = 0;
    for (const n of graph.nodes.values()) if ((n.kind === 'user' || n.kind === 'role') && !n.isAdmin && pathFrom(graph, next, n.id)) reach++;
    const paths = findPaths(graph);
    const total = performance.now() - t0;
    process.stderr.write(
      `scale: ${graph.stats.nodes} nodes, ${graph.stats.edges} edges, ${graph.stats.evaluatorCalls} isAllowed calls (${evaluator.stats().simulatorCalls} simulations), graph ${graph.stats.ms} ms, evaluator+graph ${Math.round(built)} ms, total ${Math.round(total)} ms; ${reach} principals reach admin, ${paths.length} entry paths\n`,
    );
    // the planted shapes: lambda passers reach the admin fn roles; cross-account assumers reach admin cross roles
    assert.ok(reach > 300, `${reach} principals reach admin`);
    assert.ok(paths.some((p) => p.crossAccount), 'a cross-account path');
  });
});
