/**
 * The ingest service: connectors run together, the one-time backfill (state marker), and the
 * completeness audit that finds files no notification announced (another consumer on the queue),
 * ingests them and reports the health problem. Over fauxqs, with the S3 engineer's auditAndRepair.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from '../support/fauxqs.js';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { runIngestService, backfillMarker, MISSING_NOTIFICATIONS_FIX } from '../../src/ingest/service.js';
import type { ConnectorRuntime } from '../../src/ingest/service.js';
import { auditAndRepair } from '../../src/ingest/backfill.js';
import { memoryLogger } from '../../src/ingest/log.js';
import { memoryStore } from './support/memory-store.js';
import { s3ProcessFile } from './support/process.js';
import { trailFile, s3NotificationBody } from './support/trail.js';

let fx: FauxqsFixture;
before(async () => {
  fx = await startFauxqsForTest({ buckets: ['svc-a', 'svc-b', 'svc-audit'] });
});
after(async () => {
  await fx.stop();
});

test('two connectors with their own queues run together; the backfill runs once (marker)', async () => {
  const store = memoryStore();
  const qa = fx.server.createQueue('svc-qa').queueUrl;
  const qb = fx.server.createQueue('svc-qb').queueUrl;
  const fa = trailFile({ accountId: '111122223333', count: 3, seed: 'svc-a' });
  const fb = trailFile({ accountId: '444455556666', count: 4, seed: 'svc-b' });
  await fx.s3.send(new PutObjectCommand({ Bucket: 'svc-a', Key: fa.key, Body: fa.body }));
  await fx.s3.send(new PutObjectCommand({ Bucket: 'svc-b', Key: fb.key, Body: fb.body }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: qa, MessageBody: s3NotificationBody('svc-a', [fa.key]) }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: qb, MessageBody: s3NotificationBody('svc-b', [fb.key]) }));
  const backfills: string[] = [];
  const runtime = (name: string, queueUrl: string, bucket: string): ConnectorRuntime => ({
    connector: { name, queueUrl, bucket },
    sqs: fx.sqs,
    processFile: s3ProcessFile(store, fx.s3, name),
    backfill: async (days) => {
      backfills.push(`${name}:${days}`);
      await new Promise((r) => setTimeout(r, 300));
    },
  });
  const run = () =>
    runIngestService({
      runtimes: [runtime('a', qa, 'svc-a'), runtime('b', qb, 'svc-b')],
      store,
      log: memoryLogger(),
      signal: new AbortController().signal,
      worker: { exitWhenIdle: true, waitTimeSeconds: 1, progressEveryMs: 0 },
      backfillDays: 7,
    });
  const first = await run();
  assert.equal(first.workers.a?.deleted, 1);
  assert.equal(first.workers.b?.deleted, 1);
  assert.equal(store.eventsById.size, 7);
  assert.deepEqual(backfills.sort(), ['a:7', 'b:7']);
  assert.ok(await store.ingest.getState(backfillMarker('a', 7)));
  await run();
  assert.equal(backfills.length, 2, 'the backfill ran again');
});

test('the audit finds files no notification announced, ingests them and reports the problem', async () => {
  const store = memoryStore();
  const q = fx.server.createQueue('svc-audit').queueUrl;
  const files = [0, 1, 2].map((i) => trailFile({ accountId: '777788889999', count: 2, seed: `audit-${i}` }));
  for (const f of files) await fx.s3.send(new PutObjectCommand({ Bucket: 'svc-audit', Key: f.key, Body: f.body }));
  // Only one of the three is announced on our queue: another consumer took the others.
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: s3NotificationBody('svc-audit', [files[0]!.key]) }));
  const ac = new AbortController();
  const log = memoryLogger();
  const clients = { s3: fx.s3, kmsIn: () => { throw new Error('no KMS in this test'); }, principal: async () => undefined };
  const running = runIngestService({
    runtimes: [
      {
        connector: { name: 'audited', queueUrl: q, bucket: 'svc-audit' },
        sqs: fx.sqs,
        processFile: s3ProcessFile(store, fx.s3, 'audited'),
        audit: async (signal) => {
          // Wait for the live message first, as the CLI does (it skips the audit while a backlog exists).
          if (store.eventsById.size < 2) return { missing: 0, skipped: 'backlog' };
          const r = await auditAndRepair({ store, clients: clients as never, connector: 'audited', bucket: 'svc-audit', hours: 48, graceMinutes: 0, signal, now: () => new Date('2026-01-31T12:00:00Z') });
          return { missing: r.missing, sample: r.sample, ingested: r.ingested, listed: r.listed };
        },
      },
    ],
    store,
    log,
    signal: ac.signal,
    worker: { waitTimeSeconds: 1, progressEveryMs: 0 },
    auditIntervalMinutes: 0.005,
  });
  for (let i = 0; i < 200 && !store.problems.some((p) => p.kind === 'notifications-missing'); i++) await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  await running;
  const p = store.problems.find((x) => x.kind === 'notifications-missing');
  assert.ok(p, log.lines.map((l) => `${l.msg} ${JSON.stringify(l.fields)}`).join('\n'));
  assert.equal(p.fix, MISSING_NOTIFICATIONS_FIX);
  assert.match(p.message, /^2 recently delivered file\(s\) had no notification on this queue; 2 ingested/);
  assert.deepEqual([...store.eventsById.keys()].sort(), files.flatMap((f) => f.eventIds).sort());
  assert.ok(log.lines.some((l) => l.level === 'warn' && /another consumer reading this queue/.test(l.msg)));
});
