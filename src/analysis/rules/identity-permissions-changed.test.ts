import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, addRecords, allow, authorizationDetails, importIam, record, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { identityPermissionsChanged } from './identity-permissions-changed.js';
import type { Finding, RuleContext } from '../types.js';

const AS_OF = '2026-06-01T00:00:00Z';
const CHANGED_AT = '2026-05-01T00:00:00Z';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
let t: TempStore;
let ctx: RuleContext;
let findings: Finding[];

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: ['reader', 'climber', 'shrinker', 'unchanged', 'vague'].map((name) => ({ name, created: '2025-01-01T00:00:00Z', inline: [allow(['s3:GetObject', 's3:PutObject'])] })),
      }),
    ],
  });
  const put = (user: string, actions: string[], id: string) =>
    record({ user: 'ops' }, 'iam:PutUserPolicy', CHANGED_AT, { id, requestParameters: { userName: user, policyName: 'extra', policyDocument: JSON.stringify(allow(actions)) } });
  await addRecords(t.store, [
    put('reader', ['s3:ListBucket'], 'put-reader'),
    put('climber', ['iam:AttachUserPolicy'], 'put-climber'),
    record({ user: 'ops' }, 'iam:DeleteUserPolicy', CHANGED_AT, { id: 'del-shrinker', requestParameters: { userName: 'shrinker', policyName: 'inline0' } }),
    record({ user: 'ops' }, 'iam:CreateUser', CHANGED_AT, { id: 'create-newbie', requestParameters: { userName: 'newbie' } }),
    put('newbie', ['ec2:DescribeInstances'], 'put-newbie'),
    record({ user: 'ops' }, 'iam:AttachUserPolicy', CHANGED_AT, { id: 'attach-unknown', requestParameters: { userName: 'vague', policyArn: `arn:aws:iam::${ACCOUNT}:policy/never-seen` } }),
  ]);
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
  findings = identityPermissionsChanged.evaluate(ctx);
});
after(async () => t?.close());

const on = (name: string) => findings.find((f) => f.resource === arn(name));

describe('identity-permissions-changed', () => {
  it('reports the added actions, the events and the actor; medium for ordinary actions', () => {
    const f = on('reader');
    assert.ok(f);
    assert.equal(f.severity, 'medium');
    assert.deepEqual(f.details.addedActions, ['s3:ListBucket']);
    assert.deepEqual(f.details.actors, [arn('ops')]);
    assert.deepEqual((f.details.events as { eventID: string }[]).map((e) => e.eventID), ['put-reader']);
    assert.deepEqual(f.evidence, ['put-reader']);
  });

  it('is high when the added actions enable a privilege-escalation technique', () => {
    const f = on('climber');
    assert.equal(f?.severity, 'high');
    assert.deepEqual(f?.details.addedActions, ['iam:AttachUserPolicy']);
    assert.ok((f?.details.escalationTechniques as string[]).length > 0);
  });

  it('counts every permission of an identity created after the snapshot as added', () => {
    assert.deepEqual(on('newbie')?.details.addedActions, ['ec2:DescribeInstances']);
  });

  it('an attachment with no known document adds nothing, and the run says the configuration is uncertain', () => {
    assert.equal(on('vague'), undefined);
    const vague = ctx.identities.find((i) => i.summary.arn === arn('vague'));
    assert.deepEqual(vague?.summary.configuration, { replayedEvents: ['attach-unknown'], uncertain: true });
    const notice = ctx.notices?.find((n) => n.kind === 'configuration-uncertain');
    assert.match(notice?.message ?? '', /account 111122223333: .* permissions of 1 identity are uncertain \(AttachUserPolicy: .*never-seen has no known document\)/);
  });

  it('stays silent when permissions only shrank or nothing changed', () => {
    assert.equal(on('shrinker'), undefined);
    assert.equal(on('unchanged'), undefined);
    assert.equal(findings.length, 3, findings.map((f) => f.resource).join(', '));
  });
});
