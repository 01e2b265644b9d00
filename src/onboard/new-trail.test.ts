import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, type ParsedTemplate } from './check.js';
import { instantiate, shortForm } from './evaluate.test-helpers.js';
import { cloudFormationTemplate } from './index.js';
import { testConnector } from './connectors.test-helpers.js';

const PARAMS = { TrailscopePrincipalArn: 'arn:aws:iam::999988887777:role/trailscope' };

function newTrail(prefix: string | undefined, createKey: 'true' | 'false'): ParsedTemplate {
  const yaml = cloudFormationTemplate(testConnector(prefix ? { prefix } : {}), 'new-trail').yaml;
  return instantiate(parseTemplate(yaml), { ...PARAMS, CreateKmsKey: createKey });
}

const props = (t: ParsedTemplate, name: string) => shortForm(t.Resources[name]!.Properties) as Record<string, unknown>;
const statement = (doc: unknown, sid: string): unknown => (doc as { Statement: { Sid: string }[] }).Statement.find((s) => s.Sid === sid);

const TRAIL_ARN = '!Sub arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/trailscope-prod';
const BUCKET_ARN = '!Sub arn:${AWS::Partition}:s3:::prod-cloudtrail-logs';

test('new trail: a private, TLS-only, encrypted bucket with a lifecycle, kept when the stack goes', () => {
  const t = newTrail('trails/prod', 'false');
  const bucket = t.Resources['TrailBucket']!;
  assert.equal((bucket as { DeletionPolicy?: string }).DeletionPolicy, 'Retain');
  const p = props(t, 'TrailBucket');
  assert.equal(p['BucketName'], 'prod-cloudtrail-logs');
  assert.deepEqual(p['PublicAccessBlockConfiguration'], { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  assert.deepEqual(p['BucketEncryption'], { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
  const rule = (p['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] }).Rules[0]!;
  assert.equal(rule['ExpirationInDays'], '!Ref LogRetentionDays');
  const policy = props(t, 'TrailBucketPolicy')['PolicyDocument'];
  assert.deepEqual(statement(policy, 'DenyInsecureTransport'), {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
});

test("new trail: the bucket policy lets only this trail check the ACL and write its own folder, owner-controlled", () => {
  for (const [prefix, root] of [[undefined, 'AWSLogs/'], ['trails/prod', 'trails/prod/AWSLogs/']] as const) {
    const t = newTrail(prefix, 'true');
    const policy = props(t, 'TrailBucketPolicy')['PolicyDocument'];
    assert.deepEqual(statement(policy, 'AWSCloudTrailAclCheck'), {
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: BUCKET_ARN,
      Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
    });
    assert.deepEqual(statement(policy, 'AWSCloudTrailWrite'), {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: [`${BUCKET_ARN}/${root}\${AWS::AccountId}/*`],
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
    });
    // The policies name the trail by the ARN it will have.
    assert.equal(props(t, 'Trail')['TrailName'], 'trailscope-prod');
  }
});

test('new trail: multi-region, validated, all management events, after its bucket policy, with the key only when created', () => {
  for (const createKey of ['true', 'false'] as const) {
    for (const prefix of [undefined, 'trails/prod']) {
      const t = newTrail(prefix, createKey);
      assert.equal(t.Resources['Trail']!.DependsOn, 'TrailBucketPolicy');
      assert.deepEqual(props(t, 'Trail'), {
        TrailName: 'trailscope-prod',
        S3BucketName: '!Ref TrailBucket',
        ...(prefix ? { S3KeyPrefix: prefix } : {}),
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        ...(createKey === 'true' ? { KMSKeyId: '!GetAtt TrailKey.Arn' } : {}),
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      });
      assert.equal('TrailKey' in t.Resources, createKey === 'true');
      assert.equal('TrailKeyAlias' in t.Resources, createKey === 'true');
    }
  }
});

test("new trail: the key lets CloudTrail encrypt for this trail only, and the read role decrypt through S3", () => {
  const t = newTrail(undefined, 'true');
  const policy = props(t, 'TrailKey')['KeyPolicy'];
  const context = '!Sub arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*';
  assert.deepEqual(statement(policy, 'CloudTrailEncrypts'), {
    Sid: 'CloudTrailEncrypts',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': context } },
  });
  const reader = statement(policy, 'TrailscopeReaderDecrypts') as unknown as { Action: string; Condition: Record<string, Record<string, string>> };
  assert.equal(reader.Action, 'kms:Decrypt');
  // Named by the role's name, so that it is the role the template creates.
  assert.equal(props(t, 'ReaderRole')['RoleName'], 'trailscope-reader-prod');
  assert.equal(reader.Condition['ArnEquals']!['aws:PrincipalArn'], '!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/trailscope-reader-prod');
  assert.equal(reader.Condition['StringEquals']!['kms:ViaService'], '!Sub s3.${AWS::Region}.amazonaws.com');
  assert.equal(reader.Condition['StringLike']!['kms:EncryptionContext:aws:cloudtrail:arn'], context);
});

test('new trail: the queue has a dead-letter queue, accepts only this bucket, and the notification waits for its policy', () => {
  for (const [prefix, root] of [[undefined, 'AWSLogs/'], ['trails/prod', 'trails/prod/AWSLogs/']] as const) {
    const t = newTrail(prefix, 'false');
    assert.deepEqual(props(t, 'TrailQueue')['RedrivePolicy'], { deadLetterTargetArn: '!GetAtt TrailDeadLetterQueue.Arn', maxReceiveCount: 5 });
    assert.deepEqual(statement(props(t, 'TrailQueuePolicy')['PolicyDocument'], 'PublisherSendsNotifications'), {
      Sid: 'PublisherSendsNotifications',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: '!GetAtt TrailQueue.Arn',
      // The bucket by its ARN string: a !GetAtt TrailBucket.Arn here would be a cycle.
      Condition: { ArnEquals: { 'aws:SourceArn': BUCKET_ARN }, StringEquals: { 'aws:SourceAccount': '!Ref AWS::AccountId' } },
    });
    assert.equal(t.Resources['TrailBucket']!.DependsOn, 'TrailQueuePolicy');
    assert.deepEqual(props(t, 'TrailBucket')['NotificationConfiguration'], {
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: '!GetAtt TrailQueue.Arn',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: root }, { Name: 'suffix', Value: '.json.gz' }] } },
        },
      ],
    });
  }
});

test('new trail: one document, deployed with the principal given, outputs for the connector', () => {
  const result = cloudFormationTemplate(testConnector(), 'new-trail', { principalArn: PARAMS.TrailscopePrincipalArn });
  assert.equal(result.documents.length, 1);
  assert.equal(result.yaml, result.documents[0]!.yaml);
  assert.ok(
    result.steps.includes(
      'Save trailscope-prod-new-trail.yaml and, with credentials for the AWS account to watch, in the region where its logs should live, run: ' +
        'aws cloudformation deploy --template-file trailscope-prod-new-trail.yaml --stack-name trailscope-prod --capabilities CAPABILITY_NAMED_IAM ' +
        '--parameter-overrides TrailscopePrincipalArn=arn:aws:iam::999988887777:role/trailscope',
    ),
    result.steps.join('\n'),
  );
  assert.ok(!result.steps.some((s) => s.includes('TRAILSCOPE_PRINCIPAL_ARN')));
  const outputs = Object.keys(parseTemplate(result.yaml).Outputs);
  assert.deepEqual(outputs.sort(), ['BucketName', 'ExternalId', 'KmsKeyArn', 'QueueArn', 'QueueUrl', 'ReaderRoleArn', 'TrailArn']);
});
