/**
 * The real `bin/trailscope ingest` (compiled, see support/cli.ts) against fauxqs, killed with
 * SIGKILL at random moments during a run of thousands of events, then restarted: the stored
 * events must equal the delivered events exactly. Also SIGTERM (graceful stop, exit 0) and
 * `status --json`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { openStore } from '../../src/store/index.js';
import { buildCli, startCli, startFauxqsWithHostNames } from './support/cli.js';
import type { BuiltCli } from './support/cli.js';
import { trailFile, s3NotificationBody, snsEnvelope, cloudTrailNotificationBody } from './support/trail.js';
import type { TrailFile } from './support/trail.js';

const BUCKET = 'org-trail';
let fx: FauxqsFixture;
let cli: BuiltCli;
let work: string;

before(async () => {
  cli = buildCli();
  fx = await startFauxqsWithHostNames([BUCKET]);
  work = mkdtempSync(join(tmpdir(), 'trailscope-cli-'));
});
after(async () => {
  await fx?.stop();
  cli?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function depth(queueUrl: string): Promise<number> {
  const out = await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }));
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

async function sendAll(queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await fx.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
  }
}

function ingestArgs(queueUrl: string, db: string, extra: string[] = []): string[] {
  return ['ingest', '--queue-url', queueUrl, '--endpoint-url', fx.endpoint, '--region', 'us-east-1', '--db', db, '--wait-time-seconds', '1', '--concurrency', '8', '--log-format', 'json', '--progress-interval', '0', ...extra];
}

/** A small deterministic PRNG so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('kill -9 at random moments, then restart: stored events equal delivered events exactly', { timeout: 600_000 }, async () => {
  const seed = Number(process.env.TRAILSCOPE_KILL_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  const queueUrl = fx.server.createQueue('kill9', { attributes: { VisibilityTimeout: '3' } }).queueUrl;
  const db = join(work, 'kill9.db');

  // An organization trail: 25 accounts × 8 files × 20 events, some files repeating eventIDs of
  // others (CloudTrail's own duplicates), some notifications sent twice (at-least-once delivery).
  const files: TrailFile[] = [];
  for (let a = 0; a < 25; a++) {
    const accountId = String(210000000000 + a * 104729);
    for (let i = 0; i < 8; i++) files.push(trailFile({ accountId, orgId: 'o-kill9test01', count: 20, seed: `k9-${a}-${i}` }));
    const last = files[files.length - 1]!;
    files.push(trailFile({ accountId, orgId: 'o-kill9test01', count: 5, seed: `k9-${a}-dup`, duplicateOf: last.eventIds.slice(0, 5) }));
  }
  for (const f of files) await fx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body }));
  const bodies: string[] = [];
  for (let i = 0; i < files.length; ) {
    const shape = i % 3;
    if (shape === 0) {
      bodies.push(s3NotificationBody(BUCKET, [files[i]!.key]));
      i += 1;
    } else if (shape === 1) {
      bodies.push(snsEnvelope(s3NotificationBody(BUCKET, [files[i]!.key])));
      i += 1;
    } else {
      bodies.push(snsEnvelope(cloudTrailNotificationBody(BUCKET, files.slice(i, i + 3).map((f) => f.key))));
      i += 3;
    }
  }
  for (let i = 0; i < bodies.length; i += 7) bodies.push(bodies[i]!);
  bodies.push('{"not": "a notification"}');
  await sendAll(queueUrl, bodies);
  const expected = [...new Set(files.flatMap((f) => f.eventIds))].sort();
  assert.ok(expected.length >= 4000);

  const logs: string[] = [];
  const progress: number[] = [];
  let kills = 0;
  for (let round = 0; round < 6; round++) {
    const run = startCli(cli.bin, ingestArgs(queueUrl, db));
    // Start the clock once the worker is receiving (process start-up time varies a lot under load).
    for (let i = 0; i < 600 && !run.stderr().includes('"msg":"ingesting from queue"') && run.child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const delay = Math.floor(random() * 1500);
    const early = await Promise.race([run.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), delay))]);
    if (!early) {
      run.child.kill('SIGKILL');
      kills++;
    }
    const exit = await run.exited;
    const s = await openStore(db);
    const stored = (await s.events.stats()).events;
    await s.close();
    progress.push(stored);
    logs.push(`round ${round} delay ${delay} exit ${JSON.stringify(exit)} stored ${stored}\n${run.stderr().split('\n').slice(-5).join('\n')}`);
    if (early) break;
  }
  // Restart until the queue is drained: messages held by a killed process come back after 3 s.
  for (let round = 0; round < 20 && (await depth(queueUrl)) > 0; round++) {
    const run = startCli(cli.bin, ingestArgs(queueUrl, db, ['--exit-when-idle']));
    const exit = await run.exited;
    logs.push(`final ${round} exit ${JSON.stringify(exit)}\n${run.stderr().split('\n').slice(-5).join('\n')}`);
    assert.equal(exit.code, 0, logs.join('\n'));
    if ((await depth(queueUrl)) > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(await depth(queueUrl), 0, `queue not drained (seed ${seed})\n${logs.join('\n')}`);

  const store = await openStore(db);
  try {
    const stored: string[] = [];
    for await (const e of store.events.iterate({})) stored.push(e.eventID);
    stored.sort();
    assert.equal(stored.length, expected.length, `seed ${seed}, kills ${kills}: ${stored.length} stored vs ${expected.length} delivered`);
    assert.deepEqual(stored, expected, `seed ${seed}`);
    const q = await store.ingest.listQuarantine();
    assert.equal(q.length, 1);
    assert.equal(q[0]!.body, '{"not": "a notification"}');
    assert.equal(await store.files.count({ status: 'done' }), files.length);
  } finally {
    await store.close();
  }
  assert.ok(kills >= 1, `no kill happened (seed ${seed})`);
  // The kills must have landed mid-run: some events stored before the last kill, not all of them.
  assert.ok(progress.some((n) => n > 0 && n < expected.length), `kills did not land mid-run (seed ${seed}): ${progress.join(', ')}`);
  process.stderr.write(`kill -9 test: seed ${seed}, ${kills} kills, events stored after each: ${progress.join(', ')}; ${expected.length} events, ${bodies.length} messages\n`);
});

test('SIGTERM stops receiving, finishes in-flight work and exits 0; status --json reports the connector', { timeout: 120_000 }, async () => {
  const queueUrl = fx.server.createQueue('term', { attributes: { VisibilityTimeout: '30' } }).queueUrl;
  const db = join(work, 'term.db');
  const files = Array.from({ length: 10 }, (_, i) => trailFile({ accountId: '111122223333', count: 10, seed: `term-${i}` }));
  for (const f of files) await fx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body }));
  await sendAll(queueUrl, files.map((f) => s3NotificationBody(BUCKET, [f.key])));
  const run = startCli(cli.bin, ingestArgs(queueUrl, db));
  // Wait until the queue is drained, then ask it to stop.
  for (let i = 0; i < 200 && (await depth(queueUrl)) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  run.child.kill('SIGTERM');
  const exit = await run.exited;
  assert.equal(exit.code, 0, run.stderr());
  assert.match(run.stderr(), /"msg":"stopping/);

  const status = startCli(cli.bin, ['status', '--json', '--db', db, '--now', '2026-01-31T00:00:00Z']);
  assert.equal((await status.exited).code, 0, status.stderr());
  const report = JSON.parse(status.stdout()) as { connectors: { connector: string; totals: { files: number; events: number; filesDone: number }; accounts: { accountId: string; lagSeconds: number | null }[] }[] };
  const c = report.connectors.find((x) => x.connector === 'default');
  assert.ok(c, status.stdout());
  assert.equal(c.totals.files, 10);
  assert.equal(c.totals.filesDone, 10);
  assert.equal(c.totals.events, 100);
  assert.equal(c.accounts.find((a) => a.accountId === '111122223333')?.lagSeconds, 3600 - 9);
});
