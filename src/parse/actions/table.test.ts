import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedData } from '../../../test/support/paths.js';
import {
  actionsForEventName,
  canonicalAction,
  iamPrefixForEventSource,
  mapEventToActions,
  mapEventToActionsDetailed,
} from './index.js';
import { EVENT_ACTIONS, EVENT_SOURCE_PREFIX, PERMISSIONLESS } from './table.js';
import { iamIndex } from './iam-index.js';

const ev = (eventSource: string, eventName: string, extra: Record<string, unknown> = {}) => ({
  eventSource,
  eventName,
  eventType: 'AwsApiCall',
  awsRegion: 'us-east-1',
  recipientAccountId: '123456789012',
  ...extra,
});

interface Facts {
  eventSourceToIamPrefixExceptions: Record<string, string>;
  permissionlessOperations: string[];
  operationToIamActions: Record<string, string[]>;
}
const facts = JSON.parse(readFileSync(sharedData('iam-dataset', 'cloudtrail-mapping-facts.json'), 'utf8')) as Facts;

test('every eventSource prefix exception of iam-dataset is in the table and names an iam-data service', () => {
  for (const [host, prefix] of Object.entries(facts.eventSourceToIamPrefixExceptions)) {
    assert.equal(iamPrefixForEventSource(host), prefix, host);
  }
  for (const [host, prefix] of Object.entries(EVENT_SOURCE_PREFIX)) {
    assert.ok(iamIndex().services.has(prefix), `${host} → ${prefix} is not an iam-data service`);
  }
});

test('eventSource prefix exceptions: monitoring → cloudwatch, pinpoint → mobiletargeting', () => {
  assert.deepEqual(mapEventToActions(ev('monitoring.amazonaws.com', 'PutMetricData')).actions, ['cloudwatch:PutMetricData']);
  assert.deepEqual(mapEventToActions(ev('pinpoint.amazonaws.com', 'CreateApp')).actions, ['mobiletargeting:CreateApp']);
  assert.deepEqual(mapEventToActions(ev('tagging.amazonaws.com', 'GetResources')).actions, ['tag:GetResources']);
  // Hosts are matched case-insensitively.
  assert.deepEqual(mapEventToActions(ev('Monitoring.AmazonAWS.com', 'DeleteAlarms')).actions, ['cloudwatch:DeleteAlarms']);
});

test('version-suffixed Lambda and CloudFront names map to the real action', () => {
  const cases: Array<[string, string, string]> = [
    ['lambda.amazonaws.com', 'CreateFunction20150331', 'lambda:CreateFunction'],
    ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'lambda:UpdateFunctionCode'],
    ['lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', 'lambda:UpdateFunctionConfiguration'],
    ['lambda.amazonaws.com', 'AddPermission20150331v2', 'lambda:AddPermission'],
    ['lambda.amazonaws.com', 'CreateEventSourceMapping20150331', 'lambda:CreateEventSourceMapping'],
    ['lambda.amazonaws.com', 'ListFunctions20150331', 'lambda:ListFunctions'],
    ['cloudfront.amazonaws.com', 'CreateFunction2020_05_31', 'cloudfront:CreateFunction'],
    ['cloudfront.amazonaws.com', 'CreateDistribution2020_05_31', 'cloudfront:CreateDistribution'],
  ];
  for (const [source, name, action] of cases) assert.deepEqual(mapEventToActions(ev(source, name)).actions, [action], name);
});

test('a version suffix is stripped only when the result is a real action', () => {
  const m = mapEventToActionsDetailed(ev('lambda.amazonaws.com', 'MadeUpOperation20150331'));
  assert.deepEqual(m.actions, []);
  assert.deepEqual(m.unknown, ['lambda:MadeUpOperation']);
  assert.equal(m.kind, 'unknown');
});

test('S3 event names that differ from the IAM action', () => {
  const cases: Array<[string, string[]]> = [
    ['ListBuckets', ['s3:ListAllMyBuckets']],
    ['GetBucketPublicAccessBlock', ['s3:GetBucketPublicAccessBlock']],
    ['DeleteBucketPublicAccessBlock', ['s3:PutBucketPublicAccessBlock']],
    ['DeleteBucketCors', ['s3:PutBucketCORS']],
    ['GetBucketCors', ['s3:GetBucketCORS']],
    ['PutBucketLifecycle', ['s3:PutLifecycleConfiguration']],
    ['DeleteBucketEncryption', ['s3:PutEncryptionConfiguration']],
    ['GetBucketReplication', ['s3:GetReplicationConfiguration']],
    ['ListObjects', ['s3:ListBucket']],
    ['HeadObject', ['s3:GetObject']],
    ['ListObjectVersions', ['s3:ListBucketVersions']],
  ];
  for (const [name, actions] of cases) {
    assert.deepEqual(mapEventToActions(ev('s3.amazonaws.com', name, { requestParameters: { bucketName: 'b' } })).actions, actions, name);
  }
});

