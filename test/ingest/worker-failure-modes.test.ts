/**
 * The SQS worker over the wire against fauxqs, where things go wrong: the real object processing
 * and SQLite store on broken files, backpressure from a slow store, a visibility that could not be
 * extended, and a message whose files fail differently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { runQueueWorker } from '../../src/ingest/worker.js';
import type { FileTask } from '../../src/ingest/worker.js';
import { memoryLogger } from '../../src/ingest/log.js';
import { memoryStore } from './support/memory-store.js';
import { s3ProcessFile, TestSourceError } from './support/process.js';
import { trailFile, trailKey, s3NotificationBody, cloudTrailNotificationBody } from './support/trail.js';
import { BUCKET, queueHarness } from './support/queue-harness.js';

const h = queueHarness();
const { newQueue, put, send, queueDepth, runUntil } = h;

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
      if (body) await h.fx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keys[name], Body: body }));
      await send(q, s3NotificationBody(BUCKET, [keys[name]!]));
    }
    await send(q, s3NotificationBody(BUCKET, [good.key]));
    const clients = { s3: h.fx.s3, kmsIn: () => assert.fail('no KMS expected'), principal: async () => undefined };
    const processFile = (f: FileTask) => processObject({ store, clients, connector: 'real', bucket: f.bucket, key: f.key, ...(f.etag ? { etag: f.etag } : {}) });
    const log = memoryLogger();
    const ac = new AbortController();
    const running = runQueueWorker({ connector: 'real', queueUrl: q, sqs: h.fx.sqs, store, processFile, log, waitTimeSeconds: 1, progressEveryMs: 0, signal: ac.signal, concurrency: 4 });
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
  const inner = s3ProcessFile(store, h.fx.s3);
  let active = 0;
  let peak = 0;
  let peakInvisible = 0;
  const processFile = async (t: FileTask) => {
    active++;
    peak = Math.max(peak, active);
    const attrs = await h.fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
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
        : (h.fx.sqs.send as (c: unknown) => Promise<unknown>)(cmd),
  } as unknown as typeof h.fx.sqs;
  const inner = s3ProcessFile(store, h.fx.s3);
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
  const inner = s3ProcessFile(store, h.fx.s3);
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
