/**
 * iam:PassRole inference. CloudTrail never logs iam:PassRole on its own: the permission is checked
 * inside the call that hands a role to a service. We infer it from the request parameters that
 * carry the role (see ../../../../shared/reference/privesc-techniques.json `passedRoleEvidence`
 * for the escalation-relevant ones) and put the passed role's ARN into `resources`.
 *
 * Instance profiles (EC2, Auto Scaling, Batch, EMR) are recorded as the instance-profile ARN: the
 * role inside the profile is not in the event. RunInstances also reads the response, which carries
 * the profile ARN even when the request named it by name or through a launch template.
 */
import { MAX_VALUE_LENGTH, accountOf, isRecord, partitionOf, str, valuesAt, getCI } from './params.js';

type Kind = 'role' | 'instance-profile';

interface PassRoleSource {
  /** Path from the record root, e.g. `requestParameters.roleArn`. Case-insensitive per segment. */
  path: string;
  kind: Kind;
}

const rp = (path: string, kind: Kind = 'role'): PassRoleSource => ({ path: `requestParameters.${path}`, kind });
const profile = (path: string): PassRoleSource => rp(path, 'instance-profile');

/** `prefix:EventName` (after version-suffix stripping) → where the passed role is. */
export const PASS_ROLE_SOURCES: Readonly<Record<string, readonly PassRoleSource[]>> = {
  'lambda:CreateFunction': [rp('role')],
  'lambda:UpdateFunctionConfiguration': [rp('role')],
  'ec2:RunInstances': [
    profile('iamInstanceProfile'),
    { path: 'responseElements.instancesSet.items[].iamInstanceProfile', kind: 'instance-profile' },
  ],
  'ec2:RequestSpotInstances': [profile('launchSpecification.iamInstanceProfile')],
  'ec2:RequestSpotFleet': [
    rp('spotFleetRequestConfig.iamFleetRole'),
    profile('spotFleetRequestConfig.launchSpecifications[].iamInstanceProfile'),
  ],
  'ec2:AssociateIamInstanceProfile': [
    profile('AssociateIamInstanceProfileRequest.IamInstanceProfile'),
    profile('iamInstanceProfile'),
  ],
  'ec2:ReplaceIamInstanceProfileAssociation': [
    profile('ReplaceIamInstanceProfileAssociationRequest.IamInstanceProfile'),
    profile('iamInstanceProfile'),
  ],
  'autoscaling:CreateLaunchConfiguration': [profile('iamInstanceProfile')],
  'autoscaling:CreateAutoScalingGroup': [rp('serviceLinkedRoleARN')],
  'cloudformation:CreateStack': [rp('roleARN')],
  'cloudformation:UpdateStack': [rp('roleARN')],
  'cloudformation:CreateChangeSet': [rp('roleARN')],
  'cloudformation:CreateStackSet': [rp('administrationRoleARN')],
  'cloudformation:UpdateStackSet': [rp('administrationRoleARN')],
  'glue:CreateDevEndpoint': [rp('roleArn')],
  'glue:CreateJob': [rp('role')],
  'glue:UpdateJob': [rp('jobUpdate.role')],
  'glue:CreateCrawler': [rp('role')],
  'glue:UpdateCrawler': [rp('role')],
  'glue:CreateSession': [rp('role')],
  'glue:CreateMLTransform': [rp('role')],
  'sagemaker:CreateNotebookInstance': [rp('roleArn')],
  'sagemaker:UpdateNotebookInstance': [rp('roleArn')],
  'sagemaker:CreateTrainingJob': [rp('roleArn')],
  'sagemaker:CreateProcessingJob': [rp('roleArn')],
  'sagemaker:CreateModel': [rp('executionRoleArn')],
  'sagemaker:CreateAutoMLJob': [rp('roleArn')],
  'sagemaker:CreateAutoMLJobV2': [rp('roleArn')],
  'sagemaker:CreateLabelingJob': [rp('roleArn')],
  'sagemaker:CreateCompilationJob': [rp('roleArn')],
  'sagemaker:CreatePipeline': [rp('roleArn')],
  'sagemaker:CreateHyperParameterTuningJob': [rp('trainingJobDefinition.roleArn'), rp('trainingJobDefinitions[].roleArn')],
  'sagemaker:CreateDomain': [rp('defaultUserSettings.executionRole')],
  'sagemaker:UpdateDomain': [rp('defaultUserSettings.executionRole')],
  'sagemaker:CreateUserProfile': [rp('userSettings.executionRole')],
  'sagemaker:UpdateUserProfile': [rp('userSettings.executionRole')],
  'codebuild:CreateProject': [rp('serviceRole')],
  'codebuild:UpdateProject': [rp('serviceRole')],
  'codebuild:UpdateProjectVisibility': [rp('resourceAccessRole')],
  'ecs:RegisterTaskDefinition': [rp('taskRoleArn'), rp('executionRoleArn')],
  'ecs:RunTask': [rp('overrides.taskRoleArn'), rp('overrides.executionRoleArn')],
  'ecs:StartTask': [rp('overrides.taskRoleArn'), rp('overrides.executionRoleArn')],
  'ecs:CreateService': [rp('role')],
  'apprunner:CreateService': [
    rp('instanceConfiguration.instanceRoleArn'),
    rp('sourceConfiguration.authenticationConfiguration.accessRoleArn'),
  ],
  'apprunner:UpdateService': [
    rp('instanceConfiguration.instanceRoleArn'),
    rp('sourceConfiguration.authenticationConfiguration.accessRoleArn'),
  ],
  'batch:CreateComputeEnvironment': [
    rp('serviceRole'),
    profile('computeResources.instanceRole'),
    rp('computeResources.spotIamFleetRole'),
  ],
  'batch:UpdateComputeEnvironment': [rp('serviceRole'), profile('computeResources.instanceRole')],
  'batch:RegisterJobDefinition': [
    rp('containerProperties.jobRoleArn'),
    rp('containerProperties.executionRoleArn'),
    rp('ecsProperties.taskProperties[].taskRoleArn'),
    rp('ecsProperties.taskProperties[].executionRoleArn'),
  ],
  'states:CreateStateMachine': [rp('roleArn')],
  'states:UpdateStateMachine': [rp('roleArn')],
  'events:PutTargets': [rp('targets[].roleArn')],
  'events:PutRule': [rp('roleArn')],
  'scheduler:CreateSchedule': [rp('target.roleArn')],
  'scheduler:UpdateSchedule': [rp('target.roleArn')],
  'bedrock-agentcore:CreateCodeInterpreter': [rp('executionRoleArn')],
  'bedrock-agentcore:CreateAgentRuntime': [rp('roleArn')],
  'bedrock-agentcore:UpdateAgentRuntime': [rp('roleArn')],
  'bedrock:CreateAgent': [rp('agentResourceRoleArn')],
  'bedrock:UpdateAgent': [rp('agentResourceRoleArn')],
  'bedrock:CreateKnowledgeBase': [rp('roleArn')],
  'bedrock:CreateModelCustomizationJob': [rp('roleArn')],
  'bedrock:CreateModelInvocationJob': [rp('roleArn')],
  'eks:CreateCluster': [rp('roleArn')],
  'eks:CreateNodegroup': [rp('nodeRole')],
  'eks:CreateFargateProfile': [rp('podExecutionRoleArn')],
  'elasticmapreduce:RunJobFlow': [rp('serviceRole'), rp('autoScalingRole'), profile('jobFlowRole')],
  'rds:AddRoleToDBCluster': [rp('roleArn')],
  'rds:AddRoleToDBInstance': [rp('roleArn')],
  'rds:StartExportTask': [rp('iamRoleArn')],
  'rolesanywhere:CreateProfile': [rp('roleArns[]')],
  'rolesanywhere:UpdateProfile': [rp('roleArns[]')],
  's3:PutBucketReplication': [rp('ReplicationConfiguration.Role')],
  'cloudtrail:CreateTrail': [rp('cloudWatchLogsRoleArn')],
  'cloudtrail:UpdateTrail': [rp('cloudWatchLogsRoleArn')],
  'config:PutConfigurationRecorder': [rp('configurationRecorder.roleARN')],
  'logs:PutSubscriptionFilter': [rp('roleArn')],
  'logs:PutDestination': [rp('roleArn')],
  'ssm:SendCommand': [rp('serviceRoleArn')],
  'ssm:RegisterTaskWithMaintenanceWindow': [rp('serviceRoleArn')],
  'firehose:CreateDeliveryStream': [
    rp('s3DestinationConfiguration.roleARN'),
    rp('extendedS3DestinationConfiguration.roleARN'),
    rp('kinesisStreamSourceConfiguration.roleARN'),
  ],
  'kinesisanalytics:CreateApplication': [rp('serviceExecutionRole')],
};

