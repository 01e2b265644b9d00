import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT, sharedData } from '../../../test/support/paths.js';
import { canonicalAction, cloudTrailVisibility, cloudTrailVisibilityDetailed, warmUpActionMapping } from './index.js';
import { DATA_EVENT_ACTIONS, NOT_LOGGED_ACTIONS } from './visibility.js';

test('data-plane actions are data events', () => {
  for (const a of [
    's3:GetObject',
    's3:PutObject',
    's3:GetObjectVersion',
    's3:DeleteObject',
    's3:ListBucket',
    'lambda:InvokeFunction',
    'dynamodb:GetItem',
    'dynamodb:PartiQLSelect',
    'sns:Publish',
    'sqs:SendMessage',
    'ebs:GetSnapshotBlock',
  ]) {
    assert.equal(cloudTrailVisibility(a), 'data-event', a);
  }
});

test('management actions are logged, whatever CloudTrail calls them', () => {
  for (const a of [
    'iam:CreateUser',
    'ec2:RunInstances',
    's3:ListAllMyBuckets', // logged as ListBuckets
    's3:PutBucketPolicy',
    'cloudwatch:PutMetricData', // logged by monitoring.amazonaws.com
    'lambda:CreateFunction', // logged as CreateFunction20150331
    'sts:AssumeRole',
    'kms:Decrypt',
  ]) {
    assert.equal(cloudTrailVisibility(a), 'logged', a);
  }
  // Case-insensitive input.
  assert.equal(cloudTrailVisibility('IAM:createuser'), 'logged');
});

test('permission-only and unlogged actions are not-logged', () => {
  for (const a of ['iam:PassRole', 'sts:TagSession', 's3:BypassGovernanceRetention', 'execute-api:Invoke', 'rds-db:connect', 'sagemaker:InvokeEndpoint']) {
    assert.equal(cloudTrailVisibility(a), 'not-logged', a);
  }
  // Never guess about actions iam-data does not know.
  assert.equal(cloudTrailVisibility('nosuch:Thing'), 'not-logged');
  assert.equal(cloudTrailVisibility('s3:*'), 'not-logged');
});

test('services newer than the 2021 CloudTracker list count as logged; unlisted actions of listed services do not', () => {
  const ct = readFileSync(resolve(PROJECT_ROOT, 'data', 'cloudtracker', 'cloudtrail_supported_actions.txt'), 'utf8');
  assert.ok(!/^bedrock:/m.test(ct) && !/^identitystore:/m.test(ct));
  assert.equal(cloudTrailVisibility('bedrock:CreateAgent'), 'logged');
  assert.equal(cloudTrailVisibility('identitystore:CreateUser'), 'logged');
  // Lambda is in the list, GetFunctionUrlConfig (2022) is not: "unknown" is the safe answer.
  assert.ok(/^lambda:/m.test(ct) && !/^lambda:GetFunctionUrlConfig$/m.test(ct));
  assert.equal(cloudTrailVisibility('lambda:GetFunctionUrlConfig'), 'not-logged');
  // The reason is exposed so the CIEM layer can choose its own risk policy.
  assert.deepEqual(cloudTrailVisibilityDetailed('lambda:getfunctionurlconfig'), {
    visibility: 'not-logged',
    basis: 'unlisted-in-covered-service',
    action: 'lambda:GetFunctionUrlConfig',
  });
  assert.equal(cloudTrailVisibilityDetailed('bedrock:CreateAgent').basis, 'newer-service');
  assert.equal(cloudTrailVisibilityDetailed('iam:CreateUser').basis, 'cloudtracker-list');
  assert.equal(cloudTrailVisibilityDetailed('iam:PassRole').basis, 'curated');
  assert.equal(cloudTrailVisibilityDetailed('nope:Nope').basis, 'unknown-action');
});

test('the shipped CloudTracker list is the upstream file, with its licence', () => {
  const shipped = readFileSync(resolve(PROJECT_ROOT, 'data', 'cloudtracker', 'cloudtrail_supported_actions.txt'), 'utf8');
  assert.equal(shipped, readFileSync(sharedData('cloudtracker', 'cloudtrail_supported_actions.txt'), 'utf8'));
  assert.match(readFileSync(resolve(PROJECT_ROOT, 'data', 'cloudtracker', 'LICENSE'), 'utf8'), /Duo Security/);
});

test('every action in the curated visibility lists exists in iam-data', () => {
  for (const a of [...DATA_EVENT_ACTIONS, ...NOT_LOGGED_ACTIONS]) assert.ok(canonicalAction(a), a);
});

test('warm-up reports the installed iam-data version and action count', () => {
  const info = warmUpActionMapping();
  assert.match(info.iamDataVersion, /^\d+\.\d+\.\d+/);
  assert.ok(info.iamActions > 15_000, String(info.iamActions));
});
