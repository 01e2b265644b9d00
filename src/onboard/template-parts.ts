/**
 * Pieces every onboarding template shares: the parameters trailscope needs, the read role with
 * its optional diagnostics policy, and a notification queue with its dead-letter queue.
 */
import { equals, getAtt, not, ref, sub, subLiteral, type Intrinsic } from './cfn-yaml.js';
import type { OnboardingInputs } from './inputs.js';
import { connectorKeyTarget, diagnosticsStatements, readerStatements, type DiagnosticsTargets, type KeyTarget, type ReaderTargets, type TemplateStatement } from './policies.js';

export interface CfnParameter {
  Type: 'String' | 'Number';
  Description: string;
  Default?: string | number;
  AllowedPattern?: string;
  AllowedValues?: string[];
  ConstraintDescription?: string;
  MinValue?: number;
}

export interface CfnResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Retain' | 'Delete';
  UpdateReplacePolicy?: 'Retain' | 'Delete';
  Properties: Record<string, unknown>;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: Record<string, CfnParameter>;
  Conditions?: Record<string, Intrinsic>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Description: string; Value: unknown; Condition?: string }>;
}

export interface TemplateOptions {
  /** The ARN trailscope runs as, filled into the deploy command; a shell variable otherwise. */
  principalArn?: string;
}

export const PRINCIPAL_PATTERN = '^arn:aws[a-z-]*:iam::\\d{12}:(root|role/[\\w+=,.@/-]+|user/[\\w+=,.@/-]+)$';
export const QUEUE_ARN_PATTERN = '^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\\d{12}:[\\w-]{1,80}(\\.fifo)?$';
const TRAIL_ARN_PATTERN = '^(arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\\d{12}:trail/[\\w.-]{3,128})?$';

/** `arn:${AWS::Partition}:s3:::<bucket>` and the objects under the logs root, as `!Sub`. */
export function bucketArns(inputs: OnboardingInputs) {
  const bucketArn = `arn:\${AWS::Partition}:s3:::${subLiteral(inputs.bucket)}`;
  return { bucketArn: sub(bucketArn), logsArn: sub(`${bucketArn}/${subLiteral(inputs.logsRoot)}*`), bucketArnText: bucketArn };
}

export function principalParameters(inputs: OnboardingInputs, options: TemplateOptions): Record<string, CfnParameter> {
  return {
    TrailscopePrincipalArn: {
      Type: 'String',
      Description: 'The IAM role, user or account root trailscope runs as; only it may assume the read role.',
      AllowedPattern: PRINCIPAL_PATTERN,
      ConstraintDescription: 'an IAM role, user or account-root ARN (not an assumed-role session ARN)',
      ...(options.principalArn ? { Default: options.principalArn } : {}),
    },
    ExternalId: {
      Type: 'String',
      Description: "The connector's ExternalId; trailscope sends it with every AssumeRole.",
      Default: inputs.externalId,
      AllowedPattern: '^[\\w+=,.@:/-]{2,1224}$',
    },
  };
}

export const DIAGNOSTICS_PARAMETER: CfnParameter = {
  Type: 'String',
  Description: "Grant the read-only calls of trailscope doctor (trail, bucket, queue, key and notification settings).",
  Default: 'true',
  AllowedValues: ['true', 'false'],
};

export const TRAIL_ARN_PARAMETER: CfnParameter = {
  Type: 'String',
  Description: "The trail's ARN, for the doctor's trail checks; leave empty to skip them.",
  Default: '',
  AllowedPattern: TRAIL_ARN_PATTERN,
};

export const diagnosticsEnabled = () => equals(ref('EnableDiagnostics'), 'true');
export const notEmpty = (parameter: string) => not(equals(ref(parameter), ''));

