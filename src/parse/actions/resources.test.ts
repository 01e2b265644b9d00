import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapEventToActions } from './index.js';
import { MAX_RESOURCES } from './resources.js';
import { findRealEvent } from './real-events.test-helpers.js';

test("CloudTrail's own resources[] ARNs are kept (ARN or arn key)", () => {
  const { record } = findRealEvent(
    'sts.amazonaws.com',
    'AssumeRole',
    (r) => Array.isArray(r.resources) && r.resources.length > 0 && typeof r.resources[0] === 'object',
  );
  const listed = (record.resources as Array<Record<string, unknown>>).map((r) => r.ARN ?? r.arn).filter((x): x is string => typeof x === 'string');
  assert.ok(listed.length > 0, 'the real event lists resources');
  const m = mapEventToActions(record);
  for (const arn of listed) assert.ok(m.resources.includes(arn), arn);
});

test('IAM names become ARNs in the recipient account; policyArn is kept', () => {
  const m = mapEventToActions({
    eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', recipientAccountId: '123456789012',
    userIdentity: { arn: 'arn:aws-us-gov:iam::123456789012:user/admin' },
    requestParameters: { userName: 'bob', policyArn: 'arn:aws-us-gov:iam::aws:policy/AdministratorAccess' },
  });
  assert.deepEqual(m.actions, ['iam:AttachUserPolicy']);
  assert.ok(m.resources.includes('arn:aws-us-gov:iam::123456789012:user/bob'), m.resources.join(','));
  assert.ok(m.resources.includes('arn:aws-us-gov:iam::aws:policy/AdministratorAccess'));
});

test('the response ARN wins for created IAM entities (it has the path)', () => {
  const m = mapEventToActions({
    eventSource: 'iam.amazonaws.com', eventName: 'CreateRole', recipientAccountId: '123456789012',
    requestParameters: { roleName: 'r', path: '/svc/' },
    responseElements: { role: { arn: 'arn:aws:iam::123456789012:role/svc/r' } },
  });
  assert.ok(m.resources.includes('arn:aws:iam::123456789012:role/svc/r'));
});

test('S3 bucket and object ARNs from bucketName/key (real ListObjects-style event)', () => {
  const m = mapEventToActions({
    eventSource: 's3.amazonaws.com', eventName: 'GetObject', awsRegion: 'cn-north-1',
    requestParameters: { bucketName: 'data', key: 'a/b.txt' },
  });
  assert.ok(m.resources.includes('arn:aws-cn:s3:::data'));
  assert.ok(m.resources.includes('arn:aws-cn:s3:::data/a/b.txt'));
});

test('resources[] given as strings (a panther test event holds Python reprs) are ignored, not parsed', () => {
  const { record } = findRealEvent('sts.amazonaws.com', 'AssumeRole', (r) => Array.isArray(r.resources) && typeof r.resources[0] === 'string');
  const m = mapEventToActions(record);
  for (const r of m.resources) assert.match(r, /^arn:[^'"{} ]+$/);
});

test('hostile resources: non-strings dropped, list bounded, junk not treated as ARNs', () => {
  const resources = [
    { ARN: 42 },
    { ARN: { x: 1 } },
    { ARN: 'not an arn' },
    ...Array.from({ length: 10_000 }, (_, i) => ({ ARN: `arn:aws:s3:::b${i}` })),
  ];
  const m = mapEventToActions({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', resources, requestParameters: { bucketName: ['x'] } });
  assert.ok(m.resources.length <= MAX_RESOURCES);
  for (const r of m.resources) assert.match(r, /^arn:/);
  const weird = mapEventToActions({ eventSource: 'iam.amazonaws.com', eventName: 'DeleteUser', recipientAccountId: '123456789012', requestParameters: { userName: 'a b/../c' } });
  assert.deepEqual(weird.resources, []);
});
