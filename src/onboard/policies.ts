/**
 * The IAM statements of trailscope's read role and of the optional diagnostics policy, written
 * once: the same builders produce the plain JSON of `readerPolicyDocument` (literal ARNs) and the
 * templates' policies (`!Sub` ARNs, statements that depend on a template condition).
 */
import type { Connector } from '../connectors/index.js';
import { ifCondition, Intrinsic, noValue } from './cfn-yaml.js';
import { arnParts, onboardingInputs } from './inputs.js';

/** A literal string, or an intrinsic when the statement goes into a template. */
export type PolicyValue = string | Intrinsic;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: PolicyValue | PolicyValue[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** A statement, or in a template `!If [condition, statement, !Ref AWS::NoValue]`. */
export type TemplateStatement = PolicyStatement | Intrinsic;

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The actions of the read role, one list per statement: the least-privilege contract. */
export const READER_ACTIONS = {
  readLogs: ['s3:GetObject'],
  listLogs: ['s3:ListBucket'],
  consumeNotifications: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
  decryptLogs: ['kms:Decrypt'],
} as const;

export interface KeyTarget {
  /** The key ARN, or an alias ARN (the grant then goes through `kms:ResourceAliases`). */
  keyArn: PolicyValue;
  /** Set when `keyArn` is an alias ARN: the key ARNs of the alias's account and region, and the alias name. */
  alias?: { keysArn: PolicyValue; name: string };
  /** The service that decrypts for the reader, for `kms:ViaService`: `s3.<region>.amazonaws.com` or `sqs.…`. */
  viaService: PolicyValue;
  /** Template condition under which the key exists. */
  onlyIf?: string;
}

export interface ReaderTargets {
  bucketArn: PolicyValue;
  /** `arn:…:s3:::<bucket>/[prefix/]AWSLogs/*` */
  logsArn: PolicyValue;
  /** `[prefix/]AWSLogs/*`, the only listing the role may make. */
  listPrefix: string;
  queueArn?: PolicyValue;
  key?: KeyTarget;
  /** The queue's customer-managed key, when it has one: SQS decrypts messages for the reader. */
  queueKey?: KeyTarget;
}

function onlyIf(when: string | undefined, statement: PolicyStatement): TemplateStatement {
  return when ? ifCondition(when, statement, noValue()) : statement;
}

function keyStatement(sid: string, actions: readonly string[], key: KeyTarget, throughService: boolean): TemplateStatement {
  const condition: Record<string, Record<string, unknown>> = {};
  if (throughService) condition['StringEquals'] = { 'kms:ViaService': key.viaService };
  // An alias ARN is not a resource IAM matches for kms:Decrypt; grant the keys the alias names.
  if (key.alias) condition['ForAnyValue:StringEquals'] = { 'kms:ResourceAliases': key.alias.name };
  const statement: PolicyStatement = { Sid: sid, Effect: 'Allow', Action: [...actions], Resource: key.alias ? key.alias.keysArn : key.keyArn };
  if (Object.keys(condition).length) statement.Condition = condition;
  return onlyIf(key.onlyIf, statement);
}

/** The read role's statements: exactly what ingest and backfill call, on exactly these resources. */
export function readerStatements(t: ReaderTargets): TemplateStatement[] {
  const statements: TemplateStatement[] = [
    { Sid: 'ReadTrailLogs', Effect: 'Allow', Action: [...READER_ACTIONS.readLogs], Resource: t.logsArn },
    {
      Sid: 'ListTrailLogs',
      Effect: 'Allow',
      Action: [...READER_ACTIONS.listLogs],
      Resource: t.bucketArn,
      Condition: { StringLike: { 's3:prefix': [t.listPrefix] } },
    },
  ];
  if (t.queueArn) {
    statements.push({ Sid: 'ConsumeTrailNotifications', Effect: 'Allow', Action: [...READER_ACTIONS.consumeNotifications], Resource: t.queueArn });
  }
  if (t.key) statements.push(keyStatement('DecryptTrailLogs', READER_ACTIONS.decryptLogs, t.key, true));
  if (t.queueKey) statements.push(keyStatement('DecryptNotifications', READER_ACTIONS.decryptLogs, t.queueKey, true));
  return statements;
}

/** Actions that take no resource ARN in IAM, so their statements name `*`. */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL = [
  'cloudtrail:DescribeTrails',
  'cloudwatch:GetMetricStatistics',
  'events:ListRules',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'iam:GetAccountAuthorizationDetails',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
] as const;

export interface DiagnosticsTargets {
  trailArn?: PolicyValue;
  /** Template condition under which `trailArn` is known. */
  trailOnlyIf?: string;
  bucketArn: PolicyValue;
  queueArns: PolicyValue[];
  key?: KeyTarget;
  topicArn?: PolicyValue;
  /** `arn:…:events:<region>:<account>:rule/*`: the account's rules on the default bus. */
  eventRulesArn: PolicyValue;
  organization: boolean;
}

/** The read-only calls of `trailscope doctor`, each limited to the named resources the service allows. */
export function diagnosticsStatements(t: DiagnosticsTargets): TemplateStatement[] {
  const statements: TemplateStatement[] = [
    { Sid: 'FindTrails', Effect: 'Allow', Action: ['cloudtrail:DescribeTrails'], Resource: '*' },
  ];
  if (t.trailArn) {
    statements.push(
      onlyIf(t.trailOnlyIf, {
        Sid: 'InspectTrail',
        Effect: 'Allow',
        Action: ['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetInsightSelectors'],
        Resource: t.trailArn,
      }),
    );
  }
  statements.push(
    {
      Sid: 'InspectBucket',
      Effect: 'Allow',
      Action: [
        's3:GetBucketLocation',
        's3:GetBucketNotification',
        's3:GetBucketPolicy',
        's3:GetBucketPolicyStatus',
        's3:GetBucketOwnershipControls',
        's3:GetEncryptionConfiguration',
      ],
      Resource: t.bucketArn,
    },
    { Sid: 'InspectQueues', Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:ListDeadLetterSourceQueues'], Resource: t.queueArns },
    { Sid: 'FindEventRules', Effect: 'Allow', Action: ['events:ListRules'], Resource: '*' },
    // The age of the queue's oldest message is a CloudWatch metric; metric reads take no resource.
    { Sid: 'ReadQueueAge', Effect: 'Allow', Action: ['cloudwatch:GetMetricStatistics'], Resource: '*' },
    { Sid: 'InspectEventRules', Effect: 'Allow', Action: ['events:DescribeRule', 'events:ListTargetsByRule'], Resource: t.eventRulesArn },
  );
  if (t.key) statements.push(keyStatement('InspectKey', ['kms:DescribeKey', 'kms:GetKeyPolicy'], t.key, false));
  if (t.topicArn) {
    statements.push({ Sid: 'InspectTopic', Effect: 'Allow', Action: ['sns:GetTopicAttributes', 'sns:ListSubscriptionsByTopic'], Resource: t.topicArn });
  }
  if (t.organization) {
    // ListAccounts answers only in the management or delegated-administrator account; elsewhere the doctor says so.
    statements.push({ Sid: 'FindOrganization', Effect: 'Allow', Action: ['organizations:DescribeOrganization', 'organizations:ListAccounts'], Resource: '*' });
  }
  return statements;
}

/** The key target of a connector's literal key ARN, with ARNs built by `arn` (literal or `!Sub`). */
export function connectorKeyTarget(kmsKeyArn: string, arn: (text: string) => PolicyValue): KeyTarget {
  const key = arnParts(kmsKeyArn);
  const alias = key.resource.startsWith('alias/')
    ? { keysArn: arn(`arn:${key.partition}:kms:${key.region}:${key.account}:key/*`), name: key.resource }
    : undefined;
  // SSE-KMS keys are regional and live in the bucket's region: the key's region is S3's.
  return { keyArn: arn(kmsKeyArn), ...(alias ? { alias } : {}), viaService: arn(`s3.${key.region}.amazonaws.com`) };
}

/**
 * The read role's permissions as IAM JSON, for attaching without CloudFormation. The queue
 * statement is there when the connector has an AWS queue URL (backfill alone needs none), the
 * decrypt statement when it has a KMS key.
 */
export function readerPolicyDocument(connector: Connector): PolicyDocument {
  const inputs = onboardingInputs(connector);
  const partition = arnParts(inputs.kmsKeyArn ?? inputs.queueArn ?? connector.roleArn ?? 'arn:aws').partition;
  const bucketArn = `arn:${partition}:s3:::${inputs.bucket}`;
  const statements = readerStatements({
    bucketArn,
    logsArn: `${bucketArn}/${inputs.logsRoot}*`,
    listPrefix: `${inputs.logsRoot}*`,
    ...(inputs.queueArn ? { queueArn: inputs.queueArn } : {}),
    ...(inputs.kmsKeyArn ? { key: connectorKeyTarget(inputs.kmsKeyArn, (text) => text) } : {}),
  });
  // Without template conditions every statement is a plain one.
  return { Version: '2012-10-17', Statement: statements.filter((s): s is PolicyStatement => !(s instanceof Intrinsic)) };
}
