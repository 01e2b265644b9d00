/**
 * Can CloudTrail show that an IAM action was used? CIEM needs this to tell "unused" (CloudTrail
 * would have shown it, and did not) from "unknown" (CloudTrail cannot show it).
 *
 * - `data-event`: a data-plane action, visible only when the trail records data events for that
 *   resource type (S3 objects and listings, Lambda Invoke, DynamoDB items, SNS Publish, SQS messages,
 *   Kinesis records, EBS direct APIs, ...). Curated from the CloudTrail User Guide's data-event
 *   resource types; for S3 the object-level actions are found through iam-data (actions on the
 *   `object` / `accesspointobject` resource types).
 * - `not-logged`: CloudTrail never records it: permission-only actions (iam:PassRole, sts:TagSession,
 *   s3:BypassGovernanceRetention, ...), data planes outside CloudTrail (execute-api, rds-db,
 *   neptune-db, kafka-cluster), and actions iam-data does not know.
 * - `logged`: a management event.
 *
 * Evidence for `logged` is CloudTracker's cloudtrail_supported_actions.txt (duo-labs/cloudtracker,
 * BSD-3-Clause, Copyright 2018 Duo Security; shipped in data/cloudtracker/ with its licence), each
 * line mapped through our own event → action table. The list dates from 2018-2021, so:
 * - a service the list covers, for an action it does not list, is `not-logged` (CloudTracker's own
 *   "?"): it may be an action added since, but reporting it "unknown" is the safe error, whereas
 *   calling a permission "unused" on no evidence invites removing one that is needed;
 * - a service the list does not know at all is newer than the list (or renamed) and is `logged`:
 *   AWS services integrate with CloudTrail management events at launch. The not-logged and
 *   data-event lists above still apply to them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionsForEventName, iamPrefixForEventSource } from './core.js';
import { canonicalAction, iamIndex } from './iam-index.js';

export type CloudTrailVisibility = 'logged' | 'data-event' | 'not-logged';

/** Services whose use CloudTrail never records (data planes with their own logs, legacy permission sets). */
export const NOT_LOGGED_SERVICES: ReadonlySet<string> = new Set([
  'execute-api',
  'rds-db',
  'neptune-db',
  'kafka-cluster',
  'aws-portal',
  'appsync-data',
  'vpc-lattice-svcs',
]);

/** Permission-only or unlogged actions in otherwise logged services. */
export const NOT_LOGGED_ACTIONS: ReadonlySet<string> = new Set(
  [
    'iam:PassRole',
    'sts:TagSession',
    'sts:SetSourceIdentity',
    'sts:SetContext',
    's3:BypassGovernanceRetention',
    's3:ObjectOwnerOverrideToBucketOwner',
    's3:ReplicateObject',
    's3:ReplicateDelete',
    's3:ReplicateTags',
    's3:GetObjectVersionForReplication',
    'lambda:InvokeFunctionUrl',
    'sagemaker:InvokeEndpoint',
    'sagemaker:InvokeEndpointAsync',
    'sagemaker:InvokeEndpointWithResponseStream',
    'appsync:GraphQL',
    'elasticfilesystem:ClientMount',
    'elasticfilesystem:ClientWrite',
    'elasticfilesystem:ClientRootAccess',
    'logs:Unmask',
    // OpenSearch / OpenSearch Serverless HTTP data planes (audit logs, not CloudTrail).
    'es:ESHttpDelete',
    'es:ESHttpGet',
    'es:ESHttpHead',
    'es:ESHttpPatch',
    'es:ESHttpPost',
    'es:ESHttpPut',
    'aoss:APIAccessAll',
    'aoss:DashboardsAccessAll',
    'iot:Connect',
    'iot:Publish',
    'iot:Subscribe',
    'iot:Receive',
    'iot:RetainPublish',
  ].map((a) => a.toLowerCase()),
);

/** Services whose every action is a data event. */
export const DATA_EVENT_SERVICES: ReadonlySet<string> = new Set(['ebs', 's3-object-lambda', 'ssmmessages']);

