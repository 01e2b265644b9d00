/**
 * End-to-end scenarios through the real store, IAM import and parser: boundaries, explicit
 * deny, role sessions, young identities, service-linked roles, failed calls, SSO people,
 * as-of reproducibility and identities seen only in events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCOUNT,
  cover,
  addRecords,
  allow,
  authorizationDetails,
  daysBefore,
  importIam,
  record,
  tempStore,
  type TempStore,
} from '../../test/support/analysis.js';
import { loadAnalysis, type AnalysisState } from './load.js';
import { runRules } from './engine.js';
import { builtinRules } from './rules/index.js';
import type { IdentityAnalysis } from './identities.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OLD = '2025-01-01T00:00:00Z';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const arnUser = (n: string) => `arn:aws:iam::${ACCOUNT}:user/${n}`;
const arnRole = (n: string, path = '/') => `arn:aws:iam::${ACCOUNT}:role${path}${n}`;
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';

let t: TempStore;
let state: AnalysisState;
const ids: Record<string, string[]> = {};

function identity(arn: string, s: AnalysisState = state): IdentityAnalysis {
  const found = s.ctx.identities.find((i) => i.summary.arn === arn);
  assert.ok(found, `identity ${arn} listed`);
  return found;
}

function findingsFor(arn: string, rule: string, s: AnalysisState = state) {
  return runRules(builtinRules, s.ctx).findings.filter((f) => f.resource === arn && f.rule === rule);
}

before(async () => {
  t = await tempStore();
  await cover(t.store);
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        policies: [{ name: 'S3Only', document: allow(['s3:*']) }],
        users: [
          { name: 'bounded-admin', created: OLD, managed: [ADMIN], boundary: `arn:aws:iam::${ACCOUNT}:policy/S3Only` },
          { name: 'plain-admin', created: OLD, managed: [ADMIN] },
          { name: 'young', created: daysBefore(AS_OF, 10), inline: [allow(['s3:ListAllMyBuckets'])] },
          { name: 'old-idle', created: OLD, inline: [allow(['s3:ListAllMyBuckets'])] },
          { name: 'denied-only', created: OLD, inline: [allow(['s3:ListAllMyBuckets'])] },
          { name: 'late', created: OLD, inline: [allow(['iam:ListUsers'])] },
        ],
        roles: [
          {
            name: 'deny-admin',
            created: OLD,
            managed: [ADMIN],
            inline: [{ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] }],
          },
          { name: 'session-role', created: OLD, inline: [allow(['ec2:DescribeInstances', 'ec2:DescribeVolumes'])] },
          { name: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/', created: OLD, managed: [] },
          { name: 'AWSReservedSSO_Admin_0123456789abcdef', path: SSO_PATH, created: OLD, inline: [allow(['iam:ListUsers', 'iam:ListRoles'])] },
        ],
      }),
    ],
  });
  const denied = [
    record({ user: 'denied-only' }, 'iam:ListUsers', daysBefore(AS_OF, 5), { error: 'AccessDenied' }),
    record({ user: 'denied-only' }, 's3:ListBuckets', daysBefore(AS_OF, 4), { error: 'AccessDenied' }),
  ];
  ids.denied = denied.map((r) => r.eventID as string);
  const sessions = [
    record({ role: 'session-role', session: 'i-0abc1234' }, 'ec2:DescribeInstances', daysBefore(AS_OF, 3)),
    record({ role: 'session-role', session: 'i-0def5678' }, 'ec2:DescribeInstances', daysBefore(AS_OF, 2)),
  ];
  ids.sessions = sessions.map((r) => r.eventID as string);
  await addRecords(t.store, [
    ...denied,
    ...sessions,
    record({ role: 'AWSReservedSSO_Admin_0123456789abcdef', path: SSO_PATH, session: 'alice@example.com' }, 'iam:ListUsers', daysBefore(AS_OF, 6)),
    record({ role: 'AWSReservedSSO_Admin_0123456789abcdef', path: SSO_PATH, session: 'bob@example.com' }, 'iam:ListRoles', daysBefore(AS_OF, 7)),
    // after asOf: must be ignored
    record({ user: 'late' }, 'iam:ListUsers', '2026-06-10T00:00:00Z'),
    // a role that is in no snapshot
    record({ role: 'ghost', session: 'x' }, 'sts:GetCallerIdentity', daysBefore(AS_OF, 1)),
    record({ role: 'ghost', session: 'x' }, 's3:ListBuckets', daysBefore(AS_OF, 1)),
  ]);
  state = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 });
});

after(async () => {
  await t?.close();
});

describe('scenarios', () => {
  it('a permission boundary limits an AdministratorAccess user to the boundary', () => {
    const bounded = identity(arnUser('bounded-admin'));
    const plain = identity(arnUser('plain-admin'));
    assert.equal(plain.summary.isAdmin, true);
    assert.equal(bounded.summary.isAdmin, false);
    assert.ok(bounded.permissions?.granted.has('s3:GetObject'));
    assert.ok(!bounded.permissions?.granted.has('iam:CreateUser'));
    assert.ok((bounded.summary.grantedActionCount ?? 0) < (plain.summary.grantedActionCount ?? 0));
    assert.equal(findingsFor(bounded.summary.arn, 'super-identity').length, 0);
    assert.equal(findingsFor(plain.summary.arn, 'super-identity').length, 1);
  });

  it('an explicit deny removes actions and admin status', () => {
    const role = identity(arnRole('deny-admin'));
    assert.equal(role.summary.isAdmin, false);
    assert.ok(!role.permissions?.granted.has('iam:CreateUser'));
    assert.ok(role.permissions?.granted.has('ec2:RunInstances'));
    assert.equal(findingsFor(role.summary.arn, 'super-identity').length, 0);
  });

  it('a role used only through sessions is active and its use counts for the role', () => {
    const role = identity(arnRole('session-role'));
    assert.deepEqual(role.summary.usedActions, ['ec2:DescribeInstances']);
    assert.equal(role.summary.lastActivity?.slice(0, 10), daysBefore(AS_OF, 2).slice(0, 10));
    assert.equal(role.summary.unusedActionCount, 1);
    assert.equal(findingsFor(role.summary.arn, 'inactive-identity').length, 0);
    // sessions are never identities of their own
    assert.ok(!state.ctx.identities.some((i) => i.summary.arn.includes('assumed-role')));
  });

  it('an identity younger than the window is not judged inactive; an old idle one is', () => {
    assert.equal(identity(arnUser('young')).createdInWindow, true);
    assert.equal(findingsFor(arnUser('young'), 'inactive-identity').length, 0);
    const f = findingsFor(arnUser('old-idle'), 'inactive-identity');
    assert.equal(f.length, 1);
    assert.equal(f[0]?.severity, 'medium');
  });

  it('a service-linked role is never judged', () => {
    const slr = identity(arnRole('AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/'));
    assert.equal(slr.serviceLinked, true);
    assert.equal(findingsFor(slr.summary.arn, 'inactive-identity').length, 0);
  });

  it('failed calls are attempts, not use: the identity stays inactive with them as evidence', () => {
    const u = identity(arnUser('denied-only'));
    assert.deepEqual(u.summary.usedActions, []);
    assert.equal(u.summary.lastActivity, null);
    const [f] = findingsFor(u.summary.arn, 'inactive-identity');
    assert.ok(f);
    assert.deepEqual([...f.evidence].sort(), [...(ids.denied ?? [])].sort());
    assert.equal(f.details.failedCalls, 2);
  });

  it('an Identity Center role counts its sessions and names the people', () => {
    const sso = identity(arnRole('AWSReservedSSO_Admin_0123456789abcdef', SSO_PATH));
    assert.deepEqual(sso.summary.people, ['alice@example.com', 'bob@example.com']);
    assert.deepEqual(sso.summary.usedActions, ['iam:ListRoles', 'iam:ListUsers']);
    assert.equal(findingsFor(sso.summary.arn, 'inactive-identity').length, 0);
  });

  it('events after asOf are ignored, and a later asOf sees them', async () => {
    assert.equal(identity(arnUser('late')).summary.lastActivity, null);
    assert.equal(findingsFor(arnUser('late'), 'inactive-identity').length, 1);
    const later = await loadAnalysis(t.store, { asOf: '2026-06-15T00:00:00Z', windowDays: 90 });
    assert.equal(identity(arnUser('late'), later).summary.lastActivity, '2026-06-10T00:00:00Z');
    assert.equal(findingsFor(arnUser('late'), 'inactive-identity', later).length, 0);
  });

  it('identities seen only in events are listed with what is known', () => {
    const ghost = identity(arnRole('ghost'));
    assert.equal(ghost.summary.inSnapshot, false);
    assert.equal(ghost.summary.grantedActionCount, null);
    assert.equal(ghost.summary.isAdmin, null);
    assert.ok(ghost.summary.usedActions.includes('s3:ListAllMyBuckets'));
    // no rule judges what it cannot see
    assert.equal(runRules(builtinRules, state.ctx).findings.filter((f) => f.resource === ghost.summary.arn).length, 0);
  });

  it('the same inputs give the same findings (reproducible)', async () => {
    const again = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 });
    assert.deepEqual(runRules(builtinRules, again.ctx).findings, runRules(builtinRules, state.ctx).findings);
  });
});