test("iam-dataset's S3/Lambda/DynamoDB operation mappings are honoured (parenthetical conditions stripped)", () => {
  let checked = 0;
  for (const [operation, listed] of Object.entries(facts.operationToIamActions)) {
    const [prefix, name] = operation.split(':') as [string, string];
    const expected = listed
      .map((a) => a.replace(/\s*\(.*\)\s*$/, '').trim())
      .filter((a) => /^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a) && a !== 'iam:PassRole');
    if (expected.length === 0) continue; // prose-only entries (PartiQL) are covered by their own test
    const got = actionsForEventName(`${prefix}.amazonaws.com`, name).map((a) => a.toLowerCase());
    // The primary action is always there; the others are conditional on the request (see rules.ts).
    assert.ok(got.includes(expected[0]!.toLowerCase()), `${operation}: ${got.join(',')} lacks ${expected[0]}`);
    for (const a of got) assert.ok(canonicalAction(a), `${operation} → ${a} unknown to iam-data`);
    checked++;
  }
  assert.ok(checked >= 35, `only ${checked} facts checked`);
});

test('every action named in the table exists in iam-data', () => {
  for (const [key, actions] of Object.entries(EVENT_ACTIONS)) {
    for (const a of actions) assert.ok(canonicalAction(a), `${key} → ${a} is not in iam-data`);
  }
});

test('S3 object calls with a versionId need the Version action', () => {
  const req = { bucketName: 'b', key: 'k', versionId: 'v1' };
  assert.deepEqual(mapEventToActions(ev('s3.amazonaws.com', 'GetObject', { requestParameters: req })).actions, ['s3:GetObjectVersion']);
  assert.deepEqual(mapEventToActions(ev('s3.amazonaws.com', 'DeleteObject', { requestParameters: req })).actions, ['s3:DeleteObjectVersion']);
  assert.deepEqual(
    mapEventToActions(ev('s3.amazonaws.com', 'GetObject', { requestParameters: { bucketName: 'b', key: 'k' } })).actions,
    ['s3:GetObject'],
  );
  assert.deepEqual(
    new Set(mapEventToActions(ev('s3.amazonaws.com', 'CopyObject', { requestParameters: { 'x-amz-copy-source': 'src/k?versionId=3' } })).actions),
    new Set(['s3:PutObject', 's3:GetObjectVersion']),
  );
});

