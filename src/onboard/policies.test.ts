import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate } from './check.js';
import { instantiate, withSampleValues } from './evaluate.test-helpers.js';
import { cloudFormationTemplate, OnboardingError, readerPolicyDocument } from './index.js';
import { boundedName, queueArnFromUrl, resourceNames, shellQuote } from './inputs.js';
import { KEY_ARN, testConnector } from './connectors.test-helpers.js';

test('readerPolicyDocument: the read role as IAM JSON, with and without a prefix', () => {
  assert.deepEqual(readerPolicyDocument(testConnector({ prefix: '/trails/prod/', kmsKeyArn: KEY_ARN })), {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadTrailLogs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::prod-cloudtrail-logs/trails/prod/AWSLogs/*' },
      {
        Sid: 'ListTrailLogs',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: 'arn:aws:s3:::prod-cloudtrail-logs',
        Condition: { StringLike: { 's3:prefix': ['trails/prod/AWSLogs/*'] } },
      },
      {
        Sid: 'ConsumeTrailNotifications',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: 'arn:aws:sqs:eu-west-1:111122223333:trailscope-prod',
      },
      {
        Sid: 'DecryptTrailLogs',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: KEY_ARN,
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ],
  });
  const plain = readerPolicyDocument(testConnector());
  assert.deepEqual(plain.Statement.map((s) => s.Resource), ['arn:aws:s3:::prod-cloudtrail-logs/AWSLogs/*', 'arn:aws:s3:::prod-cloudtrail-logs', 'arn:aws:sqs:eu-west-1:111122223333:trailscope-prod']);
  assert.deepEqual(plain.Statement[1]!.Condition, { StringLike: { 's3:prefix': ['AWSLogs/*'] } });
});

test('readerPolicyDocument: no queue statement without an AWS queue URL; an alias grants through kms:ResourceAliases', () => {
  const { queueUrl: _q, ...backfillOnly } = testConnector();
  assert.deepEqual(readerPolicyDocument(backfillOnly).Statement.map((s) => s.Sid), ['ReadTrailLogs', 'ListTrailLogs']);
  assert.deepEqual(readerPolicyDocument(testConnector({ queueUrl: 'http://localhost:4566/000000000000/trail-events' })).Statement.map((s) => s.Sid), ['ReadTrailLogs', 'ListTrailLogs']);

  const alias = readerPolicyDocument(testConnector({ kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:alias/cloudtrail' })).Statement.at(-1)!;
  assert.deepEqual(alias, {
    Sid: 'DecryptTrailLogs',
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: 'arn:aws:kms:us-east-1:111122223333:key/*',
    Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cloudtrail' } },
  });
});

test('readerPolicyDocument is the statements the templates grant, written once', () => {
  for (const connector of [testConnector({ kmsKeyArn: KEY_ARN, prefix: 'p' }), testConnector()]) {
    const t = parseTemplate(cloudFormationTemplate(connector, 'existing-trail').yaml);
    const queueArn = 'arn:aws:sqs:eu-west-1:111122223333:trailscope-prod';
    const resolved = instantiate(t, { TrailscopePrincipalArn: 'arn:aws:iam::999988887777:role/t' });
    const policies = resolved.Resources['ReaderRole']!.Properties['Policies'] as { PolicyDocument: unknown }[];
    assert.deepEqual(withSampleValues(policies[0]!.PolicyDocument, resolved, { SqsQueueArn: queueArn }), readerPolicyDocument(connector));
  }
});

test('connector values that could widen a policy or escape a string are refused', () => {
  for (const prefix of ['logs/*', 'logs?', 'a${AWS::Region}', "it's", 'a b', 'x//y', 'trails/AWSLogs']) {
    assert.throws(() => readerPolicyDocument(testConnector({ prefix })), OnboardingError, prefix);
    assert.throws(() => cloudFormationTemplate(testConnector({ prefix }), 'new-trail'), OnboardingError, prefix);
  }
  assert.throws(() => readerPolicyDocument(testConnector({ bucket: 'Bad_Bucket' })), /bucket is not a valid S3 bucket name/);
  assert.throws(() => readerPolicyDocument(testConnector({ externalId: 'x' })), /externalId/);
  assert.throws(() => readerPolicyDocument(testConnector({ name: 'a b' })), /name/);
  assert.throws(() => readerPolicyDocument(testConnector({ kmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/*' })), /kmsKeyArn/);
});

test('queue URLs become queue ARNs in their partition; anything else gives none', () => {
  assert.equal(queueArnFromUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/q-1'), 'arn:aws:sqs:eu-west-1:111122223333:q-1');
  assert.equal(queueArnFromUrl('https://eu-west-1.queue.amazonaws.com/111122223333/q.fifo'), 'arn:aws:sqs:eu-west-1:111122223333:q.fifo');
  assert.equal(queueArnFromUrl('https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q'), 'arn:aws-cn:sqs:cn-north-1:111122223333:q');
  assert.equal(queueArnFromUrl('https://sqs.us-gov-west-1.amazonaws.com/111122223333/q'), 'arn:aws-us-gov:sqs:us-gov-west-1:111122223333:q');
  assert.equal(queueArnFromUrl('http://localhost:4566/000000000000/q'), undefined);
  assert.equal(queueArnFromUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/q/extra'), undefined);
  assert.equal(queueArnFromUrl('not a url'), undefined);
});

test('names stay within AWS limits and distinct for long connector names', () => {
  const a = resourceNames('a'.repeat(60) + '-one');
  const b = resourceNames('a'.repeat(60) + '-two');
  assert.ok(a.readerRole.length <= 64 && a.memberRole.length <= 64 && a.deadLetterQueue.length <= 80);
  assert.notEqual(a.readerRole, b.readerRole);
  assert.equal(boundedName('short', 64), 'short');
  assert.equal(resourceNames('prod.eu_1').queue, 'trailscope-prod-eu-1');
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('arn:aws:iam::1:role/x'), 'arn:aws:iam::1:role/x');
});

test('an alias key passes the template checks too, in every mode that reads the connector key', async () => {
  const { checkTemplate } = await import('./check.js');
  const { ACTIONS_WITHOUT_RESOURCE_LEVEL } = await import('./policies.js');
  const connector = testConnector({ kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/cloudtrail' });
  for (const mode of ['existing-trail', 'fan-out'] as const) {
    const yaml = cloudFormationTemplate(connector, mode).yaml;
    assert.deepEqual(checkTemplate(yaml, ACTIONS_WITHOUT_RESOURCE_LEVEL), [], mode);
    assert.match(yaml, /kms:ResourceAliases: alias\/cloudtrail/);
  }
});