/** Special case: Data Pipeline definitions carry roles as `role` / `resourceRole` fields of pipeline objects. */
function dataPipelineRoles(record: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const field of valuesAt(record, 'requestParameters.pipelineObjects[].fields[]')) {
    const key = str(getCI(field, 'key'));
    if (key !== 'role' && key !== 'resourceRole') continue;
    const value = str(getCI(field, 'stringValue'));
    if (value) out.push(value);
  }
  return out;
}

const ROLE_ARN = /^arn:[a-z][a-z-]*:iam::[^:\s/]*:role\/[\w+=,.@/-]+$/;
const PROFILE_ARN = /^arn:[a-z][a-z-]*:iam::[^:\s/]*:instance-profile\/[\w+=,.@/-]+$/;
const IAM_NAME = /^[\w+=,.@-]+(?:\/[\w+=,.@-]+)*$/;

function toArn(value: string, kind: Kind, partition: string, account: string | undefined): string | undefined {
  if (value.length > MAX_VALUE_LENGTH) return undefined;
  if (value.startsWith('arn:')) {
    return (kind === 'role' ? ROLE_ARN : PROFILE_ARN).test(value) ? value : undefined;
  }
  if (!account || !IAM_NAME.test(value) || value.length > 576) return undefined;
  return `arn:${partition}:iam::${account}:${kind}/${value}`;
}

