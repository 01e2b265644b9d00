import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, addRecords, allow, allowAll, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { privilegeEscalation } from './privilege-escalation.js';
import type { Finding, RuleContext } from '../types.js';
import type { PathStep } from '../../graph/paths.js';
import { trust } from './role-trust.test-helpers.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OTHER = '444455556666';
const CREATED = '2025-01-01T00:00:00Z';
const arn = (kind: 'user' | 'role', name: string, account = ACCOUNT) => `arn:aws:iam::${account}:${kind}/${name}`;
const lambdaTrust = trust({ Service: 'lambda.amazonaws.com' });
const accountTrust = (account: string) => trust({ AWS: `arn:aws:iam::${account}:root` });

let t: TempStore;
let ctx: RuleContext;
let findings: Finding[];
const of = (name: string, account = ACCOUNT) => findings.filter((f) => f.resource === arn('user', name, account) || f.resource === arn('role', name, account));
const steps = (f: Finding | undefined) => (f?.details.steps ?? []) as PathStep[];

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          // two hops: assume a deployer role, which may hand an admin role to Lambda
          { name: 'alice', created: CREATED, inline: [allow(['sts:AssumeRole'], arn('role', 'deployer'))] },
          // one hop, tried and denied
          { name: 'carol', created: CREATED, inline: [allow(['sts:AssumeRole'], arn('role', 'ops-admin'))] },
          // attaches a policy to itself: exercised (the snapshot predates the change)
          { name: 'dave', created: CREATED, inline: [allow(['iam:AttachUserPolicy'], arn('user', 'dave'))] },
          // admin now, after a successful PutUserPolicy on itself
          { name: 'erin', created: CREATED, inline: [allowAll()] },
          // the same permission as dave, capped by a permissions boundary
          { name: 'frank', created: CREATED, inline: [allow(['iam:AttachUserPolicy'], arn('user', 'frank'))], boundary: `arn:aws:iam::${ACCOUNT}:policy/cap` },
          // read-only: nothing to find
          { name: 'reader', created: CREATED, inline: [allow(['s3:GetObject'])] },
        ],
        roles: [
          { name: 'deployer', created: CREATED, trust: accountTrust(ACCOUNT), inline: [allow(['lambda:CreateFunction', 'lambda:InvokeFunction']), allow(['iam:PassRole'], arn('role', 'lambda-admin'))] },
          { name: 'lambda-admin', created: CREATED, trust: lambdaTrust, inline: [allowAll()] },
          { name: 'ops-admin', created: CREATED, trust: accountTrust(ACCOUNT), inline: [allowAll()] },
        ],
        policies: [{ name: 'cap', document: allow(['s3:*', 'iam:AttachUserPolicy']) }],
      }),
      // a second imported account whose admin role trusts the first account
      authorizationDetails({
        roles: [{ name: 'org-admin', created: CREATED, account: OTHER, trust: accountTrust(ACCOUNT), inline: [allowAll()] }],
      }),
      authorizationDetails({ users: [{ name: 'gina', created: CREATED, inline: [allow(['sts:AssumeRole'], arn('role', 'org-admin', OTHER))] }] }),
    ],
  });
  const d = (n: number) => daysBefore(AS_OF, n);
  await addRecords(t.store, [
    record({ user: 'carol' }, 'sts:AssumeRole', d(5), { error: 'AccessDenied', requestParameters: { roleArn: arn('role', 'ops-admin'), roleSessionName: 'carol' }, id: 'carol-denied' }),
    record({ user: 'dave' }, 'iam:AttachUserPolicy', d(3), { requestParameters: { userName: 'dave', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, id: 'dave-attach' }),
    record({ user: 'erin' }, 'iam:PutUserPolicy', d(4), { requestParameters: { userName: 'erin', policyName: 'all', policyDocument: '{}' }, id: 'erin-put' }),
    record({ user: 'gina' }, 'sts:AssumeRole', d(2), { requestParameters: { roleArn: arn('role', 'org-admin', OTHER), roleSessionName: 'gina' }, id: 'gina-assume' }),
    // after asOf: never looked at
    record({ user: 'alice' }, 'sts:AssumeRole', daysBefore(AS_OF, -1), { requestParameters: { roleArn: arn('role', 'deployer'), roleSessionName: 'alice' }, id: 'alice-future' }),
  ]);
  // Identity-risk detections on entry principals: gina's path was exercised two hours after hers,
  // carol only tried (denied) after hers, alice's is about someone else (not a risk rule).
  const hoursBefore = (iso: string, h: number) => new Date(Date.parse(iso) - h * 3_600_000).toISOString();
  const detection = (rule: string, user: string, eventId: string, eventTime: string) => ({
    rule, eventId, eventTime, accountId: ACCOUNT, resource: arn('user', user), severity: 'low', title: rule, description: '', remediation: '', details: {}, evidence: [eventId],
  });
  await t.store.detections.put({
    detections: [
      detection('unusual-source-ip', 'gina', 'gina-odd-login', hoursBefore(d(2), 2)),
      detection('console-login-without-mfa', 'carol', 'carol-login', hoursBefore(d(5), 1)),
      detection('root-account-usage', 'alice', 'root-call', hoursBefore(d(5), 1)),
    ],
    changes: [],
  });
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
  findings = privilegeEscalation.evaluate(ctx);
});
after(async () => t?.close());