/** Data-event actions outside the S3 object rule. */
export const DATA_EVENT_ACTIONS: ReadonlySet<string> = new Set(
  [
    's3:ListBucket',
    's3:ListBucketVersions',
    's3:ListBucketMultipartUploads',
    's3express:CreateSession',
    'lambda:InvokeFunction',
    'lambda:InvokeAsync',
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PartiQLSelect',
    'dynamodb:PartiQLInsert',
    'dynamodb:PartiQLUpdate',
    'dynamodb:PartiQLDelete',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'sns:Publish',
    'sqs:SendMessage',
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'kinesis:PutRecord',
    'kinesis:PutRecords',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:SubscribeToShard',
    'cloudtrail-data:PutAuditEvents',
    'cassandra:Select',
    'cassandra:Modify',
    'bedrock:InvokeAgent',
    'bedrock:InvokeInlineAgent',
    'bedrock:Retrieve',
    'bedrock:RetrieveAndGenerate',
    'bedrock:InvokeFlow',
    'bedrock-agentcore:InvokeAgentRuntime',
    'bedrock-agentcore:InvokeCodeInterpreter',
  ].map((a) => a.toLowerCase()),
);

const S3_OBJECT_RESOURCE_TYPES = new Set(['object', 'accesspointobject']);

interface CloudTrackerEvidence {
  /** Canonical IAM actions the list shows CloudTrail recording. */
  logged: ReadonlySet<string>;
  /** IAM prefixes the list covers. */
  services: ReadonlySet<string>;
}

let evidence: CloudTrackerEvidence | undefined;

/** data/cloudtracker/ at the project root, from src/... or dist/src/... */
function cloudTrackerListPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'data', 'cloudtracker', 'cloudtrail_supported_actions.txt');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('trailscope: data/cloudtracker/cloudtrail_supported_actions.txt not found');
}

function loadEvidence(): CloudTrackerEvidence {
  const logged = new Set<string>();
  const services = new Set<string>();
  const text = readFileSync(cloudTrackerListPath(), 'utf8');
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const source = `${line.slice(0, i).trim()}.amazonaws.com`;
    const name = line.slice(i + 1).trim();
    const prefix = iamPrefixForEventSource(source);
    if (!iamIndex().services.has(prefix)) continue;
    services.add(prefix);
    for (const action of actionsForEventName(source, name)) logged.add(action.toLowerCase());
  }
  return { logged, services };
}

function cloudTracker(): CloudTrackerEvidence {
  evidence ??= loadEvidence();
  return evidence;
}

function isS3ObjectAction(lower: string): boolean {
  if (!lower.startsWith('s3:')) return false;
  const types = iamIndex().resourceTypes.get(lower);
  return types !== undefined && types.some((t) => S3_OBJECT_RESOURCE_TYPES.has(t));
}

/** Why an action got its visibility, so callers can apply their own risk policy. */
export type VisibilityBasis =
  /** iam-data does not know the action (or it is a wildcard). */
  | 'unknown-action'
  /** Curated lists in this file (not-logged services/actions, data events, the S3 object rule). */
  | 'curated'
  /** CloudTracker's list shows CloudTrail recording it. */
  | 'cloudtracker-list'
  /** The service is in CloudTracker's list but this action is not: possibly newer than the list. */
  | 'unlisted-in-covered-service'
  /** The service is newer than CloudTracker's list. */
  | 'newer-service';

export interface VisibilityDetail {
  visibility: CloudTrailVisibility;
  basis: VisibilityBasis;
  /** IAM's spelling of the action, when iam-data knows it. */
  action?: string;
}

/** cloudTrailVisibility with the reason; see the module comment for the policy. */
export function cloudTrailVisibilityDetailed(action: string): VisibilityDetail {
  const canonical = canonicalAction(action);
  if (!canonical) return { visibility: 'not-logged', basis: 'unknown-action' };
  const lower = canonical.toLowerCase();
  const service = lower.slice(0, lower.indexOf(':'));
  if (NOT_LOGGED_SERVICES.has(service) || NOT_LOGGED_ACTIONS.has(lower)) {
    return { visibility: 'not-logged', basis: 'curated', action: canonical };
  }
  if (DATA_EVENT_SERVICES.has(service) || DATA_EVENT_ACTIONS.has(lower) || isS3ObjectAction(lower)) {
    return { visibility: 'data-event', basis: 'curated', action: canonical };
  }
  const ct = cloudTracker();
  if (ct.logged.has(lower)) return { visibility: 'logged', basis: 'cloudtracker-list', action: canonical };
  return ct.services.has(service)
    ? { visibility: 'not-logged', basis: 'unlisted-in-covered-service', action: canonical }
    : { visibility: 'logged', basis: 'newer-service', action: canonical };
}

/**
 * Whether CloudTrail can show that `action` (`service:Action`, any case) was used.
 * Wildcards are not expanded: expand policy actions first (e.g. with @cloud-copilot/iam-expand).
 */
export function cloudTrailVisibility(action: string): CloudTrailVisibility {
  return cloudTrailVisibilityDetailed(action).visibility;
}
