import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canDecrypt, canSend, statementsOf } from './policy.js';
import { coverageOf, readDelivery } from './delivery.js';
import { queueRegionFromUrl, shellArg } from './arn.js';

const Q = 'arn:aws:sqs:eu-west-1:111122223333:trail';
const B = 'arn:aws:s3:::logs';

test('canSend: wildcard actions and resources, ArnLike patterns and "*" principals are understood', () => {
  const s = (st: object) => statementsOf(JSON.stringify({ Statement: st }))!;
  assert.equal(canSend(s({ Effect: 'Allow', Principal: { Service: ['s3.amazonaws.com'] }, Action: 'SQS:*', Resource: 'arn:aws:sqs:*:111122223333:*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::log*' } } }), 's3.amazonaws.com', Q, B).verdict, 'allowed');
  assert.equal(canSend(s({ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: Q }), 's3.amazonaws.com', Q, B).verdict, 'public');
  assert.equal(canSend(s({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: Q, Condition: { ArnEquals: { 'aws:SourceArn': B } } }), 's3.amazonaws.com', Q, B).verdict, 'allowed');
  assert.deepEqual(canSend(s({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: Q, Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } }), 's3.amazonaws.com', Q, B), { verdict: 'allowed', scope: 'account' });
  assert.equal(canSend(s({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111122223333:other' }), 's3.amazonaws.com', Q, B).verdict, 'missing');
  assert.equal(canSend(s({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, NotAction: 'sqs:DeleteQueue', Resource: Q, Condition: { ArnEquals: { 'aws:SourceArn': B } } }), 's3.amazonaws.com', Q, B).verdict, 'allowed');
  assert.equal(canSend(s({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: Q }), 's3.amazonaws.com', Q, B).verdict, 'missing');
  assert.equal(statementsOf('{not json'), undefined);
});

test('canDecrypt: the role by ARN or wildcard, the account by id or root ARN, and an unconditional Deny', () => {
  const role = 'arn:aws:iam::111122223333:role/Reader';
  const st = (p: unknown, effect = 'Allow', action: unknown = 'kms:Decrypt') => statementsOf(JSON.stringify({ Statement: [{ Effect: effect, Principal: { AWS: p }, Action: action, Resource: '*' }] }))!;
  assert.equal(canDecrypt(st('arn:aws:iam::111122223333:role/Read*'), role, '111122223333').verdict, 'principal');
  assert.equal(canDecrypt(st('111122223333', 'Allow', 'kms:*'), role, '111122223333').verdict, 'account');
  assert.equal(canDecrypt(st('arn:aws:iam::111122223333:root', 'Allow', ['kms:Encrypt', 'kms:Decrypt']), role, '111122223333').verdict, 'account');
  assert.equal(canDecrypt(st('arn:aws:iam::999999999999:root'), role, '111122223333').verdict, 'missing');
  assert.equal(canDecrypt([...st(role), ...st('*', 'Deny')], role, '111122223333').verdict, 'denied');
});

test('delivery: a rule prefix covers the logs when it is a prefix of them; the suffix must match .json.gz', () => {
  assert.equal(coverageOf('', '', 'AWSLogs/o-abcdefghij/'), 'all');
  assert.equal(coverageOf('AWSLogs/', 'json.gz', 'AWSLogs/o-abcdefghij/'), 'all');
  assert.equal(coverageOf('AWSLogs/o-abcdefghij/111122223333/', '', 'AWSLogs/o-abcdefghij/'), 'part');
  assert.equal(coverageOf('trails/AWSLogs/', '', 'AWSLogs/'), 'none');
  assert.equal(coverageOf('', '.json', 'AWSLogs/'), 'none');
  const d = readDelivery(
    {
      $metadata: {},
      QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:eu-west-1:1:other', Events: ['s3:ObjectCreated:Put'], Filter: { Key: { FilterRules: [{ Name: 'Prefix' as 'prefix', Value: 'AWSLogs/' }] } } }],
      TopicConfigurations: [{ TopicArn: 'arn:aws:sns:eu-west-1:1:t', Events: ['s3:ObjectRemoved:*'] }],
    },
    Q,
    'AWSLogs/111122223333/',
  );
  assert.deepEqual(d.direct, []);
  assert.deepEqual(d.topics, [], 'a topic rule for deletions does not deliver new files');
  assert.deepEqual(d.blocking, [{ id: '', queueArn: 'arn:aws:sqs:eu-west-1:1:other' }]);
});

test('queue region from the URL, both host forms', () => {
  assert.equal(queueRegionFromUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/q'), 'eu-west-1');
  assert.equal(queueRegionFromUrl('https://ap-southeast-2.queue.amazonaws.com/111122223333/q'), 'ap-southeast-2');
  assert.equal(queueRegionFromUrl('http://127.0.0.1:4566/000000000000/q'), undefined);
});

test('shellArg quotes anything but a plain word, so a suggested command cannot run more than itself', () => {
  assert.equal(shellArg('trails/prod'), 'trails/prod');
  assert.equal(shellArg("a b'; rm -rf ~"), `'a b'\\''; rm -rf ~'`);
  assert.equal(shellArg('$(id)'), `'$(id)'`);
});
