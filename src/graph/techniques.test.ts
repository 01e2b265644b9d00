/**
 * Every technique of the table, generated from the table: a positive case (the technique's
 * actions allowed, its target present → the edge exists, leading where the technique leads)
 * and negative cases where one required action is blocked by an explicit deny, a permissions
 * boundary, an SCP, or a resource constraint that excludes the target. Each case builds real
 * snapshots and runs the real evaluator.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TECHNIQUES, type Technique } from './techniques.js';
import { ADMIN } from './build.js';
import type { PolicyDocument } from '../iam/types.js';
import { A, ADMIN_DOC, allow, deny, doc, edgesFrom, graphOf, groupArn, policyArn, roleArn, scpChain, snapshot, trustDoc, userArn, type RoleSpec, type UserSpec, type GroupSpec } from './scenario.test-helpers.js';

type Blocker = 'deny' | 'boundary' | 'scp' | 'resource';

interface Case {
  attacker: string;
  expectTo: string;
  expectVia?: string;
  users: UserSpec[];
  roles: RoleSpec[];
  groups: GroupSpec[];
  policies: { name: string; document: PolicyDocument }[];
  /** The action blocked in negative cases, and the resource the grant is narrowed to for 'resource'. */
  key: string[];
  otherResource: string | null;
  scps: PolicyDocument[][];
}

/** Builds the scenario of a technique; the blocker (if any) narrows the attacker's grants. */
function scenario(t: Technique, blocker: Blocker | null): Case {
  const attackerType = t.principalTypes?.[0] ?? 'user';
  const attacker = attackerType === 'user' ? userArn('attacker') : roleArn('attacker');
  const isBoundaryTechnique = t.actions.some((a) => a.endsWith('PermissionsBoundary'));
  let key: string[] = [t.actions[0]!];
  let otherResource: string | null = null;
  const c: Case = { attacker, expectTo: ADMIN, users: [], roles: [], groups: [], policies: [], key, otherResource, scps: [] };
  let grants: string[] = [...t.actions];
  const attackerGroups: string[] = [];
  const attackerManaged: string[] = [];
  switch (t.target) {
    case 'self':
      c.expectVia = attacker;
      key = isBoundaryTechnique ? [...t.actions] : [...t.actions];
      otherResource = attackerType === 'user' ? userArn('someone-else') : roleArn('someone-else');
      break;
    case 'own-group':
      c.groups.push({ name: 'devs' });
      attackerGroups.push('devs');
      c.expectVia = groupArn('devs');
      otherResource = groupArn('other');
      break;
    case 'own-policy':
      c.policies.push({ name: 'attacker-policy', document: doc(allow(grants)) });
      attackerManaged.push(policyArn('attacker-policy'));
      grants = [];
      c.expectVia = policyArn('attacker-policy');
      otherResource = policyArn('other');
      break;
    case 'admin-group':
      c.groups.push({ name: 'admins', inline: [ADMIN_DOC] });
      c.expectVia = groupArn('admins');
      otherResource = groupArn('other');
      break;
    case 'user-credentials': {
      const spec: UserSpec = { name: 'victim', inline: [doc(allow('s3:GetObject'))] };
      if (t.actions.includes('iam:CreateAccessKey')) spec.keys = t.actions.includes('iam:DeleteAccessKey') ? 2 : 0;
      else spec.password = t.actions.includes('iam:UpdateLoginProfile');
      c.users.push(spec);
      c.expectTo = userArn('victim');
      otherResource = userArn('other');
      break;
    }
    case 'role-assume':
      c.roles.push({ name: 'target', trust: trustDoc({ AWS: `arn:aws:iam::${A}:root` }), inline: [doc(allow('s3:GetObject'))] });
      c.expectTo = roleArn('target');
      otherResource = roleArn('other');
      break;
    case 'role-trust-update':
      c.roles.push({ name: 'target', inline: [doc(allow('s3:GetObject'))] });
      c.expectTo = roleArn('target');
      otherResource = roleArn('other');
      break;
    case 'modify-and-access': {
      key = [t.modify!];
      if (t.principalTypes?.[0] === 'user') {
        c.users.push({ name: 'victim', inline: [doc(allow('s3:GetObject'))] });
        c.expectVia = userArn('victim');
        otherResource = userArn('other');
      } else {
        c.policies.push({ name: 'target-policy', document: doc(allow('s3:GetObject')) });
        c.roles.push({ name: 'target', trust: trustDoc({ AWS: `arn:aws:iam::${A}:root` }), managed: [policyArn('target-policy')] });
        c.expectVia = roleArn('target');
        otherResource = t.modify === 'iam:CreatePolicyVersion' ? policyArn('other') : roleArn('other');
      }
      break;
    }
    case 'new-role':
      key = ['iam:CreateRole'];
      otherResource = `arn:aws:iam::${A}:role/app-*`;
      break;
    case 'service-role':
      c.roles.push({ name: 'target', trust: trustDoc({ Service: t.service }), inline: [ADMIN_DOC], profile: true });
      c.expectTo = roleArn('target');
      if (t.passRole) {
        key = ['iam:PassRole'];
        otherResource = roleArn('other');
      } else {
        key = [t.actions[0]!];
        otherResource = null; // acts through an existing resource: no target ARN to narrow to
      }
      break;
  }
  c.key = key;
  c.otherResource = otherResource;

  const inline: PolicyDocument[] = [];
  let boundary: string | undefined;
  if (isBoundaryTechnique) {
    // the attacker's identity policies allow everything; its boundary allows only the technique
    inline.push(ADMIN_DOC);
    c.policies.push({ name: 'boundary', document: doc(allow([...t.actions])) });
    boundary = policyArn('boundary');
    grants = [];
  }
  if (isBoundaryTechnique && blocker === 'resource' && otherResource) {
    c.policies.find((p) => p.name === 'boundary')!.document = doc(allow([...t.actions], otherResource));
  } else if (blocker === 'resource' && otherResource) {
    const rest = grants.filter((a) => !key.includes(a));
    if (rest.length) inline.push(doc(allow(rest)));
    inline.push(doc(allow(key, otherResource)));
    if (t.target === 'own-policy') c.policies[0]!.document = doc(allow(t.actions.filter((a) => !key.includes(a)).length ? t.actions.filter((a) => !key.includes(a)) : ['iam:GetPolicy']), allow(key, otherResource));
  } else if (grants.length) inline.push(doc(allow(grants)));
  if (blocker === 'deny') inline.push(doc(deny(key)));
  if (blocker === 'boundary') {
    c.policies.push({ name: 'cap', document: doc({ Effect: 'Allow', NotAction: key, Resource: '*' }) });
    boundary = policyArn('cap');
  }
  if (blocker === 'scp') c.scps = [[doc(allow('*'), deny(key))]];
  const spec = { name: 'attacker', inline, managed: attackerManaged, ...(boundary ? { boundary } : {}) };
  if (attackerType === 'user') c.users.push({ ...spec, groups: attackerGroups });
  else c.roles.push({ ...spec, trust: trustDoc({ Service: 'states.amazonaws.com' }) });
  return c;
}