describe('privilege-escalation', () => {
  it('multi-hop: AssumeRole into a deployer role, then PassRole + Lambda to an admin role', () => {
    const [f, ...rest] = of('alice');
    assert.equal(rest.length, 0);
    assert.ok(f, 'alice has a finding');
    assert.deepEqual(steps(f).map((s) => [s.technique, s.to]), [
      ['sts-001', arn('role', 'deployer')],
      ['lambda-001', arn('role', 'lambda-admin')],
    ]);
    assert.equal(f.details.status, 'possible', 'the AssumeRole after asOf is ignored');
    assert.equal(steps(f)[1]!.confidence, 'potential', 'no function with that role seen in CloudTrail');
    assert.equal(f.severity, 'medium');
    // the deployer role itself is one hop away
    assert.deepEqual(steps(of('deployer')[0]).map((s) => s.technique), ['lambda-001']);
  });

  it('attempted: the only enabling call was denied', () => {
    const [f] = of('carol');
    assert.ok(f, 'carol has a finding');
    assert.equal(f.details.status, 'attempted');
    assert.deepEqual(steps(f)[0]!.failedEventIds, ['carol-denied']);
    assert.deepEqual(f.evidence, ['carol-login', 'carol-denied'], 'the risk event at the entry point first');
    assert.equal(f.severity, 'high');
  });

  it('exercised: self-escalation call succeeded (critical), and the replayed attachment makes it admin now', () => {
    const [f] = of('dave');
    assert.ok(f, 'dave has a finding');
    assert.equal(f.details.status, 'exercised');
    assert.equal(f.severity, 'critical');
    // the AttachUserPolicy after the snapshot is applied to the configuration (src/iam/replay)
    assert.equal(f.details.isAdminNow, true);
    assert.deepEqual(f.details.techniques, ['iam-008']);
    assert.deepEqual(f.evidence, ['dave-attach']);
  });

  it('an identity that escalated stays reported as exercised once admin-equivalent', () => {
    const [f] = of('erin');
    assert.ok(f, 'erin has a finding');
    assert.equal(f.details.status, 'exercised');
    assert.equal(f.details.isAdminNow, true);
    assert.deepEqual(f.details.techniques, ['iam-007']);
    assert.deepEqual(f.evidence, ['erin-put']);
  });

  it('cross-account: AssumeRole into an admin role of another imported account, exercised', () => {
    const [f] = of('gina');
    assert.ok(f, 'gina has a finding');
    assert.equal(f.details.crossAccount, true);
    assert.deepEqual(f.details.accounts, [ACCOUNT, OTHER]);
    assert.equal(f.details.status, 'exercised');
    assert.deepEqual(steps(f)[0]!.succeededEventIds, ['gina-assume']);
  });

  it('puts paths exercised right after risk at their entry first, then risk alone, with the events that tie them', () => {
    const [gina] = of('gina');
    const [carol] = of('carol');
    const context = gina!.details.context as { risk: { rule: string; eventId: string }[]; exercisedAfterRisk: boolean; exercisedAfter: { eventId: string; afterRiskEventId: string }[] };
    assert.deepEqual(context.risk.map((r) => [r.rule, r.eventId]), [['unusual-source-ip', 'gina-odd-login']]);
    assert.equal(context.exercisedAfterRisk, true);
    assert.deepEqual(context.exercisedAfter.map((e) => [e.eventId, e.afterRiskEventId]), [['gina-assume', 'gina-odd-login']]);
    assert.equal(gina!.evidence[0], 'gina-odd-login');
    assert.match(gina!.description, /entry point showed risk/);
    assert.equal((carol!.details.context as { exercisedAfterRisk: boolean }).exercisedAfterRisk, false);
    assert.equal(of('alice')[0]!.details.context, undefined);
    const order = findings.map((f) => f.resource);
    assert.equal(order[0], arn('user', 'gina'));
    assert.equal(order[1], arn('user', 'carol'));
  });

  it('a permissions boundary blocks the same self-escalation; read-only and admin identities without calls are silent', () => {
    assert.equal(of('frank').length, 0);
    assert.equal(of('reader').length, 0);
    assert.equal(of('ops-admin').length, 0);
    assert.equal(of('lambda-admin').length, 0);
  });

  it('a window ending before the calls sees them as possible only', async () => {
    const early = (await loadAnalysis(t.store, { asOf: daysBefore(AS_OF, 10), windowDays: 90 })).ctx;
    const f = privilegeEscalation.evaluate(early).filter((x) => x.resource === arn('user', 'dave'));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.details.status, 'possible');
    assert.equal(privilegeEscalation.evaluate(early).filter((x) => x.resource === arn('user', 'erin')).length, 0);
  });
});
