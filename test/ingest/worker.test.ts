/**
 * The SQS worker over the wire against fauxqs: every notification shape, encoded keys, an
 * organization tree, redelivery, poison messages, slow files, retries and the redrive policy.
 * fauxqs has no bucket notifications, so each test puts the objects and sends the body AWS would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { runQueueWorker } from '../../src/ingest/worker.js';
import type { FileTask } from '../../src/ingest/worker.js';
import { memoryLogger } from '../../src/ingest/log.js';
import { memoryStore } from './support/memory-store.js';
import type { TrailFile } from './support/trail.js';
import { s3ProcessFile, TestSourceError } from './support/process.js';
import { trailFile, trailKey, s3NotificationBody, snsEnvelope, cloudTrailNotificationBody, eventBridgeBody, S3_TEST_EVENT } from './support/trail.js';
import { BUCKET, queueHarness, sortedIds } from './support/queue-harness.js';

const h = queueHarness();
const { newQueue, put, send, queueDepth, runUntil } = h;


test('every notification shape is ingested and deleted; the test event is acknowledged', async () => {
  const q = newQueue();
  const store = memoryStore();
  const files = Array.from({ length: 6 }, (_, i) => trailFile({ accountId: '111122223333', count: 5, seed: `shapes-${i}` }));
  for (const f of files) await put(f);
  await send(q, s3NotificationBody(BUCKET, [files[0]!.key]));
  await send(q, S3_TEST_EVENT(BUCKET));
  await send(q, snsEnvelope(s3NotificationBody(BUCKET, [files[1]!.key])));
  await send(q, snsEnvelope(cloudTrailNotificationBody(BUCKET, [files[2]!.key, files[3]!.key])));
  await send(q, cloudTrailNotificationBody(BUCKET, [files[4]!.key])); // raw delivery on
  await send(q, eventBridgeBody(BUCKET, files[5]!.key));
  const { stats } = await runUntil(q, store, async () => store.eventsById.size === 30 && (await queueDepth(q)) === 0);
  assert.deepEqual([...store.eventsById.keys()].sort(), sortedIds(files));
  assert.equal(stats.testEvents, 1);
  assert.equal(stats.deleted, 6);
  assert.equal(stats.files, 6);
  assert.equal(store.quarantined.length, 0);
});

test('URL-encoded keys with spaces and + are decoded before GetObject', async () => {
  const q = newQueue();
  const store = memoryStore();
  const key = trailKey({ accountId: '111122223333', prefix: 'my trails+logs', name: 'a b+c' });
  const f = trailFile({ accountId: '111122223333', count: 3, seed: 'encoded', key });
  await put(f);
  await send(q, s3NotificationBody(BUCKET, [key]));
  const body = s3NotificationBody(BUCKET, [key]);
  assert.match(body, /my\+trails%2Blogs/); // what S3 sends
  await runUntil(q, store, async () => store.eventsById.size === 3 && (await queueDepth(q)) === 0);
  assert.ok(store.fileRecords.has(`${BUCKET}\u0000${key}`));
});

test('an organization trail tree of many accounts, one message per file, several workers in flight', async () => {
  const q = newQueue();
  const store = memoryStore();
  const files: TrailFile[] = [];
  for (let a = 0; a < 20; a++) {
    const accountId = String(100000000000 + a * 7919);
    for (let i = 0; i < 3; i++) files.push(trailFile({ accountId, orgId: 'o-abcdef1234', count: 10, seed: `org-${a}-${i}` }));
  }
  for (const f of files) await put(f);
  for (const f of files) await send(q, s3NotificationBody(BUCKET, [f.key]));
  const { stats } = await runUntil(q, store, async () => store.eventsById.size === 600 && (await queueDepth(q)) === 0, { concurrency: 8 });
  assert.deepEqual([...store.eventsById.keys()].sort(), sortedIds(files));
  assert.equal(stats.deleted, 60);
  const accounts = new Set((await store.ingest.counters('test')).map((c) => c.accountId));
  assert.equal(accounts.size, 20);
});

test('a redelivered message adds no duplicate events and does not fetch the file again', async () => {
  const q = newQueue();
  const store = memoryStore();
  const f = trailFile({ accountId: '111122223333', count: 7, seed: 'redeliver' });
  const dup = trailFile({ accountId: '111122223333', count: 7, seed: 'redeliver-dup', duplicateOf: f.eventIds });
  await put(f);
  await put(dup);
  const body = s3NotificationBody(BUCKET, [f.key]);
  await send(q, body);
  await send(q, body);
  await send(q, s3NotificationBody(BUCKET, [dup.key])); // another file repeating the same eventIDs
  const processFile = s3ProcessFile(store, h.fx.s3);
  const { stats } = await runUntil(q, store, async () => (await queueDepth(q)) === 0 && store.fileRecords.size === 2, { processFile, concurrency: 1 });
  assert.equal(store.eventsById.size, 7);
  assert.equal(stats.alreadyDone, 1);
  assert.equal(processFile.calls.filter((c) => c.key === f.key).length, 1);
  assert.equal(stats.duplicates, 7);
});

test('a message naming a missing object is quarantined with bucket, key and reason, and deleted', async () => {
  const q = newQueue();
  const store = memoryStore();
  const key = trailKey({ accountId: '111122223333', name: 'missing' });
  await send(q, s3NotificationBody(BUCKET, [key]));
  const { stats } = await runUntil(q, store, async () => store.quarantined.length === 1 && (await queueDepth(q)) === 0);
  const rec = store.quarantined[0]!;
  assert.equal(rec.bucket, BUCKET);
  assert.equal(rec.key, key);
  assert.match(rec.reason, /NoSuchKey/);
  assert.equal(rec.leftForDlq, false);
  assert.equal(rec.receiveCount, 1);
  assert.ok(rec.body.includes('ObjectCreated'));
  assert.equal(stats.quarantined, 1);
});

test('a body that is not JSON is quarantined, not retried', async () => {
  const q = newQueue();
  const store = memoryStore();
  await send(q, 'hello, this is not JSON');
  await send(q, '{"unexpected":"shape"}');
  await runUntil(q, store, async () => store.quarantined.length === 2 && (await queueDepth(q)) === 0);
  assert.deepEqual(store.quarantined.map((r) => r.body).sort(), ['hello, this is not JSON', '{"unexpected":"shape"}'].sort());
  for (const r of store.quarantined) {
    assert.equal(r.bucket, null);
    assert.match(r.reason, /unparseable-message/);
    assert.ok(r.fix.length > 0);
  }
});

test('a file slower than the visibility timeout is processed exactly once (heartbeat)', async () => {
  const q = newQueue({ VisibilityTimeout: '2' });
  const store = memoryStore();
  store.commitDelayMs = 5000;
  const f = trailFile({ accountId: '111122223333', count: 4, seed: 'slow' });
  await put(f);
  await send(q, s3NotificationBody(BUCKET, [f.key]));
  const processFile = s3ProcessFile(store, h.fx.s3);
  const { stats } = await runUntil(q, store, async () => store.eventsById.size === 4 && (await queueDepth(q)) === 0, { processFile, concurrency: 4 });
  assert.equal(processFile.calls.length, 1);
  assert.equal(store.commits, 1);
  assert.equal(stats.messages, 1);
  assert.ok(stats.heartbeats >= 2, `heartbeats ${stats.heartbeats}`);
});

test('a transient failure is retried, then quarantined after --max-receives', async () => {
  const q = newQueue();
  const store = memoryStore();
  const key = trailKey({ accountId: '111122223333', name: 'denied' });
  await send(q, s3NotificationBody(BUCKET, [key]));
  let calls = 0;
  const processFile = async () => {
    calls++;
    throw new TestSourceError('transient', 'AccessDenied', 'Access Denied', 'allow s3:GetObject');
  };
  const { stats } = await runUntil(q, store, async () => store.quarantined.length === 1 && (await queueDepth(q)) === 0, { processFile, maxReceives: 3, retryBaseSeconds: 0 });
  assert.equal(calls, 3);
  assert.equal(stats.retried, 2);
  assert.equal(store.quarantined[0]!.receiveCount, 3);
  assert.match(store.quarantined[0]!.reason, /AccessDenied/);
  assert.ok(store.problems.some((p) => p.kind === 'access-denied' && p.key === key));
});

test('with a redrive policy a failing message is left for the DLQ, and recorded', async () => {
  const dlqName = `dlq${h.nextSeq()}`;
  const dlq = h.fx.server.createQueue(dlqName);
  const dlqArn = `arn:aws:sqs:us-east-1:000000000000:${dlqName}`;
  const q = newQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
  const store = memoryStore();
  const key = trailKey({ accountId: '111122223333', name: 'gone' });
  await send(q, s3NotificationBody(BUCKET, [key]));
  const { stats } = await runUntil(q, store, async () => store.quarantined.length === 1 && (await queueDepth(dlq.queueUrl)) === 1 && (await queueDepth(q)) === 0);
  assert.equal(stats.deleted, 0);
  assert.equal(stats.leftForDlq, 1);
  assert.equal(store.quarantined[0]!.leftForDlq, true);
  assert.equal(store.quarantined[0]!.key, key);
  const moved = await h.fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl, WaitTimeSeconds: 0 }));
  assert.match(moved.Messages?.[0]?.Body ?? '', /ObjectCreated/);
});

test('stopping releases unfinished messages at once; another worker finishes them', async () => {
  const q = newQueue({ VisibilityTimeout: '600' });
  const store = memoryStore();
  const f = trailFile({ accountId: '111122223333', count: 2, seed: 'release' });
  await put(f);
  await send(q, s3NotificationBody(BUCKET, [f.key]));
  store.commitDelayMs = 3000;
  const inner = s3ProcessFile(store, h.fx.s3);
  let started = false;
  const processFile = async (t: FileTask) => {
    started = true;
    return inner(t);
  };
  const first = await runUntil(q, store, () => started, { graceMs: 100, processFile });
  assert.equal(first.stats.released, 1);
  assert.equal(first.stats.deleted, 0);
  store.commitDelayMs = 0;
  // Visible again at once (not after 600 s); the first worker's commit may land too: dedup keeps one copy.
  await runUntil(q, store, async () => (await queueDepth(q)) === 0 && store.eventsById.size === 2);
  assert.equal(store.eventsById.size, 2);
});

test('exitWhenIdle returns once the queue is empty and nothing is in flight', async () => {
  const q = newQueue();
  const store = memoryStore();
  const f = trailFile({ accountId: '111122223333', count: 2, seed: 'idle' });
  await put(f);
  await send(q, s3NotificationBody(BUCKET, [f.key]));
  const stats = await runQueueWorker({ connector: 'test', queueUrl: q, sqs: h.fx.sqs, store, processFile: s3ProcessFile(store, h.fx.s3), log: memoryLogger(), waitTimeSeconds: 1, progressEveryMs: 0, exitWhenIdle: true });
  assert.equal(stats.deleted, 1);
  assert.equal(store.eventsById.size, 2);
});

test('a missing queue backs off (no hot loop) and gives up with exitWhenIdle', async () => {
  const store = memoryStore();
  const log = memoryLogger();
  await assert.rejects(
    runQueueWorker({ connector: 'test', queueUrl: `${h.fx.endpoint}/000000000000/no-such-queue`, sqs: h.fx.sqs, store, processFile: async () => ({}), log, waitTimeSeconds: 0, exitWhenIdle: true, maxReceiveErrorsWhenIdle: 3, random: () => 0 }),
    /no-such-queue/,
  );
  const waits = log.lines.filter((l) => l.msg === 'queue not reachable, retrying').map((l) => Number(l.fields.retryInMs));
  assert.deepEqual(waits, [500, 1000]);
  assert.ok(store.problems.some((p) => p.kind === 'queue-missing'));
});
