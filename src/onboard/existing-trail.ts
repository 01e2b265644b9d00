/**
 * "Existing trail": the trail, its bucket and a queue fed by the bucket's notifications exist;
 * the stack adds only trailscope's read role (and the doctor's optional read-only policy), in the
 * account that owns the bucket. The user pastes the queue's ARN as `SqsQueueArn`.
 */
import { ref, sub } from './cfn-yaml.js';
import { arnParts, resourceNames, type OnboardingInputs } from './inputs.js';
import {
  DIAGNOSTICS_PARAMETER,
  diagnosticsEnabled,
  existingKeyTarget,
  notEmpty,
  principalParameters,
  QUEUE_ARN_PATTERN,
  readerOutputs,
  readerResources,
  TRAIL_ARN_PARAMETER,
  type CfnTemplate,
  type TemplateOptions,
} from './template-parts.js';
import type { ModeDrafts } from './types.js';
import { principalOverride } from './steps.js';

export function existingTrailDrafts(inputs: OnboardingInputs, options: TemplateOptions): ModeDrafts {
  const names = resourceNames(inputs.name);
  const key = existingKeyTarget(inputs);
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `trailscope read access to the existing trail in s3://${inputs.bucket}/${inputs.logsRoot} (connector ${inputs.name})`,
    Parameters: {
      ...principalParameters(inputs, options),
      SqsQueueArn: {
        Type: 'String',
        Description: "ARN of the SQS queue that receives the bucket's ObjectCreated notifications (paste it from the SQS console).",
        AllowedPattern: QUEUE_ARN_PATTERN,
        ...(inputs.queueArn ? { Default: inputs.queueArn } : {}),
      },
      QueueKmsKeyArn: {
        Type: 'String',
        Description: "The queue's customer-managed KMS key, when it has one (SQS then decrypts messages for the reader); empty otherwise.",
        Default: '',
        AllowedPattern: '^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[\\w-]+)?$',
      },
      EnableDiagnostics: DIAGNOSTICS_PARAMETER,
      TrailArn: TRAIL_ARN_PARAMETER,
    },
    Conditions: {
      DiagnosticsEnabled: diagnosticsEnabled(),
      TrailArnGiven: notEmpty('TrailArn'),
      QueueKeyGiven: notEmpty('QueueKmsKeyArn'),
    },
    Resources: readerResources(
      inputs,
      names,
      {
        queueArn: ref('SqsQueueArn'),
        ...(key ? { key } : {}),
        // A queue fed by S3 directly is in the bucket's region, the stack's.
        queueKey: { keyArn: ref('QueueKmsKeyArn'), viaService: sub('sqs.${AWS::Region}.amazonaws.com'), onlyIf: 'QueueKeyGiven' },
      },
      { trailArn: ref('TrailArn'), trailOnlyIf: 'TrailArnGiven', queueArns: [ref('SqsQueueArn')], ...(key ? { key } : {}) },
    ),
    Outputs: readerOutputs(),
  };
  return {
    documents: [
      {
        file: `${names.stack}-existing-trail.yaml`,
        purpose: "trailscope's read role for the existing trail's bucket and queue",
        deployTo: `the account that owns the bucket ${inputs.bucket}, in its region`,
        stackName: names.stack,
        template,
        overrides: {
          ...principalOverride(options),
          ...(inputs.queueArn ? {} : { SqsQueueArn: '$TRAILSCOPE_QUEUE_ARN' }),
        },
      },
    ],
    stepsBefore: inputs.queueArn
      ? []
      : [
          `Find the SQS queue that receives the ObjectCreated notifications of s3://${inputs.bucket}/${inputs.logsRoot} and set TRAILSCOPE_QUEUE_ARN to its ARN (SQS console, Details, ARN). If the bucket notifies another consumer and has no queue for trailscope, use the fan-out template instead: S3 allows one rule per event type and prefix.`,
        ],
    stepsAfter: [
      ...(inputs.kmsKeyArn
        ? [
            `The key ${inputs.kmsKeyArn} must let the read role decrypt too: its key policy either lets IAM policies of account ${arnParts(inputs.kmsKeyArn).account} grant it (the default key policy does, and the role's policy grants it) or names the role; for a key in another account, add the ReaderRoleArn output to its key policy with kms:Decrypt.`,
          ]
        : []),
      "If the bucket policy denies requests it does not expect (outside a VPC endpoint, say), let the ReaderRoleArn output through; trailscope doctor names the call that is refused.",
    ],
  };
}
