/** Data calls: S3, KMS, DynamoDB, SSM Parameter Store and Secrets Manager. */
import { arg, call } from './catalog-base.js';
import type { ApiCall, CallContext, CloudTrailResource } from './catalog-base.js';
import { lambdaFn } from './catalog-compute.js';

function s3Extra(c: CallContext): Record<string, unknown> {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: 0,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': c.rng.alnum(56) + '=',
    bytesTransferredOut: c.rng.int(120, 90_000),
  };
}

function bucketRes(c: CallContext, bucket: string): CloudTrailResource {
  return { accountId: c.account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` };
}

const OBJECT_PREFIXES = ['exports/2026/', 'incoming/', 'reports/daily/', 'artifacts/build-', 'uploads/user-', 'tmp/'];
const OBJECT_EXT = ['.json', '.csv.gz', '.parquet', '.zip', '.png', '.txt'];

function objectKey(c: CallContext): string {
  return c.rng.pick(OBJECT_PREFIXES) + c.rng.hex(8) + c.rng.pick(OBJECT_EXT);
}

// ---- S3 ---------------------------------------------------------------------------------------
const s3Bucket = (name: string, opts: Parameters<typeof call>[2] = {}) =>
  call('s3', name, {
    build: (c) => {
      const bucket = arg(c, 'bucket', () => c.rng.pick(c.account.res.buckets));
      return { requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, [name.replace(/^Get|^Put/, '').toLowerCase()]: '' }, responseElements: null, additionalEventData: s3Extra(c), resources: [bucketRes(c, bucket)] };
    },
    ...opts,
  });
export const S3_CALLS: ApiCall[] = [
  call('s3', 'ListBuckets', {
    action: 's3:ListAllMyBuckets',
    build: (c) => ({ requestParameters: { Host: `s3.${c.region}.amazonaws.com` }, responseElements: null, additionalEventData: s3Extra(c) }),
  }),
  s3Bucket('GetBucketLocation'),
  s3Bucket('GetBucketAcl'),
  s3Bucket('GetBucketPolicy'),
  s3Bucket('GetBucketEncryption', { action: 's3:GetEncryptionConfiguration' }),
  s3Bucket('GetBucketVersioning'),
  call('s3', 'GetObject', {
    data: true,
    build: (c) => {
      const bucket = arg(c, 'bucket', () => c.rng.pick(c.account.res.buckets));
      const key = arg(c, 'key', () => objectKey(c));
      return {
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, key },
        responseElements: null,
        additionalEventData: s3Extra(c),
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketRes(c, bucket)],
      };
    },
  }),
  call('s3', 'PutObject', {
    data: true,
    readOnly: false,
    build: (c) => {
      const bucket = arg(c, 'bucket', () => c.rng.pick(c.account.res.buckets));
      const key = arg(c, 'key', () => objectKey(c));
      return {
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, key, 'x-amz-server-side-encryption': 'aws:kms' },
        responseElements: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${c.region}:${c.account.id}:key/${c.rng.pick(c.account.res.kmsKeys)}` },
        additionalEventData: { ...s3Extra(c), bytesTransferredIn: c.rng.int(200, 5_000_000), bytesTransferredOut: 0 },
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketRes(c, bucket)],
      };
    },
  }),
];

// ---- KMS --------------------------------------------------------------------------------------
const kmsKeyArn = (c: CallContext): string => `arn:aws:kms:${c.region}:${c.account.id}:key/${c.rng.pick(c.account.res.kmsKeys)}`;
export const KMS_CALLS: ApiCall[] = [
  call('kms', 'Decrypt', {
    readOnly: true,
    build: (c) => {
      const key = kmsKeyArn(c);
      return { requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:${c.region}:${c.account.id}:function:${lambdaFn(c).name}` } }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: key }] };
    },
  }),
  call('kms', 'GenerateDataKey', {
    readOnly: true,
    build: (c) => {
      const key = kmsKeyArn(c);
      return { requestParameters: { keyId: key, keySpec: 'AES_256', encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${c.rng.pick(c.account.res.buckets)}` } }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: key }] };
    },
  }),
  call('kms', 'DescribeKey', { build: (c) => ({ requestParameters: { keyId: kmsKeyArn(c) }, responseElements: null }) }),
  call('kms', 'ListKeys', { build: () => ({ requestParameters: null, responseElements: null }) }),
  call('kms', 'ListAliases', { build: () => ({ requestParameters: null, responseElements: null }) }),
];

// ---- DynamoDB, SSM, Secrets Manager --------------------------------------------------------------
const tableArn = (c: CallContext, t: string): string => `arn:aws:dynamodb:${c.region}:${c.account.id}:table/${t}`;
export const STORE_CALLS: ApiCall[] = [
  call('dynamodb', 'ListTables', { build: () => ({ requestParameters: null, responseElements: null }) }),
  call('dynamodb', 'DescribeTable', {
    build: (c) => {
      const t = arg(c, 'table', () => c.rng.pick(c.account.res.tables));
      return { requestParameters: { tableName: t }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: tableArn(c, t) }] };
    },
  }),
  call('dynamodb', 'Query', {
    data: true,
    build: (c) => {
      const t = c.rng.pick(c.account.res.tables);
      return {
        requestParameters: { tableName: t, keyConditionExpression: 'pk = :pk', limit: 25, consistentRead: false },
        responseElements: null,
        additionalEventData: { requestParametersRedacted: true },
        resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: tableArn(c, t) }],
      };
    },
  }),
  call('dynamodb', 'PutItem', {
    data: true,
    readOnly: false,
    build: (c) => {
      const t = c.rng.pick(c.account.res.tables);
      return { requestParameters: { tableName: t, key: { pk: 'HIDDEN_DUE_TO_SECURITY_REASONS' } }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: tableArn(c, t) }] };
    },
  }),
  call('ssm', 'GetParameter', { build: (c) => ({ requestParameters: { name: c.rng.pick(c.account.res.parameters), withDecryption: true }, responseElements: null }) }),
  call('ssm', 'GetParametersByPath', { build: (c) => ({ requestParameters: { path: '/' + c.rng.pick(c.account.res.parameters).split('/')[1] + '/', recursive: true, withDecryption: true }, responseElements: null }) }),
  call('ssm', 'UpdateInstanceInformation', {
    readOnly: false,
    build: (c) => ({
      requestParameters: { instanceId: arg(c, 'instanceId', () => c.rng.pick(c.account.res.instanceIds)), agentVersion: '3.3.1142.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023', iPAddress: `10.0.${c.rng.int(0, 255)}.${c.rng.int(1, 254)}`, computerName: `ip-10-0-${c.rng.int(0, 255)}-${c.rng.int(1, 254)}.${c.region}.compute.internal`, agentName: 'amazon-ssm-agent', availabilityZone: `${c.region}a`, availabilityZoneId: 'use1-az2' },
      responseElements: null,
    }),
  }),
  call('ssm', 'DescribeInstanceInformation', { build: () => ({ requestParameters: { maxResults: 50 }, responseElements: null }) }),
  call('secretsmanager', 'GetSecretValue', {
    build: (c) => {
      const s = `arn:aws:secretsmanager:${c.region}:${c.account.id}:secret:${c.rng.pick(c.account.res.secrets)}`;
      return { requestParameters: { secretId: s }, responseElements: null };
    },
  }),
  call('secretsmanager', 'DescribeSecret', { build: (c) => ({ requestParameters: { secretId: c.rng.pick(c.account.res.secrets) }, responseElements: null }) }),
  call('secretsmanager', 'ListSecrets', { build: () => ({ requestParameters: { maxResults: 100 }, responseElements: null }) }),
];
