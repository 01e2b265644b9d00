/**
 * The SQS worker over the wire against fauxqs: every notification shape, encoded keys, an
 * organization tree, redelivery, poison messages, slow files, retries and the redrive policy.
 * fauxqs has no bucket notifications, so each test puts the objects and sends the body AWS would.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from '../support/fauxqs.js';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { runQueueWorker } from '../../src/ingest/worker.js';
import type { FileTask, QueueWorkerOptions, WorkerStats } from '../../src/ingest/worker.js';
import { memoryLogger } from '../../src/ingest/log.js';
import { memoryStore } from './support/memory-store.js';
import type { MemoryStore } from './support/memory-store.js';
import { s3ProcessFile, TestSourceError } from './support/process.js';
import { trailFile, trailKey, s3NotificationBody, snsEnvelope, cloudTrailNotificationBody, eventBridgeBody, S3_TEST_EVENT } from './support/trail.js';
import type { TrailFile } from './support/trail.js';

const BUCKET = 'trail-bucket';
let fx: FauxqsFixture;
let queueSeq = 0;

before(async () => {
  fx = await startFauxqsForTest({ buckets: [BUCKET] });
});
after(async () => {
  await fx.stop();
});

function newQueue(attributes: Record<string, string> = {}): string {
  return fx.server.createQueue(`q${++queueSeq}`, { attributes: { VisibilityTimeout: '30', ...attributes } }).queueUrl;
}

async function put(f: TrailFile): Promise<void> {
  await fx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body }));
}

async function send(queueUrl: string, body: string): Promise<void> {
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

async function queueDepth(queueUrl: string): Promise<number> {
  const out = await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

type Extra = Partial<QueueWorkerOptions>;

/** Runs a worker until `until` holds (checked every 50 ms, 30 s at most), then stops it. */
async function runUntil(queueUrl: string, store: MemoryStore, until: () => boolean | Promise<boolean>, extra: Extra = {}) {
  const log = memoryLogger();
  const ac = new AbortController();
  const processFile = extra.processFile ?? s3ProcessFile(store, fx.s3);
  const running = runQueueWorker({ connector: 'test', queueUrl, sqs: fx.sqs, store, processFile, log, waitTimeSeconds: 1, progressEveryMs: 0, signal: ac.signal, concurrency: 4, ...extra });
  const deadline = Date.now() + 30_000;
  let ok = false;
  while (Date.now() < deadline) {
    if (await until()) {
      ok = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  ac.abort();
  const stats: WorkerStats = await running;
  assert.ok(ok, `condition not reached; log:\n${log.lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.fields)}`).join('\n')}`);
  return { stats, log };
}

function sortedIds(files: TrailFile[]): string[] {
  return files.flatMap((f) => f.eventIds).sort();
}

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
  const processFile = s3ProcessFile(store, fx.s3);
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
  const processFile = s3ProcessFile(store, fx.s3);
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
  const dlq = fx.server.createQueue(`dlq${++queueSeq}`);
  const dlqArn = `arn:aws:sqs:us-east-1:000000000000:dlq${queueSeq}`;
  const q = newQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
  const store = memoryStore();
  const key = trailKey({ accountId: '111122223333', name: 'gone' });
  await send(q, s3NotificationBody(BUCKET, [key]));
  const { stats } = await runUntil(q, store, async () => store.quarantined.length === 1 && (await queueDepth(dlq.queueUrl)) === 1 && (await queueDepth(q)) === 0);
  assert.equal(stats.deleted, 0);
  assert.equal(stats.leftForDlq, 1);
  assert.equal(store.quarantined[0]!.leftForDlq, true);
  assert.equal(store.quarantined[0]!.key, key);
  const moved = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl, WaitTimeSeconds: 0 }));
  assert.match(moved.Messages?.[0]?.Body ?? '', /ObjectCreated/);
});

test('stopping releases unfinished messages at once; another worker finishes them', async () => {
  const q = newQueue({ VisibilityTimeout: '600' });
  const store = memoryStore();
  const f = trailFile({ accountId: '111122223333', count: 2, seed: 'release' });
  await put(f);
  await send(q, s3NotificationBody(BUCKET, [f.key]));
  store.commitDelayMs = 3000;
  const inner = s3ProcessFile(store, fx.s3);
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
  const stats = await runQueueWorker({ connector: 'test', queueUrl: q, sqs: fx.sqs, store, processFile: s3ProcessFile(store, fx.s3), log: memoryLogger(), waitTimeSeconds: 1, progressEveryMs: 0, exitWhenIdle: true });
  assert.equal(stats.deleted, 1);
  assert.equal(store.eventsById.size, 2);
});

test('a missing queue backs off (no hot loop) and gives up with exitWhenIdle', async () => {
  const store = memoryStore();
  const log = memoryLogger();
  await assert.rejects(
    runQueueWorker({ connector: 'test', queueUrl: `${fx.endpoint}/000000000000/no-such-queue`, sqs: fx.sqs, store, processFile: async () => ({}), log, waitTimeSeconds: 0, exitWhenIdle: true, maxReceiveErrorsWhenIdle: 3, random: () => 0 }),
    /no-such-queue/,
  );
  const waits = log.lines.filter((l) => l.msg === 'queue not reachable, retrying').map((l) => Number(l.fields.retryInMs));
  assert.deepEqual(waits, [500, 1000]);
  assert.ok(store.problems.some((p) => p.kind === 'queue-missing'));
});

test('with the real processObject and SQLite store: missing, corrupt gzip, invalid JSON and Records-less files are quarantined at once', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openStore } = await import('../../src/store/index.js');
  const { processObject } = await import('../../src/ingest/object.js');
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-worker-'));
  const store = await openStore(join(dir, 'db.sqlite'));
  try {
    const q = newQueue();
    const good = trailFile({ accountId: '111122223333', count: 3, seed: 'real-good' });
    await put(good);
    const bad: Record<string, Buffer | null> = {
      missing: null,
      corruptgzip: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('definitely not deflate data')]),
      invalidjson: Buffer.from('{"Records": [ {"eventID": '),
      norecords: Buffer.from('{"hello": "world"}'),
    };
    const keys: Record<string, string> = {};
    for (const [name, body] of Object.entries(bad)) {
      keys[name] = trailKey({ accountId: '111122223333', name });
      if (body) await fx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keys[name], Body: body }));
      await send(q, s3NotificationBody(BUCKET, [keys[name]!]));
    }
    await send(q, s3NotificationBody(BUCKET, [good.key]));
    const clients = { s3: fx.s3, kmsIn: () => assert.fail('no KMS expected'), principal: async () => undefined };
    const processFile = (f: FileTask) => processObject({ store, clients, connector: 'real', bucket: f.bucket, key: f.key, ...(f.etag ? { etag: f.etag } : {}) });
    const log = memoryLogger();
    const ac = new AbortController();
    const running = runQueueWorker({ connector: 'real', queueUrl: q, sqs: fx.sqs, store, processFile, log, waitTimeSeconds: 1, progressEveryMs: 0, signal: ac.signal, concurrency: 4 });
    for (let i = 0; i < 300 && ((await store.ingest.listQuarantine('real')).length < 4 || (await queueDepth(q)) > 0); i++) await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    const stats = await running;
    const quarantined = await store.ingest.listQuarantine('real');
    assert.equal(quarantined.length, 4, log.lines.map((l) => `${l.msg} ${JSON.stringify(l.fields)}`).join('\n'));
    const byKey = new Map(quarantined.map((r) => [r.key, r]));
    assert.match(byKey.get(keys.missing!)!.reason, /no-such-key/);
    assert.match(byKey.get(keys.corruptgzip!)!.reason, /gzip/);
    assert.match(byKey.get(keys.invalidjson!)!.reason, /json/i);
    assert.ok(byKey.get(keys.norecords!));
    for (const r of quarantined) {
      assert.equal(r.receiveCount, 1);
      assert.equal(r.bucket, BUCKET);
      assert.ok(r.fix.length > 0);
    }
    assert.equal(stats.deleted, 5);
    assert.equal(await queueDepth(q), 0);
    assert.equal((await store.events.stats()).events, 3);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backpressure: never more messages in flight than --concurrency, a slow store slows receiving', async () => {
  const q = newQueue();
  const store = memoryStore();
  store.commitDelayMs = 150;
  const files = Array.from({ length: 12 }, (_, i) => trailFile({ accountId: '111122223333', count: 1, seed: `bp-${i}` }));
  for (const f of files) await put(f);
  for (const f of files) await send(q, s3NotificationBody(BUCKET, [f.key]));
  const inner = s3ProcessFile(store, fx.s3);
  let active = 0;
  let peak = 0;
  let peakInvisible = 0;
  const processFile = async (t: FileTask) => {
    active++;
    peak = Math.max(peak, active);
    const attrs = await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    peakInvisible = Math.max(peakInvisible, Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible));
    try {
      return await inner(t);
    } finally {
      active--;
    }
  };
  await runUntil(q, store, async () => store.eventsById.size === 12 && (await queueDepth(q)) === 0, { processFile, concurrency: 3 });
  assert.equal(peak, 3);
  // Received (hidden) messages never exceed the free slots: the rest stay on the queue for other workers.
  assert.ok(peakInvisible <= 3, `peak received ${peakInvisible}`);
});

test('a message whose visibility could not be extended is never deleted with files left undone', async () => {
  const { ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
  const q = newQueue({ VisibilityTimeout: '2' });
  const store = memoryStore();
  const files = [0, 1].map((i) => trailFile({ accountId: '111122223333', count: 2, seed: `lost-${i}` }));
  for (const f of files) await put(f);
  await send(q, cloudTrailNotificationBody(BUCKET, files.map((f) => f.key)));
  // SQS refuses every extension, as it does once another consumer received the message.
  const sqs = {
    send: (cmd: { input: { VisibilityTimeout?: number } }) =>
      cmd instanceof ChangeMessageVisibilityCommand && (cmd.input.VisibilityTimeout ?? 0) > 0
        ? Promise.reject(Object.assign(new Error('The receipt handle has expired.'), { name: 'ReceiptHandleIsInvalid' }))
        : (fx.sqs.send as (c: unknown) => Promise<unknown>)(cmd),
  } as unknown as typeof fx.sqs;
  const inner = s3ProcessFile(store, fx.s3);
  const processFile = async (t: FileTask) => {
    if (t.key === files[0]!.key) await new Promise((r) => setTimeout(r, 1500));
    return inner(t);
  };
  const log = memoryLogger();
  const ac = new AbortController();
  const running = runQueueWorker({ connector: 'test', queueUrl: q, sqs, store, processFile, log, waitTimeSeconds: 1, progressEveryMs: 0, signal: ac.signal, concurrency: 1 });
  for (let i = 0; i < 100 && !log.lines.some((l) => l.msg.startsWith('message left undone')); i++) await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  const stats = await running;
  assert.ok(log.lines.some((l) => l.msg.startsWith('message left undone')));
  assert.equal(inner.calls.filter((c) => c.key === files[1]!.key).length, 0);
  assert.equal(stats.deleted, 0);
  assert.equal(await queueDepth(q), 1);
});

test('one message, three files: a transient failure brings the message back; the missing file is then quarantined, nothing else lost', async () => {
  const q = newQueue();
  const store = memoryStore();
  const ok = trailFile({ accountId: '111122223333', count: 2, seed: 'mix-ok' });
  const flaky = trailFile({ accountId: '111122223333', count: 3, seed: 'mix-flaky' });
  const missingKey = trailKey({ accountId: '111122223333', name: 'mixmissing' });
  await put(ok);
  await put(flaky);
  await send(q, cloudTrailNotificationBody(BUCKET, [missingKey, flaky.key, ok.key]));
  const inner = s3ProcessFile(store, fx.s3);
  let flakyCalls = 0;
  const processFile = async (t: FileTask) => {
    if (t.key === flaky.key && ++flakyCalls === 1) throw new TestSourceError('transient', 'throttled', 'SlowDown');
    return inner(t);
  };
  const { stats } = await runUntil(q, store, async () => store.quarantined.length === 1 && (await queueDepth(q)) === 0, { processFile, retryBaseSeconds: 0 });
  assert.equal(stats.retried, 1);
  assert.equal(store.quarantined[0]!.key, missingKey);
  assert.equal(store.quarantined[0]!.receiveCount, 2);
  assert.deepEqual([...store.eventsById.keys()].sort(), [...ok.eventIds, ...flaky.eventIds].sort());
  assert.equal(inner.calls.filter((c) => c.key === ok.key).length, 1, 'the committed file was read again');
});
