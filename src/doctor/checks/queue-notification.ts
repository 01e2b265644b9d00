import { defineCheck } from '../types.js';
import { deliveryOf, logKeyScope, queueRule } from '../delivery.js';
import type { RuleReading } from '../delivery.js';
import { sendVerdict, withoutQueue } from './queue-shared.js';
import { rulesDeliveringTo, topicDeliversTo } from '../subscriptions.js';

function describe(r: RuleReading): string {
  return `rule ${r.id || '(no id)'} (prefix "${r.prefix}", suffix "${r.suffix}")`;
}

export const queueNotification = defineCheck({
  id: 'queue-notification',
  title: 'New log files reach the queue',
  why: 'ingest learns about new files only from the queue: without a notification that reaches it, nothing is ingested, silently.',
  skipWhen: withoutQueue,
  async run(ctx) {
    const queueArn = await ctx.queueArn();
    const scope = logKeyScope(ctx.logsRoot, ctx.connector);
    await ctx.notification();
    const d = (await deliveryOf(ctx))!;
    const bucket = ctx.connector.bucket;
    const details = { queueArn, scope, direct: d.direct, topics: d.topics, eventBridge: d.eventBridge, blocking: d.blocking };
    const addRule =
      `add to the bucket's QueueConfigurations: ${JSON.stringify(queueRule(queueArn, scope))} ` +
      `(aws s3api get-bucket-notification-configuration --bucket ${bucket}, add the entry, then aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration file://notification.json: the call replaces the whole configuration)`;

    const good = d.direct.find((r) => r.eventsOk && r.coverage === 'all');
    if (good) return { status: 'pass', found: `s3://${bucket} sends new objects under ${scope} to ${queueArn} (${describe(good)})`, details };
    const broken = d.direct[0];
    if (broken) {
      const why = !broken.eventsOk
        ? 'does not fire on s3:ObjectCreated:Put, the call CloudTrail writes with'
        : broken.coverage === 'part'
          ? `lets only keys under "${broken.prefix}" through, a part of ${scope}`
          : `lets none of the log keys (${scope}*.json.gz) through`;
      return { status: 'fail', found: `s3://${bucket} has a ${describe(broken)} for ${queueArn}, but it ${why}`, fix: `replace that rule: ${JSON.stringify(queueRule(queueArn, scope))}`, details };
    }
    const trailTopic = (await ctx.trail().catch(() => undefined))?.trail.SnsTopicARN;
    const topics = [...d.topics.map((t) => ({ arn: t.topicArn, by: `s3://${bucket} notifies` })), ...(trailTopic ? [{ arn: trailTopic, by: 'the trail notifies' }] : [])];
    for (const t of topics) {
      const subscribed = await topicDeliversTo(ctx, t.arn, queueArn);
      if (subscribed.value === false) {
        return {
          status: 'fail',
          found: `${t.by} SNS topic ${t.arn}, but ${queueArn} is not subscribed to it`,
          fix: `aws sns subscribe --topic-arn ${t.arn} --protocol sqs --notification-endpoint ${queueArn} --attributes RawMessageDelivery=true, then see queue-policy`,
          details,
        };
      }
      const v = await sendVerdict(ctx, { service: 'sns.amazonaws.com', sourceArn: t.arn, basis: '' });
      if (v && (v.verdict === 'allowed' || v.verdict === 'unscoped' || v.verdict === 'public')) {
        const sub = subscribed.value ? `${queueArn} is subscribed to it` : `the subscription itself was not read: ${subscribed.unread}`;
        return { status: 'pass', found: `${t.by} SNS topic ${t.arn}, ${sub}, and the queue policy lets that topic send to ${queueArn}`, details };
      }
    }
    if (d.eventBridge) {
      const rules = await rulesDeliveringTo(ctx, bucket, queueArn);
      if (rules.value && rules.value.length === 0) {
        return {
          status: 'fail',
          found: `s3://${bucket} sends its events to EventBridge, but no enabled rule on the default bus matches its "Object Created" events with ${queueArn} as target`,
          fix: `aws events put-rule --name trailscope-${bucket} --event-pattern '{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":[${JSON.stringify(bucket)}]}}}', then aws events put-targets --rule trailscope-${bucket} --targets Id=trailscope,Arn=${queueArn}; then see queue-policy`,
          details,
        };
      }
      const v = await sendVerdict(ctx, { service: 'events.amazonaws.com', sourceArn: undefined, basis: '' });
      if (v && (v.verdict === 'allowed' || v.verdict === 'unscoped' || v.verdict === 'public')) {
        const which = rules.value ? `rule ${rules.value.join(', ')} targets ${queueArn}` : `the rule itself was not read: ${rules.unread}`;
        return { status: 'pass', found: `s3://${bucket} sends its events to EventBridge, ${which}, and the queue policy lets EventBridge rules send to ${queueArn}`, details };
      }
    }
    if (topics.length || d.eventBridge) {
      const path = topics.length ? `SNS topic ${topics.map((t) => t.arn).join(', ')}` : 'EventBridge';
      return {
        status: 'warn',
        found: `new files go to ${path}, but the queue policy of ${queueArn} does not let it send: the queue is probably not subscribed`,
        fix: topics.length ? `aws sns subscribe --topic-arn ${topics[0]!.arn} --protocol sqs --notification-endpoint ${queueArn}, then see queue-policy` : `add an EventBridge rule for "Object Created" on ${bucket} with ${queueArn} as target, then see queue-policy`,
        details,
      };
    }
    if (d.blocking.length) {
      const b = d.blocking[0]!;
      return {
        status: 'fail',
        found: `nothing sends new files of s3://${bucket} to ${queueArn}; rule ${b.id || '(no id)'} already sends them to ${b.queueArn}, and S3 refuses a second rule on an overlapping prefix`,
        fix: `fan out instead of adding a rule: aws s3api put-bucket-notification-configuration --bucket ${bucket} with "EventBridgeConfiguration":{} added to the current configuration, then an EventBridge rule for "Object Created" on ${bucket} targeting ${queueArn}; or point rule ${b.id || '(no id)'} at an SNS topic both queues subscribe to`,
        details,
      };
    }
    return { status: 'fail', found: `nothing sends new files of s3://${bucket} to ${queueArn}: no S3, SNS or EventBridge notification reaches it`, fix: addRule, details };
  },
});
