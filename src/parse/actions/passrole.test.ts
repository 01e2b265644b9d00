import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED_REFERENCE } from '../../../test/support/paths.js';
import { mapEventToActions, mapEventToActionsDetailed } from './index.js';
import { canPassRole, passedRoles } from './passrole.js';
import { findRealEvent, realEvents } from './real-events.test-helpers.js';

/** A real event with request parameters replaced (the corpora's AccessDenied copies log none). */
function withRequest(record: Record<string, unknown>, requestParameters: unknown, extra: Record<string, unknown> = {}) {
  return { ...structuredClone(record), errorCode: undefined, errorMessage: undefined, requestParameters, ...extra };
}

test('real RunInstances: the instance profile in the response is passed (iam:PassRole on the profile)', () => {
  const { record } = findRealEvent('ec2.amazonaws.com', 'RunInstances', (r) => JSON.stringify(r.responseElements ?? '').includes('instance-profile/'));
  const m = mapEventToActions(record);
  assert.deepEqual(m.actions, ['ec2:RunInstances', 'iam:PassRole']);
  assert.ok(m.resources.includes('arn:aws:iam::111122223333:instance-profile/profile-id'), m.resources.join(','));
});

test('real RunInstances without an instance profile passes no role', () => {
  const { record } = findRealEvent('ec2.amazonaws.com', 'RunInstances', (r) => !JSON.stringify(r).includes('iamInstanceProfile'));
  assert.deepEqual(mapEventToActions(record).actions, ['ec2:RunInstances']);
});

test('real ReplaceIamInstanceProfileAssociation (TrailDiscover): profile given by Name in the wrapped request', () => {
  const { record } = findRealEvent('ec2.amazonaws.com', 'ReplaceIamInstanceProfileAssociation');
  const m = mapEventToActions(record);
  assert.deepEqual(m.actions, ['ec2:ReplaceIamInstanceProfileAssociation', 'iam:PassRole']);
  const account = String(record.recipientAccountId);
  assert.ok(m.resources.includes(`arn:aws:iam::${account}:instance-profile/TrailDiscoverAdminRole`), m.resources.join(','));
});

test('real RDS, CodeBuild and Roles Anywhere events pass the role in their request', () => {
  const cases: Array<[string, string, string]> = [
    ['rds.amazonaws.com', 'AddRoleToDBCluster', 'arn:aws:iam::123456789012:role/RDS-Lambda-Access'],
    ['rds.amazonaws.com', 'StartExportTask', 'arn:aws:iam::123456789012:role/RDSExportRole'],
    ['codebuild.amazonaws.com', 'UpdateProjectVisibility', 'arn:aws:iam::111122223333:role/service-role/test'],
    ['rolesanywhere.amazonaws.com', 'CreateProfile', 'arn:aws:iam::791182566784:role/stratus-red-team-trust-anchor-role'],
  ];
  for (const [source, name, role] of cases) {
    const m = mapEventToActions(findRealEvent(source, name).record);
    assert.ok(m.actions.includes('iam:PassRole'), `${name}: ${m.actions.join(',')}`);
    assert.ok(m.resources.includes(role), `${name}: ${m.resources.join(',')}`);
  }
});

test('real CreateFunction20150331 denied with no request parameters: attempted CreateFunction, no role inferred', () => {
  const { record } = findRealEvent('lambda.amazonaws.com', 'CreateFunction20150331');
  const m = mapEventToActionsDetailed(record);
  assert.ok(m.actions.includes('lambda:CreateFunction'));
  assert.ok(!m.resources.some((r) => r.includes(':role/')));
});

test('Lambda CreateFunction / UpdateFunctionConfiguration: requestParameters.role', () => {
  const base = findRealEvent('lambda.amazonaws.com', 'CreateFunction20150331').record;
  const role = `arn:aws:iam::${String(base.recipientAccountId)}:role/lambda-exec`;
  const m = mapEventToActions(withRequest(base, { functionName: 'f', role, runtime: 'python3.12' }));
  assert.deepEqual(m.actions, ['lambda:CreateFunction', 'iam:PassRole']);
  assert.ok(m.resources.includes(role));
  const upd = findRealEvent('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2').record;
  const m2 = mapEventToActions(withRequest(upd, { functionName: 'f', role }));
  assert.deepEqual(m2.actions, ['lambda:UpdateFunctionConfiguration', 'iam:PassRole']);
});

test('EC2 RunInstances: iamInstanceProfile by name or by ARN in the request', () => {
  const base = findRealEvent('ec2.amazonaws.com', 'RunInstances', (r) => !JSON.stringify(r).includes('iamInstanceProfile')).record;
  const account = String(base.recipientAccountId);
  const byName = mapEventToActions(withRequest(base, { instanceType: 't3.micro', iamInstanceProfile: { name: 'web' } }, { responseElements: null }));
  assert.deepEqual(byName.actions, ['ec2:RunInstances', 'iam:PassRole']);
  assert.ok(byName.resources.includes(`arn:aws:iam::${account}:instance-profile/web`));
  const arn = 'arn:aws:iam::999988887777:instance-profile/ops/admin';
  const byArn = mapEventToActions(withRequest(base, { iamInstanceProfile: { arn } }, { responseElements: null }));
  assert.ok(byArn.resources.includes(arn));
});

