import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, addRecords, allow, authorizationDetails, importIam, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { loadAnalysis } from './load.js';
import { runRules } from './engine.js';
import { builtinRules } from './rules/index.js';
import { graphFor } from './graph.js';
import { findPaths } from '../graph/paths.js';

/**
 * End to end: a policy attached by a CloudTrail event after the snapshot shows up in identities,
 * findings and attack paths without a new snapshot, and goes away once a later event detaches it.
 */
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
const APP = `arn:aws:iam::${ACCOUNT}:role/app`;
const DEV = `arn:aws:iam::${ACCOUNT}:user/dev`;
const ATTACHED_AT = '2026-03-01T10:00:00Z';
const DETACHED_AT = '2026-04-01T10:00:00Z';
const BETWEEN = '2026-03-15T00:00:00Z';
const AFTER = '2026-04-15T00:00:00Z';

let t: TempStore;

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [{ name: 'dev', created: '2025-01-01T00:00:00Z', inline: [allow(['sts:AssumeRole'], APP)] }],
        roles: [
          {
            name: 'app',
            created: '2025-01-01T00:00:00Z',
            inline: [allow(['s3:GetObject'])],
            trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] },
          },
        ],
      }),
    ],
  });
  await addRecords(t.store, [
    record({ user: 'ops' }, 'iam:AttachRolePolicy', ATTACHED_AT, { id: 'attach-1', requestParameters: { roleName: 'app', policyArn: ADMIN_POLICY } }),
    // a denied attempt changes nothing
    record({ user: 'ops' }, 'iam:AttachUserPolicy', ATTACHED_AT, { id: 'denied-1', error: 'AccessDenied', requestParameters: { userName: 'dev', policyArn: ADMIN_POLICY } }),
    record({ user: 'ops' }, 'iam:DetachRolePolicy', DETACHED_AT, { id: 'detach-1', requestParameters: { roleName: 'app', policyArn: ADMIN_POLICY } }),
  ]);
});
after(async () => t?.close());

async function at(asOf: string) {
  const state = await loadAnalysis(t.store, { asOf, windowDays: 90 });
  const { findings } = runRules(builtinRules, state.ctx);
  const graph = graphFor(state.ctx);
  assert.ok(graph);
  return { state, findings, paths: findPaths(graph, { from: DEV }) };
}

describe('IAM change replay in the analysis', () => {
  it('between attach and detach: the role is admin, with findings and a path that say which event', async () => {
    const { state, findings, paths } = await at(BETWEEN);
    const app = state.ctx.identities.find((i) => i.summary.arn === APP);
    assert.equal(app?.summary.isAdmin, true);
    assert.deepEqual(app?.summary.configuration, { replayedEvents: ['attach-1'], uncertain: false });
    const dev = state.ctx.identities.find((i) => i.summary.arn === DEV);
    assert.equal(dev?.summary.isAdmin, false);
    assert.equal(dev?.summary.configuration, undefined, 'the denied call changed nothing');

    const superApp = findings.find((f) => f.rule === 'super-identity' && f.resource === APP);
    assert.ok(superApp, findings.map((f) => `${f.rule} ${f.resource}`).join('\n'));
    assert.deepEqual(superApp.details.configuration, { replayedEvents: ['attach-1'], uncertain: false });
    assert.ok(findings.some((f) => f.rule === 'privilege-escalation' && f.resource === DEV));
    const grew = findings.find((f) => f.rule === 'identity-permissions-changed' && f.resource === APP);
    assert.equal(grew?.severity, 'high');

    const devPath = paths.find((p) => p.from === DEV);
    assert.ok(devPath, 'dev reaches admin through the role');
    assert.ok(devPath.steps.some((s) => s.to === APP));
  });

  it('after the detach: back to the snapshot permissions, no admin, no path', async () => {
    const { state, findings, paths } = await at(AFTER);
    const app = state.ctx.identities.find((i) => i.summary.arn === APP);
    assert.equal(app?.summary.isAdmin, false);
    assert.deepEqual(app?.summary.configuration, { replayedEvents: ['attach-1', 'detach-1'], uncertain: false });
    assert.equal(findings.filter((f) => f.rule === 'super-identity' || f.rule === 'privilege-escalation' || f.rule === 'identity-permissions-changed').length, 0);
    assert.equal(paths.filter((p) => p.from === DEV).length, 0);
  });

  it('before the change: the snapshot as imported', async () => {
    const { state } = await at('2026-02-01T00:00:00Z');
    const app = state.ctx.identities.find((i) => i.summary.arn === APP);
    assert.equal(app?.summary.isAdmin, false);
    assert.equal(app?.summary.configuration, undefined);
  });
});
