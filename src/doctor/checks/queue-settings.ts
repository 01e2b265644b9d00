import { defineCheck } from '../types.js';
import { shellArg } from '../arn.js';
import type { CheckStatus } from '../types.js';
import { isNotFound } from '../aws-errors.js';
import type { DoctorContext } from '../context.js';
import { deliveryOf, publisherOf, withoutQueue } from './queue-shared.js';

/** AWS: a notification is at most 64 KB; a smaller MaximumMessageSize makes SQS refuse it and the event is lost. */
export const NOTIFICATION_MAX_BYTES = 65_536;

interface Problem {
  status: Exclude<CheckStatus, 'pass' | 'skip'>;
  text: string;
  /** Attributes for one set-queue-attributes call. */
  set?: Record<string, string>;
  command?: string;
}

export function queueMissing(err: unknown): boolean {
  return isNotFound(err, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
}

async function problemsOf(ctx: DoctorContext, a: Record<string, string>): Promise<Problem[]> {
  const t = ctx.thresholds;
  const out: Problem[] = [];
  const vis = Number(a.VisibilityTimeout ?? 30);
  if (vis < t.minVisibilityTimeout) {
    out.push({ status: 'warn', text: `VisibilityTimeout is ${vis} s: ingest extends it every half timeout, so one slow call lets a message reappear while its file is being read`, set: { VisibilityTimeout: '300' } });
  }
  const retention = Number(a.MessageRetentionPeriod ?? 345_600);
  if (retention < t.minRetention) {
    out.push({ status: 'warn', text: `MessageRetentionPeriod is ${Math.round(retention / 3600)} h: notifications older than that are deleted unread if ingest is down`, set: { MessageRetentionPeriod: '1209600' } });
  }
  const size = Number(a.MaximumMessageSize ?? 262_144);
  if (size < NOTIFICATION_MAX_BYTES) {
    out.push({ status: 'fail', text: `MaximumMessageSize is ${size} bytes, under the 64 KB an S3 notification can reach: SQS refuses the larger ones and their files are never ingested`, set: { MaximumMessageSize: '262144' } });
  }
  if (!a.RedrivePolicy) {
    out.push({
      status: 'warn',
      text: 'no RedrivePolicy: messages that keep failing are quarantined by ingest after 5 receives instead of kept in a dead-letter queue',
      command: `aws sqs create-queue --queue-name <queue>-dlq --attributes MessageRetentionPeriod=1209600, then aws sqs set-queue-attributes --queue-url ${shellArg(ctx.connector.queueUrl ?? '')} --attributes ${shellArg(JSON.stringify({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: '<dlq-arn>', maxReceiveCount: '5' }) }))}`,
    });
  } else {
    const max = Number((JSON.parse(a.RedrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount);
    if (max < 3) {
      out.push({ status: 'warn', text: `RedrivePolicy maxReceiveCount is ${max}: one throttled S3 read sends the file's message to the dead-letter queue`, set: { RedrivePolicy: JSON.stringify({ ...(JSON.parse(a.RedrivePolicy) as object), maxReceiveCount: '5' }) } });
    }
  }
  const key = a.KmsMasterKeyId;
  if (key && /^alias\/aws\/sqs$|:alias\/aws\/sqs$/.test(key)) {
    // The AWS-managed key's policy cannot be edited, so no service publisher may use it.
    const p = await publisherOf(ctx, await deliveryOf(ctx).catch(() => undefined));
    out.push({ status: 'fail', text: `the queue is encrypted with the AWS-managed key aws/sqs, whose policy cannot let ${p.service} use it: every notification is refused`, command: `aws sqs set-queue-attributes --queue-url ${shellArg(ctx.connector.queueUrl ?? '')} --attributes '{"KmsMasterKeyId":"","SqsManagedSseEnabled":"true"}' (or a customer-managed key whose policy allows ${p.service} kms:GenerateDataKey* and kms:Decrypt)` });
  }
  return out;
}

export const queueSettings = defineCheck({
  id: 'queue-settings',
  title: 'Queue settings suit CloudTrail notifications',
  why: 'A too-small MaximumMessageSize loses notifications, a short retention loses them during an outage, a short visibility timeout delivers files twice, and without a dead-letter queue poison messages have nowhere to go.',
  skipWhen: withoutQueue,
  async run(ctx) {
    let a: Record<string, string>;
    try {
      a = await ctx.queueAttributes();
    } catch (err) {
      if (!queueMissing(err)) throw err;
      return { status: 'fail', found: `the queue ${ctx.connector.queueUrl} does not exist (deleted, or a wrong URL or region)`, fix: `check the connector's queueUrl against aws sqs list-queues --region <bucket region>` };
    }
    const problems = await problemsOf(ctx, a);
    const details = {
      visibilityTimeout: Number(a.VisibilityTimeout ?? NaN),
      messageRetentionPeriod: Number(a.MessageRetentionPeriod ?? NaN),
      maximumMessageSize: Number(a.MaximumMessageSize ?? NaN),
      redrivePolicy: a.RedrivePolicy ?? null,
      kmsMasterKeyId: a.KmsMasterKeyId ?? null,
    };
    if (!problems.length) return { status: 'pass', found: `VisibilityTimeout ${a.VisibilityTimeout} s, retention ${Math.round(Number(a.MessageRetentionPeriod) / 86_400)} days, MaximumMessageSize ${a.MaximumMessageSize} bytes, dead-letter queue set`, details };
    const set = Object.assign({}, ...problems.map((p) => p.set ?? {})) as Record<string, string>;
    const fixes = [
      ...(Object.keys(set).length ? [`aws sqs set-queue-attributes --queue-url ${shellArg(ctx.connector.queueUrl ?? '')} --attributes ${shellArg(JSON.stringify(set))}`] : []),
      ...problems.flatMap((p) => (p.command ? [p.command] : [])),
    ];
    return { status: problems.some((p) => p.status === 'fail') ? 'fail' : 'warn', found: problems.map((p) => p.text).join('; '), fix: fixes.join('; '), details };
  },
});
