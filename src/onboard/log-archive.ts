/**
 * The bucket side of a trail trailscope's CloudFormation creates: the bucket and its policy, an
 * optional KMS key, trailscope's queue fed by the bucket's notifications, and the read role.
 * The new-trail stack adds the trail itself; the organization's log-archive stack is this alone.
 *
 * Cycles are avoided the usual way: the bucket is named by the template and the queue policy,
 * key policy and bucket policy name the bucket and the trail by ARN strings (`!Sub`), never by
 * `!GetAtt`, so the bucket can depend on the queue policy (S3 sends a test event to the queue
 * when the notification is created) and the trail on the bucket policy.
 */
import { getAtt, ref, sub, subLiteral } from './cfn-yaml.js';
import { resourceNames, type OnboardingInputs } from './inputs.js';
import type { KeyTarget } from './policies.js';
import { bucketArns, queueResources, readerResources, type CfnParameter, type CfnResource } from './template-parts.js';

export interface TrailOwner {
  /** The trail's account, as a `!Sub` token: `${AWS::AccountId}` or `${TrailAccountId}`. */
  account: string;
  /** An organization trail also writes under `AWSLogs/<o-id>/`; `${OrganizationId}` then. */
  organizationId?: string;
}

export const LOG_ARCHIVE_PARAMETERS: Record<string, CfnParameter> = {
  CreateKmsKey: {
    Type: 'String',
    Description: 'Encrypt the trail with a new customer-managed KMS key (CloudTrail may use it, the read role may decrypt through S3).',
    Default: 'true',
    AllowedValues: ['true', 'false'],
  },
  LogRetentionDays: {
    Type: 'Number',
    Description: 'Days a log file is kept before the bucket lifecycle deletes it.',
    Default: 400,
    MinValue: 1,
  },
};

/** `arn:${AWS::Partition}:cloudtrail:${AWS::Region}:<account>:trail/<name>`, as `!Sub` text. */
export function trailArnText(inputs: OnboardingInputs, owner: TrailOwner): string {
  return `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:${owner.account}:trail/${subLiteral(resourceNames(inputs.name).trail)}`;
}

function bucketResources(inputs: OnboardingInputs, owner: TrailOwner): Record<string, CfnResource> {
  const names = resourceNames(inputs.name);
  const { bucketArnText } = bucketArns(inputs);
  const trailArn = sub(trailArnText(inputs, owner));
  const logsRoot = subLiteral(inputs.logsRoot);
  const writePaths = [owner.account, ...(owner.organizationId ? [owner.organizationId] : [])].map((folder) => sub(`${bucketArnText}/${logsRoot}${folder}/*`));
  return {
    TrailBucket: {
      Type: 'AWS::S3::Bucket',
      // Log files are evidence: deleting the stack must not delete them.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      DependsOn: 'TrailQueuePolicy',
      Properties: {
        BucketName: inputs.bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        // The trail encrypts its log files with its own KMSKeyId; the bucket default covers the rest.
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpireTrailLogs',
              Status: 'Enabled',
              ExpirationInDays: ref('LogRetentionDays'),
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Event: 's3:ObjectCreated:*',
              Queue: getAtt('TrailQueue', 'Arn'),
              Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: inputs.logsRoot }, { Name: 'suffix', Value: '.json.gz' }] } },
            },
          ],
        },
      },
    },
    TrailBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref('TrailBucket'),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [sub(bucketArnText), sub(`${bucketArnText}/*`)],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            {
              Sid: 'AWSCloudTrailAclCheck',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:GetBucketAcl',
              Resource: sub(bucketArnText),
              Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
            },
            {
              Sid: 'AWSCloudTrailWrite',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: writePaths,
              Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
            },
          ],
        },
      },
    },
    TrailKey: {
      Type: 'AWS::KMS::Key',
      Condition: 'UseKmsKey',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Description: `CloudTrail log files of ${inputs.bucket} (trailscope connector ${inputs.name})`,
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              // Without it the key becomes unmanageable; IAM policies in the account decide the rest.
              Sid: 'AccountAdministers',
              Effect: 'Allow',
              Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'CloudTrailEncrypts',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 'kms:GenerateDataKey*',
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:SourceArn': trailArn },
                StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': sub(`arn:\${AWS::Partition}:cloudtrail:*:${owner.account}:trail/*`) },
              },
            },
            {
              Sid: 'CloudTrailDescribesKey',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 'kms:DescribeKey',
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
            },
            {
              // The role is named by condition, not principal: KMS refuses principals that do not exist yet.
              Sid: 'TrailscopeReaderDecrypts',
              Effect: 'Allow',
              Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
              Action: 'kms:Decrypt',
              Resource: '*',
              Condition: {
                ArnEquals: { 'aws:PrincipalArn': sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${subLiteral(names.readerRole)}`) },
                StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') },
                StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': sub(`arn:\${AWS::Partition}:cloudtrail:*:${owner.account}:trail/*`) },
              },
            },
          ],
        },
      },
    },
    TrailKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Condition: 'UseKmsKey',
      Properties: { AliasName: names.keyAlias, TargetKeyId: ref('TrailKey') },
    },
  };
}

/** Bucket, key, queue and read role: everything but the trail. */
export function logArchiveResources(inputs: OnboardingInputs, owner: TrailOwner): Record<string, CfnResource> {
  const names = resourceNames(inputs.name);
  const { bucketArnText } = bucketArns(inputs);
  const key: KeyTarget = { keyArn: getAtt('TrailKey', 'Arn'), viaService: sub('s3.${AWS::Region}.amazonaws.com'), onlyIf: 'UseKmsKey' };
  const queueArn = getAtt('TrailQueue', 'Arn');
  return {
    ...bucketResources(inputs, owner),
    ...queueResources(names, { service: 's3.amazonaws.com', sourceArn: sub(bucketArnText), sourceAccount: ref('AWS::AccountId') }),
    ...readerResources(
      inputs,
      names,
      { queueArn, key },
      {
        trailArn: sub(trailArnText(inputs, owner)),
        queueArns: [queueArn, getAtt('TrailDeadLetterQueue', 'Arn')],
        key,
      },
    ),
  };
}

export function logArchiveOutputs() {
  return {
    BucketName: { Description: "The connector's bucket", Value: ref('TrailBucket') },
    QueueUrl: { Description: "The connector's queueUrl", Value: ref('TrailQueue') },
    QueueArn: { Description: 'The notification queue', Value: getAtt('TrailQueue', 'Arn') },
    KmsKeyArn: { Description: "The connector's kmsKeyArn", Value: getAtt('TrailKey', 'Arn'), Condition: 'UseKmsKey' },
  };
}