async function run(t: Technique, blocker: Blocker | null) {
  const c = scenario(t, blocker);
  const snap = snapshot(A, { users: c.users, roles: c.roles, groups: c.groups, policies: c.policies });
  const { graph } = await graphOf([snap], { scps: c.scps.length ? [scpChain(A, ...c.scps)] : [] });
  return { c, graph, edges: edgesFrom(graph, c.attacker, t.id) };
}

function blockersFor(t: Technique): Blocker[] {
  const c = scenario(t, null);
  const out: Blocker[] = ['deny', 'scp'];
  // a boundary technique already has a boundary (the negative is the deny/SCP/resource case)
  if (!t.actions.some((a) => a.endsWith('PermissionsBoundary'))) out.push('boundary');
  if (c.otherResource) out.push('resource');
  return out;
}

describe('technique table', () => {
  it('has every catalogue technique once, each with actions, events and a source', () => {
    assert.equal(TECHNIQUES.length, 78);
    assert.equal(new Set(TECHNIQUES.map((t) => t.id)).size, TECHNIQUES.length);
    for (const t of TECHNIQUES) {
      assert.ok(t.actions.length > 0 && t.events.length > 0 && t.source.startsWith('https://'), t.id);
      if (t.target === 'service-role') assert.match(t.service ?? '', /\.amazonaws\.com$/, t.id);
      if (t.target === 'modify-and-access') assert.ok(t.modify && t.access && t.actions.includes(t.modify) && t.actions.includes(t.access), t.id);
    }
  });
});

for (const t of TECHNIQUES.filter((x) => x.retired)) {
  describe(`technique ${t.id} (retired)`, () => {
    it('never becomes an edge, even when its actions are written into a policy', async () => {
      const { edges } = await run(t, null);
      assert.equal(edges.length, 0);
    });
  });
}

for (const t of TECHNIQUES.filter((x) => !x.retired)) {
  describe(`technique ${t.id} (${t.target})`, () => {
    it('positive: the edge exists and leads to its target', async () => {
      const { c, edges, graph } = await run(t, null);
      assert.ok(edges.length >= 1, `${t.id}: expected an edge from ${c.attacker}; got ${JSON.stringify(graph.out.get(c.attacker)?.map((e) => e.technique))}`);
      const e = edges.find((x) => x.to === c.expectTo);
      assert.ok(e, `${t.id}: expected an edge to ${c.expectTo}, got ${edges.map((x) => x.to).join(', ')}`);
      if (c.expectVia) assert.equal(e.via, c.expectVia, `${t.id}: via`);
      assert.equal(e.status, 'possible');
      assert.deepEqual(e.actions, [...t.actions].filter((a) => !t.anyOf || a.includes(t.principalTypes?.[0] === 'role' ? 'Role' : 'User')));
      if (t.target === 'service-role') assert.equal(e.confidence, 'potential', `${t.id}: no resource seen in CloudTrail`);
      assert.equal(graph.node(c.attacker)?.isAdmin, false, `${t.id}: the attacker starts below admin`);
    });
    for (const blocker of blockersFor(t)) {
      it(`negative: blocked by ${blocker === 'resource' ? 'a resource constraint excluding the target' : blocker === 'deny' ? 'an explicit deny' : `a ${blocker === 'scp' ? 'SCP' : 'permissions boundary'}`}`, async () => {
        const { c, edges } = await run(t, blocker);
        assert.deepEqual(
          edges.filter((e) => e.to === c.expectTo).map((e) => `${e.technique} -> ${e.to}`),
          [],
          `${t.id}: ${blocker} on ${c.key.join(',')} should remove the edge`,
        );
      });
    }
  });
}
