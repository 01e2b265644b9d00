/**
 * How a new log file reaches the queue, read from the bucket's notification configuration: a
 * direct S3 → SQS rule, an S3 → SNS rule (the queue subscribes to the topic), CloudTrail's own SNS
 * notification, or EventBridge. Pure, so queue-notification, queue-policy and
 * bucket-queue-region reason on the same reading.
 */
import type { GetBucketNotificationConfigurationCommandOutput, NotificationConfigurationFilter } from '@aws-sdk/client-s3';
import type { DoctorContext } from './context.js';
import { MissingPermission } from './aws-errors.js';

export type Coverage = 'all' | 'part' | 'none';

export interface RuleReading {
  id: string;
  /** The rule fires for the PutObject CloudTrail uses. */
  eventsOk: boolean;
  prefix: string;
  suffix: string;
  /** Whether the prefix/suffix filter lets the connector's log keys through. */
  coverage: Coverage;
}

export interface Delivery {
  /** Rules sending to our queue. */
  direct: RuleReading[];
  /** S3 → SNS rules (with their topic) that cover the logs. */
  topics: (RuleReading & { topicArn: string })[];
  eventBridge: boolean;
  /** Other consumers' S3 → SQS rules for new objects on an overlapping prefix (S3 refuses a second one). */
  blocking: { id: string; queueArn: string }[];
}

const PUT_EVENTS = new Set(['s3:ObjectCreated:*', 's3:ObjectCreated:Put']);

function filterOf(f: NotificationConfigurationFilter | undefined): { prefix: string; suffix: string } {
  const rules = f?.Key?.FilterRules ?? [];
  const get = (n: string) => rules.find((r) => r.Name?.toLowerCase() === n)?.Value ?? '';
  return { prefix: get('prefix'), suffix: get('suffix') };
}

/** Where the connector's log keys start: the logs root, narrowed to its organization or account. */
export function logKeyScope(logsRoot: string, connector: { type: string; organizationId?: string; accountId?: string }): string {
  if (connector.type === 'organization' && connector.organizationId) return `${logsRoot}${connector.organizationId}/`;
  if (connector.type === 'account' && connector.accountId) return `${logsRoot}${connector.accountId}/`;
  return logsRoot;
}

export function coverageOf(prefix: string, suffix: string, scope: string): Coverage {
  if (suffix && !'.json.gz'.endsWith(suffix)) return 'none';
  if (scope.startsWith(prefix)) return 'all';
  return prefix.startsWith(scope) ? 'part' : 'none';
}

export function readDelivery(n: GetBucketNotificationConfigurationCommandOutput, queueArn: string, scope: string): Delivery {
  const read = (id: string | undefined, events: string[] | undefined, filter: NotificationConfigurationFilter | undefined): RuleReading => {
    const { prefix, suffix } = filterOf(filter);
    return { id: id ?? '', eventsOk: (events ?? []).some((e) => PUT_EVENTS.has(e)), prefix, suffix, coverage: coverageOf(prefix, suffix, scope) };
  };
  const direct: RuleReading[] = [];
  const blocking: Delivery['blocking'] = [];
  for (const q of n.QueueConfigurations ?? []) {
    const r = read(q.Id, q.Events, q.Filter);
    if (q.QueueArn === queueArn) direct.push(r);
    else if ((q.Events ?? []).some((e) => e.startsWith('s3:ObjectCreated')) && (scope.startsWith(r.prefix) || r.prefix.startsWith(scope))) {
      blocking.push({ id: r.id, queueArn: q.QueueArn ?? '' });
    }
  }
  const topics = (n.TopicConfigurations ?? [])
    .map((t) => ({ ...read(t.Id, t.Events, t.Filter), topicArn: t.TopicArn ?? '' }))
    .filter((t) => t.eventsOk && t.coverage !== 'none');
  return { direct, topics, eventBridge: n.EventBridgeConfiguration !== undefined, blocking };
}

/** The delivery of the run, or undefined when the notification configuration cannot be read. */
export async function deliveryOf(ctx: DoctorContext): Promise<Delivery | undefined> {
  try {
    const [n, arn] = await Promise.all([ctx.notification(), ctx.queueArn()]);
    return readDelivery(n, arn, logKeyScope(ctx.logsRoot, ctx.connector));
  } catch (err) {
    if (err instanceof MissingPermission) return undefined;
    throw err;
  }
}

/** The QueueConfigurations entry that sends the connector's new log files to the queue. */
export function queueRule(queueArn: string, scope: string): Record<string, unknown> {
  return {
    Id: 'trailscope-cloudtrail',
    QueueArn: queueArn,
    Events: ['s3:ObjectCreated:*'],
    Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: scope }, { Name: 'suffix', Value: '.json.gz' }] } },
  };
}
