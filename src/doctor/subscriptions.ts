/**
 * Whether an SNS topic or an EventBridge rule actually delivers to our queue: the subscription
 * (sns:ListSubscriptionsByTopic) and the rules whose pattern matches S3 "Object Created" with our
 * queue as a target (events:ListRules, events:ListTargetsByRule). `undefined` means it could not
 * be read (no client, or the diagnostics policy lacks the action); the caller then reasons on the
 * queue policy alone and says so.
 */
import { paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import type { DoctorContext } from './context.js';

export interface Reading<T> {
  value?: T;
  /** Why it was not read. */
  unread?: string;
}

function unreadable(action: string, err: unknown): string {
  const name = (err as { name?: string }).name ?? 'Error';
  return /AccessDenied|AuthorizationError|Forbidden/.test(name) ? `${action} is not allowed (add it to the diagnostics policy)` : `${action} failed: ${(err as Error).message}`;
}

/** Is `queueArn` subscribed to the topic (protocol sqs)? */
export async function topicDeliversTo(ctx: DoctorContext, topicArn: string, queueArn: string): Promise<Reading<boolean>> {
  const sns = ctx.clients.sns;
  if (!sns) return { unread: 'no SNS client' };
  try {
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
      if ((page.Subscriptions ?? []).some((s) => s.Protocol === 'sqs' && s.Endpoint === queueArn)) return { value: true };
    }
    return { value: false };
  } catch (err) {
    return { unread: unreadable('sns:ListSubscriptionsByTopic', err) };
  }
}

/** The default bus's rules that match S3 Object Created for the bucket and target the queue. */
export async function rulesDeliveringTo(ctx: DoctorContext, bucket: string, queueArn: string): Promise<Reading<string[]>> {
  const events = ctx.clients.eventbridge;
  if (!events) return { unread: 'no EventBridge client' };
  try {
    const found: string[] = [];
    let next: string | undefined;
    do {
      const page = await events.send(new ListRulesCommand({ ...(next ? { NextToken: next } : {}) }));
      for (const rule of page.Rules ?? []) {
        if (rule.State === 'DISABLED' || !rule.EventPattern || !rule.Name) continue;
        const pattern = rule.EventPattern;
        if (!pattern.includes('aws.s3') || !pattern.includes('Object Created')) continue;
        // A pattern naming buckets must name ours; one naming none matches every bucket.
        if (pattern.includes('"bucket"') && !pattern.includes(JSON.stringify(bucket))) continue;
        const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
        if ((targets.Targets ?? []).some((t) => t.Arn === queueArn)) found.push(rule.Arn ?? rule.Name);
      }
      next = page.NextToken;
    } while (next);
    return { value: found };
  } catch (err) {
    return { unread: unreadable('events:ListRules / events:ListTargetsByRule', err) };
  }
}
