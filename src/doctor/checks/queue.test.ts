import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { healthyWorld, NOW } from '../doctor.test-helpers.js';
import type { World } from '../doctor.test-helpers.js';

let fx: FauxqsFixture;
before(async () => {
  fx = await startFauxqsForTest();
});
after(() => fx.stop());

const rule = (w: World, over: Record<string, unknown> = {}) => ({
  Id: 'trailscope',
  QueueArn: w.queueArn,
  Events: ['s3:ObjectCreated:*'],
  Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'AWSLogs/' }] } },
  ...over,
});

test('queue-notification: no rule reaching the queue fails with the QueueConfigurations entry to add (and a warning that put replaces all)', async () => {
  const w = await healthyWorld(fx);
  w.canned.GetBucketNotificationConfiguration = () => ({});
  const r = await w.check('queue-notification');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `nothing sends new files of s3://${w.bucket} to ${w.queueArn}: no S3, SNS or EventBridge notification reaches it`);
  assert.equal(
    r.fix,
    `add to the bucket's QueueConfigurations: {"Id":"trailscope-cloudtrail","QueueArn":"${w.queueArn}","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"AWSLogs/111122223333/"},{"Name":"suffix","Value":".json.gz"}]}}} ` +
      `(aws s3api get-bucket-notification-configuration --bucket ${w.bucket}, add the entry, then aws s3api put-bucket-notification-configuration --bucket ${w.bucket} --notification-configuration file://notification.json: the call replaces the whole configuration)`,
  );
});

test('queue-notification: a rule for our queue that misses the log keys or the Put event fails with the corrected rule', async () => {
  const w = await healthyWorld(fx);
  w.canned.GetBucketNotificationConfiguration = () => ({ QueueConfigurations: [rule(w, { Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'AWSLogs/111122223333/CloudTrail/eu-west-1/' }] } } })] });
  const part = await w.check('queue-notification');
  assert.equal(part.status, 'fail');
  assert.match(part.found, /lets only keys under "AWSLogs\/111122223333\/CloudTrail\/eu-west-1\/" through, a part of AWSLogs\/111122223333\//);
  assert.match(part.fix!, /^replace that rule: \{"Id":"trailscope-cloudtrail"/);

  w.canned.GetBucketNotificationConfiguration = () => ({ QueueConfigurations: [rule(w, { Events: ['s3:ObjectRemoved:*'] })] });
  const events = await w.check('queue-notification');
  assert.equal(events.status, 'fail');
  assert.match(events.found, /does not fire on s3:ObjectCreated:Put/);

  w.canned.GetBucketNotificationConfiguration = () => ({ QueueConfigurations: [rule(w, { Filter: { Key: { FilterRules: [{ Name: 'Suffix', Value: '.log' }] } } })] });
  assert.match((await w.check('queue-notification')).found, /lets none of the log keys/);
});

test('queue-notification: another consumer\'s rule on the same prefix makes the fix an EventBridge or SNS fan-out', async () => {
  const w = await healthyWorld(fx);
  w.canned.GetBucketNotificationConfiguration = () => ({ QueueConfigurations: [rule(w, { Id: 'siem', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:siem' })] });
  const r = await w.check('queue-notification');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /rule siem already sends them to arn:aws:sqs:us-east-1:000000000000:siem, and S3 refuses a second rule/);
  assert.match(r.fix!, /"EventBridgeConfiguration":\{\}/);
});

test('queue-notification: an S3 → SNS rule passes when the queue policy lets the topic send, warns when it does not', async () => {
  const w = await healthyWorld(fx);
  const topic = 'arn:aws:sns:us-east-1:111122223333:trail-files';
  w.canned.GetBucketNotificationConfiguration = () => ({ TopicConfigurations: [{ Id: 'fanout', TopicArn: topic, Events: ['s3:ObjectCreated:*'] }] });
  const warn = await w.check('queue-notification');
  assert.equal(warn.status, 'warn');
  assert.match(warn.found, /the queue is probably not subscribed/);
  assert.equal(warn.fix, `aws sns subscribe --topic-arn ${topic} --protocol sqs --notification-endpoint ${w.queueArn}, then see queue-policy`);
  // queue-policy, asked about the same path, wants the sns statement for the topic.
  const policy = await w.check('queue-policy');
  assert.equal(policy.status, 'fail');
  assert.match(policy.fix!, new RegExp(`"Principal":\\{"Service":"sns.amazonaws.com"\\},"Action":"sqs:SendMessage","Resource":"${w.queueArn}","Condition":\\{"ArnEquals":\\{"aws:SourceArn":"${topic}"\\}\\}`));

  await w.setQueue({
    Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: w.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topic } } }] }),
  });
  const pass = await w.check('queue-notification');
  assert.equal(pass.status, 'pass');
  assert.match(pass.found, /notifies SNS topic .*the subscription itself was not read: no SNS client/);
  assert.equal((await w.check('bucket-queue-region')).status, 'skip', 'an SNS hop may cross regions');
});