test('CloudFormation CreateStack/UpdateStack: roleARN; Glue CreateDevEndpoint: roleArn; CreateJob: role by name', () => {
  const acct = '123456789012';
  const stack = mapEventToActions({
    eventSource: 'cloudformation.amazonaws.com', eventName: 'CreateStack', recipientAccountId: acct, awsRegion: 'us-east-1',
    requestParameters: { stackName: 's', roleARN: `arn:aws:iam::${acct}:role/cfn` },
  });
  assert.deepEqual(stack.actions, ['cloudformation:CreateStack', 'iam:PassRole']);
  assert.ok(stack.resources.includes(`arn:aws:iam::${acct}:role/cfn`));

  const glueBase = findRealEvent('glue.amazonaws.com', 'CreateDevEndpoint').record;
  const glue = mapEventToActions(withRequest(glueBase, { endpointName: 'e', roleArn: `arn:aws:iam::${acct}:role/glue` }));
  assert.deepEqual(glue.actions, ['glue:CreateDevEndpoint', 'iam:PassRole']);

  const job = mapEventToActions({
    eventSource: 'glue.amazonaws.com', eventName: 'CreateJob', recipientAccountId: acct, awsRegion: 'us-east-1',
    requestParameters: { name: 'j', role: 'GlueJobRole' },
  });
  assert.ok(job.resources.includes(`arn:aws:iam::${acct}:role/GlueJobRole`), job.resources.join(','));
});

test('field names are matched case-insensitively (RoleArn, roleARN, IamInstanceProfile.Arn)', () => {
  const acct = '123456789012';
  const targets = mapEventToActions({
    eventSource: 'events.amazonaws.com', eventName: 'PutTargets', recipientAccountId: acct,
    requestParameters: { rule: 'r', Targets: [{ Id: '1', Arn: 'arn:aws:lambda:us-east-1:1:function:x', RoleArn: `arn:aws:iam::${acct}:role/ev` }] },
  });
  assert.deepEqual(targets.actions, ['events:PutTargets', 'iam:PassRole']);
  assert.ok(targets.resources.includes(`arn:aws:iam::${acct}:role/ev`));

  const ecs = mapEventToActions({
    eventSource: 'ecs.amazonaws.com', eventName: 'RegisterTaskDefinition', recipientAccountId: acct,
    requestParameters: { family: 'f', TASKROLEARN: `arn:aws:iam::${acct}:role/task`, executionRoleArn: `arn:aws:iam::${acct}:role/exec` },
  });
  assert.ok(ecs.resources.includes(`arn:aws:iam::${acct}:role/task`) && ecs.resources.includes(`arn:aws:iam::${acct}:role/exec`));

  const assoc = mapEventToActions({
    eventSource: 'ec2.amazonaws.com', eventName: 'AssociateIamInstanceProfile', recipientAccountId: acct,
    requestParameters: { AssociateIamInstanceProfileRequest: { InstanceId: 'i-1', IamInstanceProfile: { Arn: `arn:aws:iam::${acct}:instance-profile/p` } } },
  });
  assert.ok(assoc.resources.includes(`arn:aws:iam::${acct}:instance-profile/p`));
});

test('Data Pipeline definitions pass role/resourceRole fields', () => {
  const m = mapEventToActions({
    eventSource: 'datapipeline.amazonaws.com', eventName: 'PutPipelineDefinition', recipientAccountId: '123456789012',
    requestParameters: { pipelineId: 'df-1', pipelineObjects: [{ id: 'Default', fields: [{ key: 'role', stringValue: 'DataPipelineDefaultRole' }, { key: 'resourceRole', stringValue: 'arn:aws:iam::123456789012:role/res' }] }] },
  });
  assert.ok(m.actions.includes('iam:PassRole'));
  assert.ok(m.resources.includes('arn:aws:iam::123456789012:role/DataPipelineDefaultRole'));
  assert.ok(m.resources.includes('arn:aws:iam::123456789012:role/res'));
});

test('hostile values are ignored: non-strings, non-role ARNs, huge or malformed names', () => {
  const acct = '123456789012';
  const base = { eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunction20150331', recipientAccountId: acct };
  for (const role of [42, { arn: 'x' }, [{}], 'arn:aws:iam::123456789012:user/alice', 'a'.repeat(5000), 'bad role name', 'x\u0000y']) {
    const m = mapEventToActions({ ...base, requestParameters: { role } });
    assert.deepEqual(m.actions, ['lambda:CreateFunction'], JSON.stringify(role).slice(0, 40));
  }
  // A name without a known account cannot become an ARN.
  assert.deepEqual(passedRoles('glue:CreateJob', { requestParameters: { role: 'GlueJobRole' } }), []);
});

test('every passedRoleEvidence in privesc-techniques.json has a PassRole rule', () => {
  const techniques = JSON.parse(readFileSync(resolve(SHARED_REFERENCE, 'privesc-techniques.json'), 'utf8')) as Array<{
    id: string;
    passedRoleEvidence?: Record<string, string> | null;
  }>;
  let checked = 0;
  for (const t of techniques) {
    for (const action of Object.keys(t.passedRoleEvidence ?? {})) {
      if (action.startsWith('codestar:')) continue; // legacy service, shut down; no parameter to read
      assert.ok(canPassRole(action), `${t.id}: no PassRole rule for ${action}`);
      checked++;
    }
  }
  assert.ok(checked >= 25, `only ${checked} techniques checked`);
});

test('PassRole appears only on events that carry a role', () => {
  const withPassRole = realEvents().filter((e) => mapEventToActions(e.record).actions.includes('iam:PassRole'));
  for (const e of withPassRole) {
    const m = mapEventToActions(e.record);
    const denied = typeof e.record.errorMessage === 'string' && e.record.errorMessage.includes('iam:PassRole');
    assert.ok(denied || m.resources.some((r) => /:iam::[^:]*:(role|instance-profile)\//.test(r)), String(e.record.eventName));
  }
  assert.ok(withPassRole.length >= 8, `${withPassRole.length} real events pass a role`);
});
