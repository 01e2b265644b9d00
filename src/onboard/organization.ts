/**
 * "Organization": three templates, in deployment order.
 * 1. The log-archive stack, in the account that owns the bucket: bucket, policy for an
 *    organization trail, optional KMS key, trailscope's queue and read role.
 * 2. The organization trail, in the management account (or CloudTrail's delegated administrator).
 * 3. A StackSet for the member accounts: the role `trailscope iam sync --org-role-name` assumes
 *    in each, with the IAM reads it makes and read-only trail diagnostics.
 */
import { equals, getAtt, ifCondition, noValue, ref, sub, subLiteral } from './cfn-yaml.js';
import { resourceNames, type OnboardingInputs } from './inputs.js';
import { LOG_ARCHIVE_PARAMETERS, logArchiveOutputs, logArchiveResources, type TrailOwner } from './log-archive.js';
import { trailResource } from './new-trail.js';
import type { PolicyStatement } from './policies.js';
import { deployCommand, outputsCommand, principalOverride, stackSetCommands } from './steps.js';
import { DIAGNOSTICS_PARAMETER, diagnosticsEnabled, notEmpty, principalParameters, readerOutputs, type CfnParameter, type CfnTemplate, type TemplateOptions } from './template-parts.js';
import type { ModeDrafts, TemplateDraft } from './types.js';

/** The IAM reads of `trailscope iam sync` in a member account; none takes a resource ARN. */
export const MEMBER_IAM_SYNC_ACTIONS = ['iam:GetAccountAuthorizationDetails', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport'] as const;

const TRAIL_ACCOUNT_PARAMETER: CfnParameter = {
  Type: 'String',
  Description: "The account that creates the organization trail: the management account, or CloudTrail's delegated administrator.",
  AllowedPattern: '^\\d{12}$',
};

function logArchiveDraft(inputs: OnboardingInputs, options: TemplateOptions): TemplateDraft {
  const names = resourceNames(inputs.name);
  const owner: TrailOwner = { account: '${TrailAccountId}', organizationId: '${OrganizationId}' };
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Log archive for the organization trail in s3://${inputs.bucket}/${inputs.logsRoot}, read by trailscope (connector ${inputs.name})`,
    Parameters: {
      ...principalParameters(inputs, options),
      TrailAccountId: TRAIL_ACCOUNT_PARAMETER,
      OrganizationId: {
        Type: 'String',
        Description: 'The organization id; the trail writes under AWSLogs/<organization id>/<account>/.',
        AllowedPattern: '^o-[a-z0-9]{10,32}$',
        ...(inputs.organizationId ? { Default: inputs.organizationId } : {}),
      },
      EnableDiagnostics: DIAGNOSTICS_PARAMETER,
      ...LOG_ARCHIVE_PARAMETERS,
    },
    Conditions: { DiagnosticsEnabled: diagnosticsEnabled(), UseKmsKey: equals(ref('CreateKmsKey'), 'true') },
    Resources: logArchiveResources(inputs, owner),
    Outputs: {
      ...readerOutputs(),
      ...logArchiveOutputs(),
      OrganizationId: { Description: "The connector's organizationId", Value: ref('OrganizationId') },
    },
  };
  return {
    file: `${names.stack}-log-archive.yaml`,
    purpose: "the organization trail's bucket, optional KMS key, trailscope's queue and read role",
    deployTo: `the log-archive account that will own the bucket ${inputs.bucket}`,
    stackName: `${names.stack}-log-archive`,
    template,
    overrides: {
      ...principalOverride(options),
      TrailAccountId: '$TRAILSCOPE_TRAIL_ACCOUNT_ID',
      ...(inputs.organizationId ? {} : { OrganizationId: '$TRAILSCOPE_ORGANIZATION_ID' }),
    },
  };
}

function organizationTrailDraft(inputs: OnboardingInputs): TemplateDraft {
  const names = resourceNames(inputs.name);
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Organization trail writing to s3://${inputs.bucket}/${inputs.logsRoot} (trailscope connector ${inputs.name})`,
    Parameters: {
      KmsKeyArn: {
        Type: 'String',
        Description: "The log-archive stack's KmsKeyArn output; empty when it created no key.",
        Default: '',
        AllowedPattern: '^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[\\w-]+)?$',
      },
    },
    Conditions: { UseKmsKey: notEmpty('KmsKeyArn') },
    Resources: {
      Trail: trailResource(inputs, {
        organization: true,
        bucketName: inputs.bucket,
        kmsKeyArn: ifCondition('UseKmsKey', ref('KmsKeyArn'), noValue()),
      }),
    },
    Outputs: { TrailArn: { Description: 'The organization trail', Value: sub(`arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/${subLiteral(names.trail)}`) } },
  };
  return {
    file: `${names.stack}-organization-trail.yaml`,
    purpose: 'the multi-region organization trail',
    deployTo: "the management account (or CloudTrail's delegated administrator), in the log-archive stack's region",
    stackName: `${names.stack}-organization-trail`,
    template,
    overrides: { KmsKeyArn: '$TRAILSCOPE_KMS_KEY_ARN' },
  };
}