test('bucket-queue-region: a bucket in another region than the queue fails', async () => {
  const w = await healthyWorld(fx);
  w.canned.GetBucketLocation = () => ({ LocationConstraint: 'EU' });
  const r = await w.check('bucket-queue-region');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `s3://${w.bucket} is in eu-west-1 but the queue is in us-east-1: S3 cannot notify it`);
  assert.match(r.fix!, /^aws sqs create-queue --region eu-west-1 /);
});

test('queue-policy: no statement for S3 fails with the exact statement scoped to the bucket', async () => {
  const w = await healthyWorld(fx);
  await w.setQueue({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sqs:*', Resource: w.queueArn }] }) });
  const r = await w.check('queue-policy');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `the queue policy of ${w.queueArn} has no statement letting s3.amazonaws.com send (sqs:SendMessage); the bucket notifies the queue directly`);
  assert.equal(
    r.fix,
    `add to the queue policy of ${w.queueArn}: {"Sid":"AllowTrailNotifications","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"${w.queueArn}","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::${w.bucket}"}}} ` +
      `(aws sqs set-queue-attributes --queue-url ${w.queueUrl} --attributes file://policy.json replaces the whole Policy: send it with the existing statements)`,
  );
});

test('queue-policy: a statement for another bucket fails; one without aws:SourceArn warns; a Deny fails', async () => {
  const w = await healthyWorld(fx);
  const allow = (cond?: object, effect = 'Allow') => JSON.stringify({ Statement: [{ Effect: effect, Principal: { Service: 's3.amazonaws.com' }, Action: ['sqs:SendMessage'], Resource: '*', ...(cond ? { Condition: cond } : {}) }] });
  await w.setQueue({ Policy: allow({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::old-bucket' } }) });
  const other = await w.check('queue-policy');
  assert.equal(other.status, 'fail');
  assert.match(other.found, /send only for arn:aws:s3:::old-bucket, not for arn:aws:s3:::trail-logs-/);

  await w.setQueue({ Policy: allow() });
  const open = await w.check('queue-policy');
  assert.equal(open.status, 'warn');
  assert.match(open.found, /without an aws:SourceArn condition/);

  await w.setQueue({ Policy: allow(undefined, 'Deny') });
  assert.equal((await w.check('queue-policy')).status, 'fail');
});

test('queue-policy: a queue anyone may send to fails, because forged notifications would make ingest read any bucket', async () => {
  const w = await healthyWorld(fx);
  await w.setQueue({ Policy: JSON.stringify({ Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: w.queueArn }] }) });
  const r = await w.check('queue-policy');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /^the queue policy lets anyone send \(Principal "\*" without a condition, statement Open\): a forged notification/);
  assert.equal(
    r.fix,
    `replace that statement with: {"Sid":"AllowTrailNotifications","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"${w.queueArn}","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::${w.bucket}"}}}`,
  );
});

test('queue-settings: a MaximumMessageSize under 64 KB fails; short retention and timeout warn; the fix is one set-queue-attributes', async () => {
  const w = await healthyWorld(fx);
  await w.setQueue({ MaximumMessageSize: '16384', MessageRetentionPeriod: '3600', VisibilityTimeout: '10' });
  const r = await w.check('queue-settings');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /VisibilityTimeout is 10 s.*MessageRetentionPeriod is 1 h.*MaximumMessageSize is 16384 bytes, under the 64 KB/);
  assert.equal(r.fix, `aws sqs set-queue-attributes --queue-url ${w.queueUrl} --attributes '{"VisibilityTimeout":"300","MessageRetentionPeriod":"1209600","MaximumMessageSize":"262144"}'`);
});

test('queue-settings: no redrive policy warns with the DLQ commands; a missing queue fails', async () => {
  const w = await healthyWorld(fx);
  await w.setQueue({ RedrivePolicy: '' });
  const r = await w.check('queue-settings');
  assert.equal(r.status, 'warn');
  assert.match(r.found, /^no RedrivePolicy/);
  assert.match(r.fix!, /^aws sqs create-queue --queue-name <queue>-dlq .*"RedrivePolicy":"\{\\"deadLetterTargetArn\\":\\"<dlq-arn>\\",\\"maxReceiveCount\\":\\"5\\"\}"/);

  const gone = await healthyWorld(fx);
  gone.connector.queueUrl = gone.queueUrl.replace(/trailscope-\d+$/, 'no-such-queue');
  const m = await gone.check('queue-settings');
  assert.equal(m.status, 'fail');
  assert.match(m.found, /does not exist/);
});

test('queue-backlog: messages in the dead-letter queue warn with the move command; a backlog over the threshold warns', async () => {
  const w = await healthyWorld(fx);
  await w.sqs.send(new SendMessageCommand({ QueueUrl: w.dlqUrl, MessageBody: '{"Records":[]}' }));
  const r = await w.check('queue-backlog');
  assert.equal(r.status, 'warn');
  assert.match(r.found, new RegExp(`0 waiting, 0 in flight, 0 delayed; 1 messages wait in the dead-letter queue ${w.dlqArn}`));
  assert.match(r.fix!, new RegExp(`aws sqs start-message-move-task --source-arn ${w.dlqArn} --destination-arn ${w.queueArn}$`));

  const b = await healthyWorld(fx);
  for (let i = 0; i < 3; i++) await b.sqs.send(new SendMessageCommand({ QueueUrl: b.queueUrl, MessageBody: `m${i}` }));
  const backlog = await b.check('queue-backlog', { thresholds: { backlogWarn: 2 } });
  assert.equal(backlog.status, 'warn');
  assert.match(backlog.found, /^3 waiting, 0 in flight, 0 delayed: a backlog of more than 2 \(oldest message 30 s old\)/);
  assert.equal((await b.check('queue-backlog')).status, 'pass');
});

test('queue-backlog: an oldest message over an hour old warns; CloudWatch denied still reports the backlog and names the action', async () => {
  const w = await healthyWorld(fx);
  w.cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Timestamp: new Date(NOW.getTime() - 60_000), Maximum: 7200 }] });
  const old = await w.check('queue-backlog');
  assert.equal(old.status, 'warn');
  assert.match(old.found, /oldest message 7200 s old: files reach trailscope that late/);
  const call = w.cloudwatch.commandCalls(GetMetricStatisticsCommand)[0]!.args[0].input;
  assert.deepEqual([call.Namespace, call.MetricName, call.Dimensions?.[0]?.Value], ['AWS/SQS', 'ApproximateAgeOfOldestMessage', w.queueUrl.split('/').pop()]);
  w.cloudwatch.on(GetMetricStatisticsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
  const denied = await w.check('queue-backlog');
  assert.equal(denied.status, 'pass');
  assert.match(denied.found, /0 waiting.*oldest message age not read: cloudwatch:GetMetricStatistics is not allowed/);
});

