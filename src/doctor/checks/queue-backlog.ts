import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { defineCheck } from '../types.js';
import { accountOfArn } from '../arn.js';
import { diagnosticCall } from '../aws-errors.js';
import type { DoctorContext } from '../context.js';
import { withoutQueue } from './queue-shared.js';

// The age of the oldest message is a CloudWatch metric (ApproximateAgeOfOldestMessage), not a
// queue attribute; the doctor reads queue attributes only, and never receives a message (that
// would hide it from ingest and count as a receive).
const AGE_NOTE = 'the age of the oldest message is the CloudWatch metric ApproximateAgeOfOldestMessage, not read here';

async function deadLetterDepth(ctx: DoctorContext, redrivePolicy: string): Promise<{ arn: string; messages: number } | undefined> {
  const arn = String((JSON.parse(redrivePolicy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn ?? '');
  const name = arn.split(':')[5];
  if (!name) return undefined;
  const owner = accountOfArn(arn);
  const url = await diagnosticCall('sqs:GetQueueUrl', arn, () => ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name, ...(owner ? { QueueOwnerAWSAccountId: owner } : {}) })));
  const attrs = await diagnosticCall('sqs:GetQueueAttributes', arn, () =>
    ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url.QueueUrl ?? '', AttributeNames: ['ApproximateNumberOfMessages'] })),
  );
  return { arn, messages: Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) };
}

export const queueBacklog = defineCheck({
  id: 'queue-backlog',
  title: 'Queue backlog and dead-letter queue',
  why: 'A growing backlog means findings lag behind the trail, and messages left past the retention period are lost; messages in the dead-letter queue are files that were never ingested.',
  skipWhen: withoutQueue,
  async run(ctx) {
    const a = await ctx.queueAttributes();
    const visible = Number(a.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    const delayed = Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
    const dlq = a.RedrivePolicy ? await deadLetterDepth(ctx, a.RedrivePolicy).catch(() => undefined) : undefined;
    const details = { visible, inFlight, delayed, deadLetter: dlq ?? null, oldestMessageAge: 'not read (CloudWatch ApproximateAgeOfOldestMessage)' };
    const counts = `${visible} waiting, ${inFlight} in flight, ${delayed} delayed`;
    if (visible > ctx.thresholds.backlogWarn) {
      return {
        status: 'warn',
        found: `${counts}: a backlog of more than ${ctx.thresholds.backlogWarn} (${AGE_NOTE})`,
        fix: `run trailscope ingest for this connector (or raise its --concurrency); check its log for repeated failures`,
        details,
      };
    }
    if (dlq && dlq.messages > 0) {
      return {
        status: 'warn',
        found: `${counts}; ${dlq.messages} messages wait in the dead-letter queue ${dlq.arn}: their files were not ingested`,
        fix: `fix the cause shown by trailscope status, then aws sqs start-message-move-task --source-arn ${dlq.arn} --destination-arn ${a.QueueArn}`,
        details,
      };
    }
    return { status: 'pass', found: `${counts}${dlq ? ', dead-letter queue empty' : ''} (${AGE_NOTE})`, details };
  },
});
