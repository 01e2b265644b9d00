import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
// fromTemporaryCredentials calls STS through the SDK's internal nested client, so that is the
// class to mock (mocking @aws-sdk/client-sts would leave the real network call in place).
import { STSClient as NestedSTSClient, AssumeRoleCommand } from '@aws-sdk/nested-clients/sts';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients, credentialsFor, principalFromCallerArn, REFRESH_BEFORE_EXPIRY_MS } from './connection.js';

const BASE = { accessKeyId: 'AKIABASE', secretAccessKey: 'base' };
const ROLE = 'arn:aws:iam::111122223333:role/TrailscopeReader';

test('AssumeRole: ExternalId and a trailscope- session name; cached; refreshed before expiry', async () => {
  const sts = mockClient(NestedSTSClient);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let n = 0;
  sts.on(AssumeRoleCommand).callsFake(() => {
    n++;
    return {
      Credentials: {
        AccessKeyId: `ASIA${n}`,
        SecretAccessKey: 's',
        SessionToken: `t${n}`,
        Expiration: new Date(clock + 3600_000),
      },
    };
  });
  try {
    const provider = credentialsFor({ roleArn: ROLE, externalId: 'ext-123', region: 'eu-west-1', credentials: BASE, now: () => clock });
    const first = await provider();
    assert.equal(first.accessKeyId, 'ASIA1');
    const calls = sts.commandCalls(AssumeRoleCommand);
    assert.equal(calls.length, 1);
    const input = calls[0]!.args[0].input;
    assert.equal(input.RoleArn, ROLE);
    assert.equal(input.ExternalId, 'ext-123');
    assert.match(input.RoleSessionName ?? '', /^trailscope-\d+$/);

    // Concurrent and repeated calls share the session.
    const again = await Promise.all([provider(), provider(), provider()]);
    assert.ok(again.every((c) => c.accessKeyId === 'ASIA1'));
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 1);

    // Inside the refresh window: a new session is fetched before the old one expires.
    clock += 3600_000 - REFRESH_BEFORE_EXPIRY_MS + 1000;
    const refreshed = await provider();
    assert.equal(refreshed.accessKeyId, 'ASIA2');
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 2);
    assert.equal(sts.commandCalls(AssumeRoleCommand)[1]!.args[0].input.ExternalId, 'ext-123');
  } finally {
    sts.restore();
  }
});

test('AssumeRole failure is not cached: the next call tries again', async () => {
  const sts = mockClient(NestedSTSClient);
  sts.on(AssumeRoleCommand)
    .rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }))
    .resolves({ Credentials: { AccessKeyId: 'ASIAOK', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3600_000) } });
  try {
    const provider = credentialsFor({ roleArn: ROLE, credentials: BASE });
    await assert.rejects(provider(), /not authorized/);
    assert.equal((await provider()).accessKeyId, 'ASIAOK');
    assert.equal(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.ExternalId, undefined);
  } finally {
    sts.restore();
  }
});

test('clients: endpointUrl applies to S3 (path-style) and SQS, not to KMS/STS', async () => {
  const c = createClients({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:4566', credentials: BASE });
  try {
    const s3ep = await c.s3.config.endpoint?.();
    assert.equal(s3ep?.hostname, '127.0.0.1');
    assert.equal(s3ep?.port, 4566);
    assert.equal(c.s3.config.forcePathStyle, true);
    assert.equal((await c.sqs.config.endpoint?.())?.port, 4566);
    assert.equal(c.kms.config.endpoint, undefined);
    assert.equal(await c.kms.config.region(), 'eu-west-1');
    assert.equal(await c.kmsIn('us-west-2').config.region(), 'us-west-2');
    assert.equal(c.kmsIn('us-west-2'), c.kmsIn('us-west-2'));
  } finally {
    c.destroy();
  }
});

test('principal(): the role when assuming one, else the caller with its session removed', async () => {
  const sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::444455556666:assumed-role/Reader/i-0abc', Account: '444455556666' });
  const a = createClients({ region: 'us-east-1', credentials: BASE });
  const b = createClients({ region: 'us-east-1', credentials: BASE, roleArn: ROLE });
  try {
    assert.equal(await a.principal(), 'arn:aws:iam::444455556666:role/Reader');
    assert.equal(await b.principal(), ROLE);
    assert.equal(principalFromCallerArn('arn:aws:iam::1:user/x'), 'arn:aws:iam::1:user/x');
  } finally {
    sts.restore();
    a.destroy();
    b.destroy();
  }
});