/** The role trailscope assumes: trusts only `TrailscopePrincipalArn`, and only with the ExternalId. */
export function readerRole(roleName: string, statements: TemplateStatement[]): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: roleName,
      Description: 'trailscope reads CloudTrail log files and their notifications',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TrailscopeOnly',
            Effect: 'Allow',
            Principal: { AWS: ref('TrailscopePrincipalArn') },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': ref('ExternalId') } },
          },
        ],
      },
      Policies: [{ PolicyName: 'trailscope-read', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

/** The doctor's read-only policy, attached to the read role only when EnableDiagnostics is true. */
export function diagnosticsPolicy(policyName: string, statements: TemplateStatement[]): CfnResource {
  return {
    Type: 'AWS::IAM::ManagedPolicy',
    Condition: 'DiagnosticsEnabled',
    Properties: {
      ManagedPolicyName: policyName,
      Description: 'Read-only checks of trailscope doctor',
      Roles: [ref('ReaderRole')],
      PolicyDocument: { Version: '2012-10-17', Statement: statements },
    },
  };
}

/** Key target for the connector's existing key, as `!Sub` ARNs. */
export function existingKeyTarget(inputs: OnboardingInputs): KeyTarget | undefined {
  return inputs.kmsKeyArn ? connectorKeyTarget(inputs.kmsKeyArn, (text) => sub(subLiteral(text))) : undefined;
}

/** Both policies of the read role, for a bucket and queue named in the template. */
export function readerResources(
  inputs: OnboardingInputs,
  names: { readerRole: string; diagnosticsPolicy: string },
  reader: Omit<ReaderTargets, 'bucketArn' | 'logsArn' | 'listPrefix'>,
  diagnostics: Omit<DiagnosticsTargets, 'bucketArn' | 'eventRulesArn' | 'organization'>,
): Record<string, CfnResource> {
  const { bucketArn, logsArn } = bucketArns(inputs);
  return {
    ReaderRole: readerRole(names.readerRole, readerStatements({ bucketArn, logsArn, listPrefix: `${inputs.logsRoot}*`, ...reader })),
    DiagnosticsPolicy: diagnosticsPolicy(
      names.diagnosticsPolicy,
      diagnosticsStatements({
        bucketArn,
        eventRulesArn: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*'),
        organization: inputs.type === 'organization',
        ...diagnostics,
      }),
    ),
  };
}

/**
 * trailscope's queue, its dead-letter queue, and a queue policy letting only `publisher` (S3 for
 * the bucket, or SNS for the fan-out topic) send, from that one source.
 */
export function queueResources(
  names: { queue: string; deadLetterQueue: string },
  publisher: { service: 's3.amazonaws.com' | 'sns.amazonaws.com'; sourceArn: unknown; sourceAccount?: unknown },
): Record<string, CfnResource> {
  const condition: Record<string, Record<string, unknown>> = { ArnEquals: { 'aws:SourceArn': publisher.sourceArn } };
  if (publisher.sourceAccount) condition['StringEquals'] = { 'aws:SourceAccount': publisher.sourceAccount };
  return {
    TrailDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      // Notifications are transient: backfill reads the bucket again if they are lost.
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { QueueName: names.deadLetterQueue, MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
    },
    TrailQueue: {
      Type: 'AWS::SQS::Queue',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        QueueName: names.queue,
        // Above trailscope's worst-case time for one log file; it extends visibility while it works.
        VisibilityTimeout: 300,
        MessageRetentionPeriod: 345600,
        ReceiveMessageWaitTimeSeconds: 20,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: getAtt('TrailDeadLetterQueue', 'Arn'), maxReceiveCount: 5 },
      },
    },
    TrailQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref('TrailQueue')],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PublisherSendsNotifications',
              Effect: 'Allow',
              Principal: { Service: publisher.service },
              Action: 'sqs:SendMessage',
              Resource: getAtt('TrailQueue', 'Arn'),
              Condition: condition,
            },
          ],
        },
      },
    },
  };
}

/** The outputs a user pastes into trailscope's connector. */
export function readerOutputs(): NonNullable<CfnTemplate['Outputs']> {
  return {
    ReaderRoleArn: { Description: "The connector's roleArn", Value: getAtt('ReaderRole', 'Arn') },
    ExternalId: { Description: "The connector's externalId", Value: ref('ExternalId') },
  };
}
