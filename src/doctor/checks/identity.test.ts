import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { ROLE_ARN, healthyWorld, denied } from '../doctor.test-helpers.js';
import { doctorExitCode } from '../index.js';

let fx: FauxqsFixture;
before(async () => {
  fx = await startFauxqsForTest();
});
after(() => fx.stop());

test('identity: a refused AssumeRole fails with the trust-policy statement (caller and ExternalId) and skips every later check', async () => {
  const w = await healthyWorld(fx);
  w.sts.on(GetCallerIdentityCommand).rejects(
    denied('plain', `User: arn:aws:iam::999988887777:user/trailscope is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`),
  );
  const run = await w.run();
  const r = run.results[0]!;
  assert.equal(r.id, 'identity');
  assert.equal(r.status, 'fail');
  assert.match(r.found, new RegExp(`^AssumeRole of ${ROLE_ARN} with the connector's ExternalId was refused \\(AccessDenied\\)`));
  assert.equal(
    r.fix,
    `add to the trust policy of ${ROLE_ARN}: {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:user/trailscope"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"6f1c0c36-3c0c-4d5e-9a31-b0b6a3d1e2f4"}}}`,
  );
  assert.deepEqual(new Set(run.results.slice(1).map((x) => `${x.status}: ${x.found}`)), new Set(['skip: not run: identity failed']));
  assert.equal(doctorExitCode(run), 1);
});

test('identity: calls running as another principal than the connector role fail', async () => {
  const w = await healthyWorld(fx);
  w.sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/ci' });
  const r = await w.check('identity');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `calls run as arn:aws:iam::111122223333:user/ci, not as the connector's role ${ROLE_ARN}`);
  assert.match(r.fix!, /roleArn/);
});

test('identity: a role assumed without an ExternalId is a warning (confused deputy)', async () => {
  const w = await healthyWorld(fx);
  delete w.connector.externalId;
  const r = await w.check('identity');
  assert.equal(r.status, 'warn');
  assert.match(r.found, /without an ExternalId/);
  assert.match(r.fix!, /"sts:ExternalId"/);
});

test('identity: no credentials at all fails and says where credentials come from', async () => {
  const w = await healthyWorld(fx);
  delete w.connector.roleArn;
  w.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
  const r = await w.check('identity');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /^no usable AWS credentials \(CredentialsProviderError\)/);
  assert.match(r.fix!, /AWS_PROFILE/);
});

test('external-id-required: a role that can be assumed without the ExternalId fails with the trust statement demanding it', async () => {
  const w = await healthyWorld(fx);
  w.baseSts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() } });
  const r = await w.check('external-id-required');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `${ROLE_ARN} can be assumed without the ExternalId by arn:aws:iam::111122223333:user/trailscope: its trust policy does not demand sts:ExternalId`);
  assert.equal(
    r.fix,
    `replace the statement trusting arn:aws:iam::111122223333:user/trailscope in the trust policy of ${ROLE_ARN} with: {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/trailscope"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"6f1c0c36-3c0c-4d5e-9a31-b0b6a3d1e2f4"}}}`,
  );
  const probe = w.baseSts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
  assert.equal(probe.RoleArn, ROLE_ARN);
  assert.equal(probe.ExternalId, undefined, 'the probe goes without the ExternalId');
});

test('external-id-required: skipped without a role or ExternalId', async () => {
  const w = await healthyWorld(fx);
  delete w.connector.externalId;
  const r = await w.check('external-id-required');
  assert.equal(r.status, 'skip');
  assert.equal(w.baseSts.commandCalls(AssumeRoleCommand).length, 0);
});
