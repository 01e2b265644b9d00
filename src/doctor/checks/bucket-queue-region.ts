import { defineCheck } from '../types.js';
import { deliveryOf, withoutQueue } from './queue-shared.js';

export const bucketQueueRegion = defineCheck({
  id: 'bucket-queue-region',
  title: 'Bucket and queue in the same region',
  why: 'S3 sends notifications only to a queue in the bucket\'s own region: a rule to a queue elsewhere cannot be saved, and a queue moved to another region stops receiving.',
  skipWhen: withoutQueue,
  async run(ctx) {
    const d = await deliveryOf(ctx);
    const direct = d?.direct.length ? true : !d?.topics.length && !d?.eventBridge;
    if (!direct) return { status: 'skip', found: 'new files reach the queue through SNS or EventBridge, which may cross regions' };
    const [bucketRegion, queueRegion] = await Promise.all([ctx.bucketRegion(), ctx.queueRegion()]);
    const details = { bucketRegion, queueRegion: queueRegion ?? null };
    if (!queueRegion) return { status: 'warn', found: `the queue's region cannot be read from its ARN or URL (${ctx.connector.queueUrl})`, details };
    if (bucketRegion !== queueRegion) {
      return {
        status: 'fail',
        found: `s3://${ctx.connector.bucket} is in ${bucketRegion} but the queue is in ${queueRegion}: S3 cannot notify it`,
        fix: `aws sqs create-queue --region ${bucketRegion} --queue-name <name> and point the connector's queueUrl (and the bucket's rule) at it; or notify an SNS topic in ${bucketRegion} that the queue subscribes to`,
        details,
      };
    }
    return { status: 'pass', found: `bucket and queue are both in ${bucketRegion}`, details };
  },
});
