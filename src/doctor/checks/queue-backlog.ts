import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { defineCheck } from '../types.js';
import { accountOfArn } from '../arn.js';
import { diagnosticCall, errorMessage, isAccessDenied } from '../aws-errors.js';
import type { DoctorContext } from '../context.js';
import { withoutQueue } from './queue-shared.js';

// The age of the oldest message is a CloudWatch metric (ApproximateAgeOfOldestMessage), not a
// queue attribute; the doctor reads it there and never receives a message (that would hide it
// from ingest and count as a receive).
async function oldestMessageAge(ctx: DoctorContext, queueUrl: string): Promise<{ seconds: number | null; note: string }> {
  const cloudwatch = ctx.clients.cloudwatch;
  if (!cloudwatch) return { seconds: null, note: 'oldest message age not read (no CloudWatch client)' };
  const queueName = queueUrl.split('/').pop() ?? '';
  const end = ctx.now();
  try {
    const out = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: queueName }],
        StartTime: new Date(end.getTime() - 15 * 60_000),
        EndTime: end,
        Period: 300,
        Statistics: ['Maximum'],
      }),
    );
    const latest = (out.Datapoints ?? []).filter((d) => d.Timestamp && d.Maximum !== undefined).sort((x, y) => y.Timestamp!.getTime() - x.Timestamp!.getTime())[0];
    if (!latest) return { seconds: null, note: 'CloudWatch reported no oldest-message age in the last 15 minutes' };
    return { seconds: latest.Maximum!, note: `oldest message ${Math.round(latest.Maximum!)} s old` };
  } catch (err) {
    // The backlog is still worth reporting without the age: say what is missing instead.
    const why = isAccessDenied(err) ? 'cloudwatch:GetMetricStatistics is not allowed (add it to the diagnostics policy)' : errorMessage(err);
    return { seconds: null, note: `oldest message age not read: ${why}` };
  }
}

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
    const oldest = await oldestMessageAge(ctx, ctx.connector.queueUrl ?? '');
    const AGE_NOTE = oldest.note;
    const details = { visible, inFlight, delayed, deadLetter: dlq ?? null, oldestMessageAgeSeconds: oldest.seconds };
    if (oldest.seconds !== null && oldest.seconds > ctx.thresholds.oldestMessageWarnSeconds) {
      return {
        status: 'warn',
        found: `${visible} waiting, ${inFlight} in flight, ${delayed} delayed; ${AGE_NOTE}: files reach trailscope that late`,
        fix: 'run trailscope ingest for this connector (or raise its --concurrency); check its log for repeated failures',
        details,
      };
    }
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
