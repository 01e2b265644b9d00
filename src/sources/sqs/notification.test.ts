import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNotification, NotificationError, decodeS3Key } from './notification.js';

const KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/31/111122223333_CloudTrail_us-east-1_20260131T0000Z_abcdefABCDEF0123.json.gz';
const ORG_KEY = 'AWSLogs/o-abcdef1234/444455556666/CloudTrail/eu-west-1/2026/01/31/444455556666_CloudTrail_eu-west-1_20260131T0005Z_x.json.gz';
const DIGEST = 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/31/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260131T000000Z.json.gz';

function s3Body(keys: string[], eventName = 'ObjectCreated:Put', eventVersion = '2.1'): string {
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventVersion,
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-01-31T00:05:00.000Z',
      eventName,
      s3: { s3SchemaVersion: '1.0', bucket: { name: 'trail-bucket', arn: 'arn:aws:s3:::trail-bucket' }, object: { key, size: 1234, eTag: 'abc123', sequencer: '00A' } },
    })),
  });
}

test('S3 event notification: ObjectCreated keys become files, etag and size kept', () => {
  const n = parseNotification(s3Body([KEY, ORG_KEY]));
  assert.equal(n.kind, 'files');
  if (n.kind !== 'files') return;
  assert.equal(n.shape, 's3');
  assert.deepEqual(n.files.map((f) => f.key), [KEY, ORG_KEY]);
  assert.equal(n.files[0]?.bucket, 'trail-bucket');
  assert.equal(n.files[0]?.etag, 'abc123');
  assert.equal(n.files[0]?.size, 1234);
  assert.equal(n.files[0]?.fileKind, 'events');
});

test('S3 keys are decoded: + is a space, %2B is a plus', () => {
  const enc = 'weird+prefix%2Bplus/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/31/a+b%2Bc.json.gz';
  const n = parseNotification(s3Body([enc]));
  assert.equal(n.kind, 'files');
  if (n.kind !== 'files') return;
  assert.equal(n.files[0]?.key, 'weird prefix+plus/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/31/a b+c.json.gz');
  assert.equal(decodeS3Key('%C3%A9t%C3%A9+x'), 'été x');
  assert.throws(() => decodeS3Key('bad%zz'), NotificationError);
});

test('non-ObjectCreated records are ignored with a reason; eventVersion 3 is an error', () => {
  const n = parseNotification(s3Body([KEY], 'ObjectRemoved:Delete'));
  assert.equal(n.kind, 'ignored');
  if (n.kind === 'ignored') assert.match(n.reason, /ObjectRemoved:Delete/);
  assert.throws(() => parseNotification(s3Body([KEY], 'ObjectCreated:Put', '3.0')), /version 3\.0/);
  assert.equal(parseNotification(s3Body([KEY], 'ObjectCreated:Put', '2.6')).kind, 'files');
});

test('digest keys are routed as files of kind digest; other keys are ignored and listed', () => {
  const n = parseNotification(s3Body([DIGEST, 'random/readme.txt', KEY]));
  assert.equal(n.kind, 'files');
  if (n.kind !== 'files') return;
  assert.deepEqual(n.files.map((f) => f.fileKind), ['digest', 'events']);
  assert.deepEqual(n.ignored.map((i) => i.key), ['random/readme.txt']);
  const only = parseNotification(s3Body(['random/readme.txt']));
  assert.equal(only.kind, 'ignored');
  if (only.kind === 'ignored') assert.equal(only.ignored.length, 1);
});

test('s3:TestEvent is a test, not an error; also inside SNS', () => {
  const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-01-31T00:00:00.000Z', Bucket: 'trail-bucket', RequestId: 'r', HostId: 'h' });
  assert.deepEqual(parseNotification(body), { kind: 'test', shape: 's3-test', bucket: 'trail-bucket' });
  const sns = JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:1:t', Subject: 'Amazon S3 Notification', Message: body });
  assert.equal(parseNotification(sns).kind, 'test');
});

test('SNS envelope wrapping an S3 event and a CloudTrail notification', () => {
  const sns = (message: string) => JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: message, Timestamp: 'x', SignatureVersion: '1' });
  const a = parseNotification(sns(s3Body([KEY])));
  assert.equal(a.kind, 'files');
  assert.equal(a.shape, 'sns');
  const b = parseNotification(sns(JSON.stringify({ s3Bucket: 'trail-bucket', s3ObjectKey: [KEY, ORG_KEY, DIGEST] })));
  assert.equal(b.kind, 'files');
  if (b.kind !== 'files') return;
  assert.equal(b.shape, 'cloudtrail-sns');
  assert.deepEqual(b.files.map((f) => f.key), [KEY, ORG_KEY, DIGEST]);
  assert.throws(() => parseNotification(sns('not json')), /Message is not JSON/);
});

test('CloudTrail notification keys are not URL-decoded', () => {
  const key = KEY.replace('abcdef', 'a+b');
  const n = parseNotification(JSON.stringify({ s3Bucket: 'b', s3ObjectKey: [key] }));
  assert.equal(n.kind === 'files' && n.files[0]?.key, key);
});

test('EventBridge Object Created: key as given, decoded form as altKey when it looks encoded', () => {
  const eb = (key: string, detailType = 'Object Created') =>
    JSON.stringify({ version: '0', id: 'i', 'detail-type': detailType, source: 'aws.s3', account: '1', time: 't', region: 'us-east-1', resources: [], detail: { version: '0', bucket: { name: 'trail-bucket' }, object: { key, size: 10, etag: 'e1' }, reason: 'PutObject' } });
  const n = parseNotification(eb(KEY));
  assert.equal(n.kind, 'files');
  if (n.kind !== 'files') return;
  assert.equal(n.shape, 'eventbridge');
  assert.deepEqual(n.files[0], { bucket: 'trail-bucket', key: KEY, etag: 'e1', size: 10, fileKind: 'events' });
  const spaced = KEY.replace('abcdef', 'a b+c');
  const m = parseNotification(eb(spaced));
  assert.equal(m.kind === 'files' && m.files[0]?.key, spaced);
  assert.equal(m.kind === 'files' && m.files[0]?.altKey, KEY.replace('abcdef', 'a b c'));
  assert.equal(parseNotification(eb(KEY, 'Object Deleted')).kind, 'ignored');
});

test('bodies that are not notifications are permanent errors with a reason and fix', () => {
  for (const body of ['not json at all', '[]', '{"hello":"world"}', '{"Records":"x"}', '{"Records":[{"eventVersion":"2.1"}]}', '{"s3Bucket":"b"}']) {
    assert.throws(
      () => parseNotification(body),
      (err: unknown) => err instanceof NotificationError && err.reason.length > 0 && err.fix.length > 0,
      body,
    );
  }
});
