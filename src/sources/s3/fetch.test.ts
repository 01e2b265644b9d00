import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Client, GetObjectCommand, HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { KMSClient, DescribeKeyCommand, ListAliasesCommand, KMSServiceException } from '@aws-sdk/client-kms';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { put } from '../../../test/support/trail-files.js';
import { fetchObject, SourceError } from './index.js';
import type { S3Clients } from './index.js';

let fx: FauxqsFixture;
before(async () => {
  fx = await startFauxqsForTest({ buckets: ['trail'] });
});
after(() => fx.stop());

const overTheWire = (): S3Clients => ({ s3: fx.s3, kmsIn: () => new KMSClient({ region: 'us-east-1' }), principal: async () => undefined });

async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SourceError, `expected SourceError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a SourceError');
}

test('fetchObject over the wire: bytes, etag and size of a real object (2 MB, streamed)', async () => {
  const body = randomBytes(2 * 1024 * 1024 + 17);
  await put(fx.s3, 'trail', 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/f.json.gz', body);
  const got = await fetchObject(overTheWire(), 'trail', 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/f.json.gz');
  assert.equal(got.size, body.length);
  assert.ok(got.bytes.equals(body));
  assert.match(got.etag ?? '', /^[0-9a-f]{32}$/);
});

test('fetchObject over the wire: NoSuchKey is permanent and says what to check', async () => {
  const e = await sourceError(fetchObject(overTheWire(), 'trail', 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/gone.json.gz'));
  assert.equal(e.kind, 'permanent');
  assert.equal(e.code, 'no-such-key');
  assert.equal(e.bucket, 'trail');
  assert.match(e.key, /gone\.json\.gz$/);
  assert.match(e.reason, /does not exist.*lifecycle rule/);
  assert.match(e.message, /^s3:\/\/trail\/AWSLogs\//);
});

test('fetchObject over the wire: a missing bucket is permanent; an unreachable endpoint is transient', async () => {
  const e = await sourceError(fetchObject(overTheWire(), 'no-such-bucket-here', 'k'));
  assert.equal(e.kind, 'permanent');
  assert.equal(e.code, 'no-such-bucket');
  const dead = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  try {
    const n = await sourceError(fetchObject({ ...overTheWire(), s3: dead }, 'trail', 'k'));
    assert.equal(n.kind, 'transient');
    assert.equal(n.code, 'network');
  } finally {
    dead.destroy();
  }
});

const KEY_ARN = 'arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE = 'arn:aws:iam::111122223333:role/TrailscopeReader';
const denied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });

function mocked() {
  const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const kms = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const regions: string[] = [];
  const clients: S3Clients = { s3, kmsIn: (r) => (regions.push(r), kms), principal: async () => ROLE };
  return { clients, s3m: mockClient(s3), kmsm: mockClient(kms), regions };
}

test('AccessDenied on an SSE-KMS object is diagnosed as a missing kms:Decrypt naming the key and its alias', async () => {
  const { clients, s3m, kmsm, regions } = mocked();
  s3m.on(GetObjectCommand).rejects(denied());
  s3m.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN, ContentLength: 10 });
  kmsm.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: KEY_ARN, KeyState: 'Enabled' } });
  kmsm.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/org-cloudtrail' }] });
  const e = await sourceError(fetchObject(clients, 'org-trail', 'AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2026/01/01/f.json.gz'));
  assert.equal(e.kind, 'transient');
  assert.equal(e.code, 'kms-decrypt');
  assert.match(e.reason, new RegExp(`^kms:Decrypt on key ${KEY_ARN} \\(alias/org-cloudtrail\\) is missing for ${ROLE}`));
  // The fix is a key policy statement for our role, and (cross-account key) the role policy too.
  assert.match(e.fix, /add to the key policy of arn:aws:kms:eu-west-1:999988887777:key\//);
  assert.match(e.fix, /"Principal":\{"AWS":"arn:aws:iam::111122223333:role\/TrailscopeReader"\},"Action":"kms:Decrypt"/);
  assert.match(e.fix, /key is in account 999988887777, so the reader's role policy in 111122223333 must also allow it/);
  assert.deepEqual(regions, ['eu-west-1']);
  assert.equal(kmsm.commandCalls(DescribeKeyCommand)[0]!.args[0].input.KeyId, KEY_ARN);
});

test('KMS diagnosis still names the key when kms:DescribeKey/ListAliases are denied; a disabled key is called out', async () => {
  const { clients, s3m, kmsm } = mocked();
  s3m.on(GetObjectCommand).rejects(denied());
  s3m.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
  kmsm.on(DescribeKeyCommand).rejects(new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {} }));
  kmsm.on(ListAliasesCommand).rejects(new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {} }));
  const e = await sourceError(fetchObject(clients, 'b', 'k'));
  assert.equal(e.code, 'kms-decrypt');
  assert.match(e.reason, new RegExp(`^kms:Decrypt on key ${KEY_ARN} is missing for ${ROLE}`));

  kmsm.reset();
  kmsm.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'x', Arn: KEY_ARN, KeyState: 'Disabled' } });
  kmsm.on(ListAliasesCommand).resolves({ Aliases: [] });
  const d = await sourceError(fetchObject(clients, 'b', 'k'));
  assert.equal(d.code, 'kms-key-unusable');
  assert.match(d.reason, /is Disabled/);
  assert.match(d.fix, /kms:EnableKey/);
});

test('AccessDenied with HeadObject denied too: s3:GetObject on the object ARN is missing', async () => {
  const { clients, s3m } = mocked();
  s3m.on(GetObjectCommand).rejects(denied());
  s3m.on(HeadObjectCommand).rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: '' }));
  const key = 'trails/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/f.json.gz';
  const e = await sourceError(fetchObject(clients, 'logs', key));
  assert.equal(e.code, 'access-denied');
  assert.equal(e.kind, 'transient');
  assert.match(e.reason, new RegExp(`^s3:GetObject on arn:aws:s3:::logs/${key.replace(/\//g, '\\/')} is missing for ${ROLE}`));
  assert.match(e.fix, /"Resource":\["arn:aws:s3:::logs\/trails\/AWSLogs\/\*"/);
  assert.match(e.fix, /bucket policy/);
});

test('throttling and 5xx are transient', async () => {
  const { clients, s3m } = mocked();
  s3m
    .on(GetObjectCommand)
    .rejectsOnce(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }))
    .rejects(new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } }));
  const t = await sourceError(fetchObject(clients, 'b', 'k'));
  assert.deepEqual([t.kind, t.code], ['transient', 'throttled']);
  const s = await sourceError(fetchObject(clients, 'b', 'k'));
  assert.deepEqual([s.kind, s.code], ['transient', 'server-error']);
});
