/**
 * A queue worker reads only its connector's bucket: a notification naming another bucket (forged
 * logs planted by anyone allowed to send to the queue) is quarantined without fetching anything,
 * while the genuine files of the same queue keep flowing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from '../support/fauxqs.js';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { runQueueWorker } from '../../src/ingest/worker.js';
import { memoryLogger } from '../../src/ingest/log.js';
import { memoryStore } from './support/memory-store.js';
import { s3ProcessFile } from './support/process.js';
import { trailFile, s3NotificationBody, eventBridgeBody } from './support/trail.js';

const TRAIL = 'trail-bucket';
const OTHER = 'someone-elses-bucket';
let fx: FauxqsFixture;

before(async () => {
  fx = await startFauxqsForTest({ buckets: [TRAIL, OTHER] });
});
after(async () => {
  await fx.stop();
});

async function depth(queueUrl: string): Promise<number> {
  const out = await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

test('a notification for another bucket is quarantined unread; the trail bucket\'s files are ingested', async () => {
  const queueUrl = fx.server.createQueue('mixed', { attributes: { VisibilityTimeout: '30' } }).queueUrl;
  const genuine = trailFile({ accountId: '111122223333', count: 5, seed: 'genuine' });
  const forged = trailFile({ accountId: '111122223333', count: 3, seed: 'forged' });
  await fx.s3.send(new PutObjectCommand({ Bucket: TRAIL, Key: genuine.key, Body: genuine.body }));
  await fx.s3.send(new PutObjectCommand({ Bucket: OTHER, Key: forged.key, Body: forged.body }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody(OTHER, [forged.key]) }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: eventBridgeBody(OTHER, forged.key) }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody(TRAIL, [genuine.key]) }));

  const store = memoryStore();
  const processFile = s3ProcessFile(store, fx.s3);
  const log = memoryLogger();
  const stats = await runQueueWorker({ connector: 'prod', bucket: TRAIL, queueUrl, sqs: fx.sqs, store, processFile, log, waitTimeSeconds: 0, exitWhenIdle: true, progressEveryMs: 0 });

  assert.deepEqual(processFile.calls.map((c) => c.bucket), [TRAIL], 'only the trail bucket is read');
  assert.equal(stats.events, 5);
  assert.equal(stats.quarantined, 2);
  assert.equal(await depth(queueUrl), 0);
  for (const q of store.quarantined) {
    assert.equal(q.bucket, OTHER);
    assert.equal(q.key, forged.key);
    assert.match(q.reason, /^foreign-bucket: .*reads only "trail-bucket"/);
    assert.match(q.fix, /own connector/);
  }
  assert.ok(store.problems.some((p) => p.kind === 'foreign-bucket' && p.bucket === OTHER), 'a health problem says it');
});

test('without a connector bucket (an ad-hoc queue) every bucket is read, as before', async () => {
  const queueUrl = fx.server.createQueue('adhoc', { attributes: { VisibilityTimeout: '30' } }).queueUrl;
  const f = trailFile({ accountId: '111122223333', count: 4, seed: 'adhoc' });
  await fx.s3.send(new PutObjectCommand({ Bucket: OTHER, Key: f.key, Body: f.body }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody(OTHER, [f.key]) }));
  const store = memoryStore();
  const processFile = s3ProcessFile(store, fx.s3);
  const stats = await runQueueWorker({ connector: 'adhoc', queueUrl, sqs: fx.sqs, store, processFile, log: memoryLogger(), waitTimeSeconds: 0, exitWhenIdle: true, progressEveryMs: 0 });
  assert.equal(stats.events, 4);
  assert.equal(stats.quarantined, 0);
});