test('queue checks are skipped for a connector without a queue', async () => {
  const w = await healthyWorld(fx);
  delete w.connector.queueUrl;
  const run = await w.run();
  for (const id of ['queue-notification', 'bucket-queue-region', 'queue-policy', 'queue-settings', 'queue-backlog']) {
    const r = run.results.find((x) => x.id === id)!;
    assert.equal(r.status, 'skip', id);
    assert.match(r.found, /no queueUrl/);
  }
});

test('queue-notification: EventBridge delivery passes when the queue policy admits EventBridge rules; queue-policy then asks for the rule ARN', async () => {
  const w = await healthyWorld(fx);
  w.canned.GetBucketNotificationConfiguration = () => ({ EventBridgeConfiguration: {} });
  const warn = await w.check('queue-notification');
  assert.equal(warn.status, 'warn');
  assert.match(warn.fix!, /EventBridge rule for "Object Created"/);
  const policy = await w.check('queue-policy');
  assert.equal(policy.status, 'fail');
  assert.match(policy.fix!, /"Principal":\{"Service":"events.amazonaws.com"\}.*"aws:SourceArn":"arn:aws:events:<region>:<account>:rule\/<rule-name>"/);

  const rule = 'arn:aws:events:us-east-1:111122223333:rule/trail-files';
  await w.setQueue({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: w.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': rule } } }] }) });
  const pass = await w.check('queue-notification');
  assert.equal(pass.status, 'pass');
  assert.match(pass.found, /sends its events to EventBridge, the rule itself was not read: no EventBridge client/);
  assert.equal((await w.check('queue-policy')).status, 'pass');
});

test('queue-notification: with SNS and EventBridge readable, a topic the queue is not subscribed to and an event bus with no rule for the queue fail; the real subscription or rule passes', async () => {
  const w = await healthyWorld(fx);
  const topic = 'arn:aws:sns:us-east-1:111122223333:trail-files';
  const snsClient = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sns = mockClient(snsClient);
  w.clients = { ...w.clients, sns: snsClient };
  w.canned.GetBucketNotificationConfiguration = () => ({ TopicConfigurations: [{ Id: 'fanout', TopicArn: topic, Events: ['s3:ObjectCreated:*'] }] });
  await w.setQueue({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: w.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topic } } }] }) });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:siem', TopicArn: topic }] });
  const unsubscribed = await w.check('queue-notification');
  assert.equal(unsubscribed.status, 'fail');
  assert.match(unsubscribed.found, new RegExp(`${w.queueArn} is not subscribed to it`));
  assert.match(unsubscribed.fix!, /aws sns subscribe --topic-arn .* --protocol sqs .*RawMessageDelivery=true/);
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ Protocol: 'sqs', Endpoint: w.queueArn, TopicArn: topic }] });
  const subscribed = await w.check('queue-notification');
  assert.equal(subscribed.status, 'pass');
  assert.match(subscribed.found, new RegExp(`${w.queueArn} is subscribed to it`));

  const e = await healthyWorld(fx);
  const ebClient = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const eb = mockClient(ebClient);
  e.clients = { ...e.clients, eventbridge: ebClient };
  e.canned.GetBucketNotificationConfiguration = () => ({ EventBridgeConfiguration: {} });
  const rule = 'arn:aws:events:us-east-1:111122223333:rule/trail-files';
  await e.setQueue({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: e.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': rule } } }] }) });
  const pattern = JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['someone-elses-bucket'] } } });
  eb.on(ListRulesCommand).resolves({ Rules: [{ Name: 'trail-files', Arn: rule, State: 'ENABLED', EventPattern: pattern }] });
  eb.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 't', Arn: e.queueArn }] });
  const other = await e.check('queue-notification');
  assert.equal(other.status, 'fail', 'a rule for another bucket does not count');
  assert.match(other.fix!, /aws events put-rule .*Object Created.*aws events put-targets/);
  eb.on(ListRulesCommand).resolves({ Rules: [{ Name: 'trail-files', Arn: rule, State: 'ENABLED', EventPattern: pattern.replace('someone-elses-bucket', e.bucket) }] });
  const ok = await e.check('queue-notification');
  assert.equal(ok.status, 'pass');
  assert.match(ok.found, new RegExp(`rule ${rule} targets ${e.queueArn}`));
});