function memberAccountsDraft(inputs: OnboardingInputs, options: TemplateOptions): TemplateDraft {
  const names = resourceNames(inputs.name);
  const trailArn = sub(`arn:\${AWS::Partition}:cloudtrail:\${TrailRegion}:\${TrailAccountId}:trail/${subLiteral(names.trail)}`);
  const statements: PolicyStatement[] = [
    { Sid: 'ReadIam', Effect: 'Allow', Action: [...MEMBER_IAM_SYNC_ACTIONS], Resource: '*' },
    { Sid: 'FindTrails', Effect: 'Allow', Action: ['cloudtrail:DescribeTrails'], Resource: '*' },
    // A member account names the organization trail by its full ARN.
    { Sid: 'InspectOrganizationTrail', Effect: 'Allow', Action: ['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'], Resource: trailArn },
  ];
  const principal = principalParameters(inputs, options);
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Read-only role for trailscope iam sync --org-role-name in each member account (connector ${inputs.name})`,
    Parameters: {
      TrailscopePrincipalArn: {
        ...principal['TrailscopePrincipalArn']!,
        Description: 'The principal that runs trailscope iam sync: trailscope itself, or the role it passes as --role-arn.',
      },
      ExternalId: principal['ExternalId']!,
      MemberRoleName: {
        Type: 'String',
        Description: 'The role name in every member account; pass it to trailscope iam sync --org-role-name.',
        Default: names.memberRole,
        AllowedPattern: '^[\\w+=,.@-]{1,64}$',
      },
      TrailAccountId: TRAIL_ACCOUNT_PARAMETER,
      TrailRegion: { Type: 'String', Description: "The organization trail's home region.", AllowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' },
    },
    Resources: {
      MemberReadRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: ref('MemberRoleName'),
          Description: 'trailscope reads IAM and the organization trail status in this account',
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
          Policies: [{ PolicyName: 'trailscope-member-read', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
        },
      },
    },
    Outputs: { MemberRoleArn: { Description: 'The role trailscope iam sync assumes here', Value: getAtt('MemberReadRole', 'Arn') } },
  };
  const draft: TemplateDraft = {
    file: `${names.stack}-member-accounts.yaml`,
    purpose: 'a StackSet giving trailscope iam sync a read-only role in every member account',
    deployTo: 'the member accounts, through a service-managed StackSet created in the management account',
    stackName: `${names.stack}-members`,
    template,
    overrides: {
      ...principalOverride(options),
      TrailAccountId: '$TRAILSCOPE_TRAIL_ACCOUNT_ID',
      TrailRegion: inputs.region ?? '$TRAILSCOPE_TRAIL_REGION',
    },
  };
  return draft;
}

export function organizationDrafts(connectorInputs: OnboardingInputs, options: TemplateOptions): ModeDrafts {
  // Whatever the connector says today, it reads an organization trail once this is deployed.
  const inputs: OnboardingInputs = { ...connectorInputs, type: 'organization' };
  const members = memberAccountsDraft(inputs, options);
  const region = members.overrides['TrailRegion']!;
  const trail = organizationTrailDraft(inputs);
  trail.deploySteps = [
    `Set TRAILSCOPE_KMS_KEY_ARN to the log-archive stack's KmsKeyArn output (${outputsCommand(`${resourceNames(inputs.name).stack}-log-archive`)}), or to an empty string when CreateKmsKey is false. ` +
      `Save ${trail.file} and, with credentials for ${trail.deployTo}, run: ${deployCommand(trail)}`,
  ];
  members.deploySteps = [
    `Save ${members.file} and, in the management account with trusted access for StackSets enabled, run: ${stackSetCommands(members, region).join(' && ')}`,
  ];
  return {
    documents: [logArchiveDraft(inputs, options), trail, members],
    stepsBefore: [
      "Set TRAILSCOPE_TRAIL_ACCOUNT_ID to the account that will create the organization trail (the management account or CloudTrail's delegated administrator)" +
        (inputs.region ? '' : ', TRAILSCOPE_TRAIL_REGION to the region of the trail and the log archive') +
        (inputs.organizationId ? '' : ', TRAILSCOPE_ORGANIZATION_ID to the organization id (aws organizations describe-organization)') +
        ' and TRAILSCOPE_ROOT_OU_ID to the root or OU whose accounts get the member role (aws organizations list-roots).',
      'Deploy in this order: CloudTrail checks the bucket policy (and the key policy) of the log archive when it creates the trail.',
    ],
    stepsAfter: [
      "StackSets do not deploy into the management account; trailscope iam sync reads it with its own credentials. Run trailscope iam sync --org-role-name with the MemberRoleName (and --external-id with the ExternalId).",
      "The trail writes under AWSLogs/<organization id>/<account>/: set the connector's type to organization and organizationId to the log-archive stack's OrganizationId output.",
    ],
  };
}
