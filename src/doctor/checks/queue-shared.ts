/** What the queue checks share: when they apply, and who publishes to the queue. */
import type { DoctorContext } from '../context.js';
import { deliveryOf } from '../delivery.js';
import type { Delivery } from '../delivery.js';
import { canSend, statementsOf } from '../policy.js';
import type { SendVerdict } from '../policy.js';

export function withoutQueue(ctx: DoctorContext): string | undefined {
  return ctx.connector.queueUrl ? undefined : 'the connector has no queueUrl (it is read by backfill only)';
}

export interface Publisher {
  service: 's3.amazonaws.com' | 'sns.amazonaws.com' | 'events.amazonaws.com';
  /** The bucket, topic or rule the queue policy should name in aws:SourceArn (unknown for an EventBridge rule). */
  sourceArn: string | undefined;
  /** How it was found out. */
  basis: string;
}

/** Who should be sending to the queue, read from the bucket (or the trail's SNS topic). */
export async function publisherOf(ctx: DoctorContext, d: Delivery | undefined): Promise<Publisher> {
  if (d?.direct.some((r) => r.eventsOk && r.coverage !== 'none')) return { service: 's3.amazonaws.com', sourceArn: ctx.bucketArn, basis: 'the bucket notifies the queue directly' };
  const topic = d?.topics[0];
  if (topic) return { service: 'sns.amazonaws.com', sourceArn: topic.topicArn, basis: `the bucket notifies SNS topic ${topic.topicArn}` };
  const trailTopic = (await ctx.trail().catch(() => undefined))?.trail.SnsTopicARN;
  if (trailTopic) return { service: 'sns.amazonaws.com', sourceArn: trailTopic, basis: `the trail notifies SNS topic ${trailTopic}` };
  if (d?.eventBridge) return { service: 'events.amazonaws.com', sourceArn: undefined, basis: 'the bucket sends its events to EventBridge' };
  return { service: 's3.amazonaws.com', sourceArn: ctx.bucketArn, basis: d ? 'no delivery path found; assuming the usual S3 → SQS rule' : 'the bucket notification could not be read; assuming the usual S3 → SQS rule' };
}

/** The queue policy's answer for a publisher; undefined when the policy is not valid JSON. */
export async function sendVerdict(ctx: DoctorContext, p: Publisher): Promise<SendVerdict | undefined> {
  const attrs = await ctx.queueAttributes();
  const statements = statementsOf(attrs.Policy);
  return statements && canSend(statements, p.service, attrs.QueueArn ?? '', p.sourceArn);
}

export { deliveryOf };
