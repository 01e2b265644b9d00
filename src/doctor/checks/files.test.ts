import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { put, trailKey } from '../../../test/support/trail-files.js';
import { ACCOUNT, KEY_ARN, NOW, ROLE_ARN, denied, healthyWorld, keyPolicyFor } from '../doctor.test-helpers.js';

let fx: FauxqsFixture;
before(async () => {
  fx = await startFauxqsForTest();
});
after(() => fx.stop());

const KMS_HEAD = { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN, ContentLength: 100 };

test('recent-file-readable: nothing delivered since yesterday under the connector\'s prefix fails', async () => {
  const w = await healthyWorld(fx);
  w.connector.prefix = 'trails/prod';
  const r = await w.check('recent-file-readable');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `no CloudTrail file delivered since 2026-12-04T00:00:00Z under s3://${w.bucket}/trails/prod/AWSLogs/`);
  assert.match(r.fix!, /bucket and prefix \(the part of the key before AWSLogs\/\)/);
});

test('recent-file-readable: the newest recent key is the one read; a file that is not CloudTrail fails', async () => {
  const w = await healthyWorld(fx);
  const newer = trailKey({ accountId: ACCOUNT, region: 'us-east-1', time: new Date(NOW.getTime() - 60_000), unique: 'zzNewest' });
  await put(w.s3, w.bucket, newer, 'not gzip at all');
  const r = await w.check('recent-file-readable');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `s3://${w.bucket}/${newer} is readable but is not a gzipped CloudTrail file (no Records array)`);
});

test('recent-file-readable: HeadObject denied too means an S3 permission is missing; the fix grants the log tree', async () => {
  const w = await healthyWorld(fx);
  w.canned.HeadObject = () => {
    throw denied('S3');
  };
  const r = await w.check('recent-file-readable');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `s3:GetObject on s3://${w.bucket}/${w.fileKey} is denied for ${ROLE_ARN} (HeadObject, which needs no KMS permission, is denied too: an S3 permission is missing)`);
  assert.match(r.fix!, new RegExp(`^add to the reader role's policy: \\{"Effect":"Allow","Action":\\["s3:GetObject","s3:ListBucket"\\],"Resource":\\["arn:aws:s3:::${w.bucket}/AWSLogs/\\*","arn:aws:s3:::${w.bucket}"\\]\\}`));
});

test('recent-file-readable: a GetObject denial that names kms:Decrypt is a KMS denial naming the key, with the key-policy statement', async () => {
  const w = await healthyWorld(fx);
  w.canned.HeadObject = () => KMS_HEAD;
  w.canned.GetObject = () => {
    throw denied('S3', `User: ${ROLE_ARN} is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN}`);
  };
  const r = await w.check('recent-file-readable');
  assert.equal(r.status, 'fail');
  assert.match(r.found, new RegExp(`^kms:Decrypt on key ${KEY_ARN} is denied for ${ROLE_ARN}: the object is readable \\(HeadObject works\\)`));
  assert.equal(
    r.fix,
    `add to the key policy of ${KEY_ARN}: {"Sid":"AllowTrailscopeDecrypt","Effect":"Allow","Principal":{"AWS":"${ROLE_ARN}"},"Action":"kms:Decrypt","Resource":"*","Condition":{"Null":{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}; ` +
      `and make sure the reader's role policy allows it: {"Effect":"Allow","Action":"kms:Decrypt","Resource":"${KEY_ARN}"}`,
  );
});

test('recent-file-readable: a plain AccessDenied on an SSE-KMS object is still told apart from an S3 denial', async () => {
  const w = await healthyWorld(fx);
  w.canned.HeadObject = () => KMS_HEAD;
  w.canned.GetObject = () => {
    throw denied('S3');
  };
  const r = await w.check('recent-file-readable');
  assert.equal(r.status, 'fail');
  assert.match(r.found, new RegExp(`kms:Decrypt on key ${KEY_ARN} is missing for ${ROLE_ARN}`));
  assert.match(r.fix!, /^add to the key policy of /);
});

test('recent-file-readable: a denied listing warns naming s3:ListBucket', async () => {
  const w = await healthyWorld(fx);
  w.canned.ListObjectsV2 = () => {
    throw denied('S3');
  };
  const r = await w.check('recent-file-readable');
  assert.equal(r.status, 'warn');
  assert.match(r.found, new RegExp(`s3:ListBucket was denied on arn:aws:s3:::${w.bucket}`));
});

test('kms-key: a disabled key fails with enable-key; a key pending deletion with cancel-key-deletion', async () => {
  const w = await healthyWorld(fx);
  w.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyState: 'Disabled' } });
  const r = await w.check('kms-key');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `key ${KEY_ARN} (the connector's kmsKeyArn) is Disabled: no log file encrypted with it can be read`);
  assert.equal(r.fix, `aws kms enable-key --key-id ${KEY_ARN}`);
  w.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyState: 'PendingDeletion' } });
  assert.match((await w.check('kms-key')).fix!, /^aws kms cancel-key-deletion --key-id /);
});

test('kms-key: a key policy without the reader fails with the statement; the account root (IAM delegation) passes and says so', async () => {
  const w = await healthyWorld(fx);
  w.kms.on(GetKeyPolicyCommand).resolves({ Policy: keyPolicyFor('arn:aws:iam::111122223333:role/SomeoneElse') });
  const r = await w.check('kms-key');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `the policy of key ${KEY_ARN} does not let ${ROLE_ARN} (or its account) use kms:Decrypt: log files cannot be read`);
  assert.match(r.fix!, new RegExp(`^add to the key policy of ${KEY_ARN}: \\{"Sid":"AllowTrailscopeDecrypt","Effect":"Allow","Principal":\\{"AWS":"${ROLE_ARN}"\\},"Action":"kms:Decrypt"`));

  w.kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] }) });
  const root = await w.check('kms-key');
  assert.equal(root.status, 'pass');
  assert.match(root.found, /lets account 111122223333 decrypt \(IAM delegation\): the role policy of .* must allow kms:Decrypt/);
});

test('kms-key: a denied GetKeyPolicy warns naming kms:GetKeyPolicy and the key-policy statement that grants it', async () => {
  const w = await healthyWorld(fx);
  w.kms.on(GetKeyPolicyCommand).rejects(denied('plain', 'not authorized', 'AccessDeniedException'));
  const r = await w.check('kms-key');
  assert.equal(r.status, 'warn');
  assert.match(r.found, /kms:GetKeyPolicy is denied/);
  assert.equal(r.fix, `add to the key policy of ${KEY_ARN}: {"Sid":"TrailscopeDiagnostics","Effect":"Allow","Principal":{"AWS":"${ROLE_ARN}"},"Action":"kms:GetKeyPolicy","Resource":"*"}`);
});

test('kms-key: without a configured or trail key, the recent file\'s SSE-KMS key is checked; with none at all the check is skipped', async () => {
  const w = await healthyWorld(fx);
  delete w.connector.kmsKeyArn;
  w.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...w.trail, KmsKeyId: undefined }] });
  const skip = await w.check('kms-key');
  assert.equal(skip.status, 'skip');
  assert.match(skip.found, /not encrypted with a KMS key/);

  w.canned.HeadObject = () => KMS_HEAD;
  const fromFile = await w.check('kms-key');
  assert.equal(fromFile.status, 'pass');
  assert.match(fromFile.details!.from as string, /^the SSE-KMS key of AWSLogs\//);
  assert.equal(w.kms.commandCalls(DescribeKeyCommand).at(-1)!.args[0].input.KeyId, KEY_ARN);
});
