import { defineCheck } from '../types.js';
import { shellArg } from '../arn.js';
import { deliveryOf, publisherOf, sendVerdict, withoutQueue } from './queue-shared.js';
import type { Publisher } from './queue-shared.js';

function statementFor(p: Publisher, queueArn: string): string {
  return JSON.stringify({
    Sid: 'AllowTrailNotifications',
    Effect: 'Allow',
    Principal: { Service: p.service },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': p.sourceArn ?? `arn:aws:events:<region>:<account>:rule/<rule-name>` } },
  });
}

export const queuePolicy = defineCheck({
  id: 'queue-policy',
  title: 'Queue policy lets the publisher send',
  why: 'S3, SNS and EventBridge send as AWS services: without a queue-policy statement for that service and source, every notification is dropped, and S3 does not tell anyone.',
  skipWhen: withoutQueue,
  async run(ctx) {
    const d = await deliveryOf(ctx);
    const p = await publisherOf(ctx, d);
    const queueArn = await ctx.queueArn();
    const v = await sendVerdict(ctx, p);
    const source = p.sourceArn ?? 'the EventBridge rule';
    const fix = `add to the queue policy of ${queueArn}: ${statementFor(p, queueArn)} (aws sqs set-queue-attributes --queue-url ${shellArg(ctx.connector.queueUrl ?? '')} --attributes file://policy.json replaces the whole Policy: send it with the existing statements)`;
    const details = { publisher: p.service, sourceArn: p.sourceArn ?? null, basis: p.basis, verdict: v ?? 'unreadable' };
    if (!v) return { status: 'fail', found: `the queue policy of ${queueArn} is not valid JSON`, fix, details };
    switch (v.verdict) {
      case 'allowed':
        return {
          status: 'pass',
          found: `the queue policy lets ${p.service} send for ${v.scope === 'source' ? source : 'sources of the account named by aws:SourceAccount'}${v.sid ? ` (statement ${v.sid})` : ''}; ${p.basis}`,
          details,
        };
      case 'public':
        return {
          status: 'fail',
          found: `the queue policy lets anyone send (Principal "*" without a condition${v.sid ? `, statement ${v.sid}` : ''}): a forged notification can make ingest read a file from any bucket and store its events as this trail's`,
          fix: `replace that statement with: ${statementFor(p, queueArn)}`,
          details,
        };
      case 'unscoped':
        return {
          status: 'warn',
          found: `the queue policy lets ${p.service} send without an aws:SourceArn condition${v.sid ? ` (statement ${v.sid})` : ''}: any ${p.service.split('.')[0]} resource of any account can write to the queue`,
          fix: `scope the statement to the source: ${statementFor(p, queueArn)}`,
          details,
        };
      case 'denied':
        return { status: 'fail', found: `the queue policy denies sqs:SendMessage to ${p.service}${v.sid ? ` (statement ${v.sid})` : ''}; ${p.basis}`, fix: `remove or narrow that Deny, then ${fix}`, details };
      case 'other-source':
        return { status: 'fail', found: `the queue policy lets ${p.service} send only for ${v.sources.join(', ')}, not for ${source}; ${p.basis}`, fix, details };
      case 'missing':
        return { status: 'fail', found: `the queue policy of ${queueArn} has no statement letting ${p.service} send (sqs:SendMessage); ${p.basis}`, fix, details };
    }
  },
});
