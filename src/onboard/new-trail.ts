/**
 * "New trail": one stack in the account to watch creates a multi-region trail, its bucket, an
 * optional KMS key, trailscope's queue fed by the bucket's notifications, and the read role.
 */
import { equals, getAtt, ifCondition, noValue, ref } from './cfn-yaml.js';
import { resourceNames, type OnboardingInputs } from './inputs.js';
import { LOG_ARCHIVE_PARAMETERS, logArchiveOutputs, logArchiveResources, type TrailOwner } from './log-archive.js';
import { principalOverride } from './steps.js';
import { DIAGNOSTICS_PARAMETER, diagnosticsEnabled, principalParameters, readerOutputs, type CfnResource, type CfnTemplate, type TemplateOptions } from './template-parts.js';
import type { ModeDrafts } from './types.js';

/** The trail resource; an organization trail when `organization` (management or delegated-admin account only). */
export function trailResource(inputs: OnboardingInputs, opts: { organization: boolean; bucketName: unknown; kmsKeyArn: unknown; dependsOn?: string }): CfnResource {
  return {
    Type: 'AWS::CloudTrail::Trail',
    ...(opts.dependsOn ? { DependsOn: opts.dependsOn } : {}),
    Properties: {
      TrailName: resourceNames(inputs.name).trail,
      S3BucketName: opts.bucketName,
      ...(inputs.prefix ? { S3KeyPrefix: inputs.prefix } : {}),
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      ...(opts.organization ? { IsOrganizationTrail: true } : {}),
      KMSKeyId: opts.kmsKeyArn,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    },
  };
}

export function newTrailDrafts(inputs: OnboardingInputs, options: TemplateOptions): ModeDrafts {
  const names = resourceNames(inputs.name);
  const owner: TrailOwner = { account: '${AWS::AccountId}' };
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `A multi-region CloudTrail trail in s3://${inputs.bucket}/${inputs.logsRoot} read by trailscope (connector ${inputs.name})`,
    Parameters: { ...principalParameters(inputs, options), EnableDiagnostics: DIAGNOSTICS_PARAMETER, ...LOG_ARCHIVE_PARAMETERS },
    Conditions: { DiagnosticsEnabled: diagnosticsEnabled(), UseKmsKey: equals(ref('CreateKmsKey'), 'true') },
    Resources: {
      ...logArchiveResources(inputs, owner),
      Trail: trailResource(inputs, {
        organization: false,
        bucketName: ref('TrailBucket'),
        kmsKeyArn: ifCondition('UseKmsKey', getAtt('TrailKey', 'Arn'), noValue()),
        // CloudTrail checks it may write before it creates the trail.
        dependsOn: 'TrailBucketPolicy',
      }),
    },
    Outputs: { ...readerOutputs(), ...logArchiveOutputs(), TrailArn: { Description: 'The trail', Value: getAtt('Trail', 'Arn') } },
  };
  return {
    documents: [
      {
        file: `${names.stack}-new-trail.yaml`,
        purpose: 'a new multi-region trail, its bucket, queue and optional KMS key, and trailscope\'s read role',
        deployTo: 'the AWS account to watch, in the region where its logs should live',
        stackName: names.stack,
        template,
        overrides: principalOverride(options),
      },
    ],
    stepsBefore: [],
    stepsAfter: [],
  };
}