/**
 * ARNs of roles (or instance profiles) passed by this call. `key` is `prefix:EventName` as IAM
 * spells it (e.g. `lambda:CreateFunction`). Empty when the call passes no role.
 */
export function passedRoles(key: string, record: Record<string, unknown>): string[] {
  const sources = PASS_ROLE_SOURCES_LOWER.get(key.toLowerCase());
  const isPipeline = key.toLowerCase() === 'datapipeline:putpipelinedefinition';
  if (!sources && !isPipeline) return [];
  const partition = partitionOf(record);
  const account = accountOf(record);
  const out = new Set<string>();
  const add = (value: string, kind: Kind) => {
    const arn = toArn(value, kind, partition, account);
    if (arn) out.add(arn);
  };
  if (isPipeline) for (const v of dataPipelineRoles(record)) add(v, 'role');
  for (const source of sources ?? []) {
    for (const v of valuesAt(record, source.path)) {
      if (typeof v === 'string') {
        add(v.trim(), source.kind);
      } else if (isRecord(v) && source.kind === 'instance-profile') {
        // {arn} or {name} (RunInstances), {Arn} / {Name} (Associate/Replace...Request).
        const arn = str(getCI(v, 'arn'));
        const name = str(getCI(v, 'name'));
        if (arn) add(arn.trim(), 'instance-profile');
        else if (name) add(name.trim(), 'instance-profile');
      }
    }
  }
  return [...out];
}

/** Lower-case keys, so lookups need no per-call normalisation of the table. */
const PASS_ROLE_SOURCES_LOWER = new Map<string, readonly PassRoleSource[]>(
  Object.entries(PASS_ROLE_SOURCES).map(([k, v]) => [k.toLowerCase(), v]),
);

/** True when this `prefix:EventName` can pass a role (used to precompute per-event rules). */
export function canPassRole(key: string): boolean {
  const k = key.toLowerCase();
  return PASS_ROLE_SOURCES_LOWER.has(k) || k === 'datapipeline:putpipelinedefinition';
}