test("queue-notification: the trail's own SNS topic counts as a delivery path when the queue policy admits it", async () => {
  const w = await healthyWorld(fx);
  const topic = 'arn:aws:sns:us-east-1:111122223333:cloudtrail-deliveries';
  w.canned.GetBucketNotificationConfiguration = () => ({});
  w.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...w.trail, SnsTopicARN: topic }] });
  await w.setQueue({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: w.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topic } } }] }) });
  const r = await w.check('queue-notification');
  assert.equal(r.status, 'pass');
  assert.match(r.found, new RegExp(`^the trail notifies SNS topic ${topic}`));
  const p = await w.check('queue-policy');
  assert.equal(p.status, 'pass');
  assert.match(p.found, /the trail notifies SNS topic/);
});

test('queue-settings: the AWS-managed aws/sqs key fails (S3 cannot use it); a maxReceiveCount of 1 warns', async () => {
  const w = await healthyWorld(fx);
  await w.setQueue({ KmsMasterKeyId: 'alias/aws/sqs', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: w.dlqArn, maxReceiveCount: 1 }) });
  const r = await w.check('queue-settings');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /RedrivePolicy maxReceiveCount is 1: .*; the queue is encrypted with the AWS-managed key aws\/sqs, whose policy cannot let s3\.amazonaws\.com use it/);
  assert.match(r.fix!, new RegExp(`^aws sqs set-queue-attributes --queue-url ${w.queueUrl} --attributes '\\{"RedrivePolicy":"\\{\\\\"deadLetterTargetArn\\\\":\\\\"${w.dlqArn}\\\\",\\\\"maxReceiveCount\\\\":\\\\"5\\\\"\\}"\\}'; `));
  assert.match(r.fix!, /'\{"KmsMasterKeyId":"","SqsManagedSseEnabled":"true"\}'/);
});
