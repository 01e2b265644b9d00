/**
 * "Fan-out": the bucket already sends its ObjectCreated notifications to another consumer (a
 * SIEM, say). S3 allows one rule per event type and overlapping prefix, so a second rule for
 * trailscope would be refused; instead the bucket notifies an SNS topic and every consumer gets
 * its own queue subscribed to it. The stack creates the topic, trailscope's queue, the
 * subscriptions and the read role; moving the bucket's rule to the topic is a step for the user,
 * because CloudFormation cannot edit the notifications of a bucket it does not own.
 */
import { getAtt, ref, sub } from './cfn-yaml.js';
import { resourceNames, shellQuote, type OnboardingInputs } from './inputs.js';
import { principalOverride } from './steps.js';
import {
  bucketArns,
  DIAGNOSTICS_PARAMETER,
  diagnosticsEnabled,
  existingKeyTarget,
  notEmpty,
  principalParameters,
  queueResources,
  readerOutputs,
  readerResources,
  TRAIL_ARN_PARAMETER,
  type CfnTemplate,
} from './template-parts.js';
import type { TemplateOptions } from './template-parts.js';
import type { ModeDrafts } from './types.js';

const OPTIONAL_QUEUE_ARN_PATTERN = '^(arn:aws[a-z-]*:sqs:[a-z0-9-]+:\\d{12}:[\\w-]{1,80})?$';

export function fanOutDrafts(inputs: OnboardingInputs, options: TemplateOptions): ModeDrafts {
  const names = resourceNames(inputs.name);
  const key = existingKeyTarget(inputs);
  const { bucketArnText } = bucketArns(inputs);
  const topicArn = ref('FanOutTopic');
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `SNS fan-out of s3://${inputs.bucket} notifications to trailscope's own queue (connector ${inputs.name})`,
    Parameters: {
      ...principalParameters(inputs, options),
      ExistingConsumerQueueArn: {
        Type: 'String',
        Description: 'The queue the bucket notifies today, to subscribe to the topic with raw delivery (same account); empty to subscribe it yourself.',
        Default: '',
        AllowedPattern: OPTIONAL_QUEUE_ARN_PATTERN,
      },
      EnableDiagnostics: DIAGNOSTICS_PARAMETER,
      TrailArn: TRAIL_ARN_PARAMETER,
    },
    Conditions: {
      DiagnosticsEnabled: diagnosticsEnabled(),
      TrailArnGiven: notEmpty('TrailArn'),
      SubscribeExistingConsumer: notEmpty('ExistingConsumerQueueArn'),
    },
    Resources: {
      FanOutTopic: {
        Type: 'AWS::SNS::Topic',
        Properties: { TopicName: names.topic, DisplayName: 'CloudTrail log file notifications' },
      },
      FanOutTopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [topicArn],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'BucketPublishes',
                Effect: 'Allow',
                Principal: { Service: 's3.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: topicArn,
                Condition: { ArnEquals: { 'aws:SourceArn': sub(bucketArnText) }, StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
              },
            ],
          },
        },
      },
      ...queueResources(names, { service: 'sns.amazonaws.com', sourceArn: topicArn }),
      TrailscopeSubscription: {
        Type: 'AWS::SNS::Subscription',
        // The queue must accept the topic's messages before SNS delivers the first one.
        DependsOn: 'TrailQueuePolicy',
        Properties: { TopicArn: topicArn, Protocol: 'sqs', Endpoint: getAtt('TrailQueue', 'Arn'), RawMessageDelivery: true },
      },
      ExistingConsumerSubscription: {
        Type: 'AWS::SNS::Subscription',
        Condition: 'SubscribeExistingConsumer',
        // Raw delivery: the consumer keeps receiving the S3 event itself, not an SNS envelope.
        Properties: { TopicArn: topicArn, Protocol: 'sqs', Endpoint: ref('ExistingConsumerQueueArn'), RawMessageDelivery: true },
      },
      ...readerResources(
        inputs,
        names,
        { queueArn: getAtt('TrailQueue', 'Arn'), ...(key ? { key } : {}) },
        {
          trailArn: ref('TrailArn'),
          trailOnlyIf: 'TrailArnGiven',
          queueArns: [getAtt('TrailQueue', 'Arn'), getAtt('TrailDeadLetterQueue', 'Arn')],
          topicArn,
          ...(key ? { key } : {}),
        },
      ),
    },
    Outputs: {
      ...readerOutputs(),
      QueueUrl: { Description: "The connector's queueUrl", Value: ref('TrailQueue') },
      TopicArn: { Description: 'The topic the bucket must notify', Value: topicArn },
      ExistingConsumerSubscribed: { Description: 'The existing consumer queue subscribed with raw delivery', Value: ref('ExistingConsumerQueueArn'), Condition: 'SubscribeExistingConsumer' },
    },
  };
  const bucket = shellQuote(inputs.bucket);
  return {
    documents: [
      {
        file: `${names.stack}-fan-out.yaml`,
        purpose: "an SNS topic fanning the bucket's notifications out to one queue per consumer, trailscope's queue and read role",
        deployTo: `the account that owns the bucket ${inputs.bucket}, in the bucket's region (S3 notifies topics in its own region only)`,
        stackName: names.stack,
        template,
        overrides: { ...principalOverride(options), ExistingConsumerQueueArn: '$TRAILSCOPE_EXISTING_QUEUE_ARN' },
      },
    ],
    stepsBefore: [
      `Save the bucket's current notification rules, to edit and to roll back to: aws s3api get-bucket-notification-configuration --bucket ${bucket} > notification-before.json. If the ObjectCreated rule already targets an SNS topic (TopicConfigurations), this template is not needed: subscribe a trailscope queue to that topic instead.`,
      'Set TRAILSCOPE_EXISTING_QUEUE_ARN to the queue the rule targets today (its Queue ARN in notification-before.json) when that queue is in this account, so the stack subscribes it too; set it to an empty string when it is in another account, and subscribe it to the topic from that account (raw delivery on).',
    ],
    stepsAfter: [
      "Let the topic reach the existing consumer: add to that queue's policy a statement allowing sns.amazonaws.com sqs:SendMessage with the condition ArnEquals aws:SourceArn = the stack's TopicArn output. Raw delivery keeps its messages unchanged.",
      `Move the bucket's rule to the topic in one update: in a copy of notification-before.json, replace the QueueConfigurations (or LambdaFunctionConfigurations) entry for s3:ObjectCreated events on ${inputs.logsRoot} with a TopicConfigurations entry (same Events and Filter, TopicArn = TopicArn output) and keep every other rule; then run aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration file://notification-after.json`,
      "Check that both queues receive new log files (the existing consumer's first); to roll back, put notification-before.json back. The existing consumer keeps receiving the same S3 event messages, now through the topic.",
    ],
  };
}