test('DynamoDB PartiQL and transactions map by statement / item kind', () => {
  assert.deepEqual(
    mapEventToActions(ev('dynamodb.amazonaws.com', 'ExecuteStatement', { requestParameters: { statement: 'SELECT * FROM t' } })).actions,
    ['dynamodb:PartiQLSelect'],
  );
  assert.deepEqual(
    new Set(
      mapEventToActions(
        ev('dynamodb.amazonaws.com', 'TransactWriteItems', { requestParameters: { transactItems: [{ put: {} }, { conditionCheck: {} }] } }),
      ).actions,
    ),
    new Set(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']),
  );
  // Without the statement text the action cannot be known: reported, not invented.
  const m = mapEventToActionsDetailed(ev('dynamodb.amazonaws.com', 'ExecuteStatement'));
  assert.deepEqual(m.actions, []);
  assert.deepEqual(m.unknown, ['dynamodb:ExecuteStatement']);
});

test('calls needing no permission map to no action', () => {
  for (const [source, name] of [
    ['sts.amazonaws.com', 'GetCallerIdentity'],
    ['sts.amazonaws.com', 'GetSessionToken'],
    ['dynamodb.amazonaws.com', 'DescribeEndpoints'],
    ['signin.amazonaws.com', 'ConsoleLogin'],
    ['signin.amazonaws.com', 'CheckMfa'],
    ['signin.amazonaws.com', 'SwitchRole'],
    ['signin.amazonaws.com', 'ExitRole'],
    ['signin.amazonaws.com', 'GetSigninToken'],
    ['sso.amazonaws.com', 'GetRoleCredentials'],
  ] as const) {
    const m = mapEventToActionsDetailed({ eventSource: source, eventName: name, eventType: 'AwsApiCall' });
    assert.deepEqual(m.actions, [], name);
    assert.deepEqual(m.unknown, [], name);
    assert.equal(m.kind, 'permissionless', name);
  }
  // Why signin needs explicit entries: iam-data has no such actions, so they would be "unknown".
  assert.equal(canonicalAction('signin:ConsoleLogin'), undefined);
  assert.equal(canonicalAction('signin:SwitchRole'), undefined);
  // sts:GetCallerIdentity is an IAM action (deniable in name only), but needs no Allow.
  assert.equal(canonicalAction('sts:getcalleridentity'), 'sts:GetCallerIdentity');
  for (const p of facts.permissionlessOperations) assert.ok(PERMISSIONLESS.has(p.toLowerCase()), p);
});

test('console sign-in and AWS service events carry no action of the principal', () => {
  const signin = mapEventToActionsDetailed({ eventSource: 'signin.amazonaws.com', eventName: 'NewThing', eventType: 'AwsConsoleSignIn' });
  assert.equal(signin.kind, 'permissionless');
  const service = mapEventToActionsDetailed({ eventSource: 'organizations.amazonaws.com', eventName: 'CreateAccountResult', eventType: 'AwsServiceEvent' });
  assert.equal(service.kind, 'service-event');
  assert.deepEqual(service.actions, []);
});

test('one call checked as several actions: KMS ReEncrypt, Secrets Manager BatchGetSecretValue', () => {
  assert.deepEqual(mapEventToActions(ev('kms.amazonaws.com', 'ReEncrypt')).actions, ['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  assert.deepEqual(mapEventToActions(ev('secretsmanager.amazonaws.com', 'BatchGetSecretValue')).actions, [
    'secretsmanager:BatchGetSecretValue',
    'secretsmanager:GetSecretValue',
  ]);
});

test('API Gateway management calls map to the HTTP-verb actions', () => {
  assert.deepEqual(mapEventToActions(ev('apigateway.amazonaws.com', 'CreateRestApi')).actions, ['apigateway:POST']);
  assert.deepEqual(mapEventToActions(ev('apigateway.amazonaws.com', 'GetRestApis')).actions, ['apigateway:GET']);
  assert.deepEqual(mapEventToActions(ev('apigateway.amazonaws.com', 'UpdateStage')).actions, ['apigateway:PATCH']);
  assert.deepEqual(mapEventToActions(ev('apigateway.amazonaws.com', 'DeleteApi')).actions, ['apigateway:DELETE']);
  // A name that is itself an apigateway action keeps it.
  assert.deepEqual(mapEventToActions(ev('apigateway.amazonaws.com', 'CreatePortal')).actions, ['apigateway:CreatePortal']);
});

test('actions come back in IAM spelling whatever the case of the event', () => {
  assert.deepEqual(mapEventToActions(ev('sns.amazonaws.com', 'listtopics')).actions, ['sns:ListTopics']);
  assert.equal(canonicalAction('S3:LISTALLMYBUCKETS'), 's3:ListAllMyBuckets');
  assert.equal(canonicalAction('CLOUDWATCH:putmetricdata'), 'cloudwatch:PutMetricData');
});

test('unknown actions are never invented, only reported', () => {
  const record = ev('iam.amazonaws.com', 'NotCreateUser');
  assert.deepEqual(mapEventToActions(record).actions, []);
  const m = mapEventToActionsDetailed(record);
  assert.deepEqual(m.unknown, ['iam:NotCreateUser']);
  assert.equal(m.kind, 'unknown');
  assert.deepEqual(mapEventToActionsDetailed(ev('nosuchservice.amazonaws.com', 'DoThing')).unknown, ['nosuchservice:DoThing']);
  // Absurdly long names are not AWS names: unknown, and the report is clipped.
  const long = mapEventToActionsDetailed(ev('iam.amazonaws.com', 'Create'.repeat(100_000)));
  assert.deepEqual(long.actions, []);
  assert.ok(long.unknown[0]!.length < 200);
  // Missing or non-string fields.
  assert.deepEqual(mapEventToActions({}).actions, []);
  assert.deepEqual(mapEventToActions({ eventSource: 42, eventName: { x: 1 } }).actions, []);
});

test('a failed call maps to the action it attempted, plus the action an AccessDenied message names', () => {
  const denied = mapEventToActions(
    ev('lambda.amazonaws.com', 'CreateFunction20150331', {
      errorCode: 'AccessDenied',
      errorMessage:
        'User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/admin because no identity-based policy allows the iam:PassRole action',
    }),
  );
  assert.deepEqual(denied.actions, ['lambda:CreateFunction', 'iam:PassRole']);
  assert.ok(denied.resources.includes('arn:aws:iam::123456789012:role/admin'));
  const plain = mapEventToActions(ev('ec2.amazonaws.com', 'RunInstances', { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'Encoded...' }));
  assert.deepEqual(plain.actions, ['ec2:RunInstances']);
});

test('the per-pair rule cache stays bounded and correct under many distinct event names', () => {
  for (let i = 0; i < 25_000; i++) mapEventToActionsDetailed(ev('ec2.amazonaws.com', `Made${i}Up`));
  assert.deepEqual(mapEventToActions(ev('ec2.amazonaws.com', 'RunInstances')).actions, ['ec2:RunInstances']);
  assert.deepEqual(mapEventToActionsDetailed(ev('ec2.amazonaws.com', 'Made1Up')).unknown, ['ec2:Made1Up']);
});
