/**
 * Three real `trailscope ingest` processes on one queue (fauxqs) and one PostgreSQL database;
 * one is killed with SIGKILL mid-run and nothing is restarted. The two others take over the
 * messages the dead one held (after their short visibility timeout): every delivered event is
 * stored once, each bad message is quarantined and recorded once, and the queue ends empty.
 * Skipped, with the reason, without a PostgreSQL server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from '../support/fauxqs.js';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { spawnCli } from '../support/cli-run.js';
import type { SpawnedCli } from '../support/cli-run.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { trailFile, trailKey, s3NotificationBody } from './support/trail.js';
import { TestDatabases, unreachableReason } from '../../src/store/postgres/test-server.test-helpers.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const BUCKET = 'kill-trail';
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
let fx: FauxqsFixture | undefined;
const workers: SpawnedCli[] = [];
before(async () => {
  if (!skip) fx = await startFauxqsForTest({ buckets: [BUCKET], hostName: 'localhost' });
});
after(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await fx?.stop();
  await databases.dropAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${workers.map((w, i) => `--- worker ${i} stderr ---\n${w.stderr().slice(-3000)}`).join('\n')}`);
    await sleep(200);
  }
}

test('three ingest processes, one SIGKILLed mid-run: every delivered event stored once, bad messages quarantined once, queue empty', { skip: skip ?? false, timeout: 240_000 }, async () => {
  const { s3, sqs, server, endpoint } = fx!;
  // A short visibility timeout: the dead worker's messages come back within seconds.
  const queueUrl = server.createQueue('kill-q', { attributes: { VisibilityTimeout: '4' } }).queueUrl;
  const db = await databases.freshDatabase();

  const FILES = 160;
  const files = Array.from({ length: FILES }, (_, i) => trailFile({ accountId: '111122223333', count: 25, seed: `kill-${i}`, name: `kill${i}` }));
  // CloudTrail repeats events across files: the first 5 of file 0 again in the last file.
  files[FILES - 1] = trailFile({ accountId: '111122223333', count: 25, seed: `kill-${FILES - 1}`, name: `kill${FILES - 1}`, duplicateOf: files[0]!.eventIds.slice(0, 5) });
  await Promise.all(files.map((f) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body }))));
  const corruptKey = trailKey({ accountId: '111122223333', name: 'corrupt' });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: corruptKey, Body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]) }));

  const send = async (body: string) => (await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))).MessageId!;
  await Promise.all(files.map((f) => send(s3NotificationBody(BUCKET, [f.key]))));
  // S3 notifies some files twice.
  await Promise.all(files.slice(0, 20).map((f) => send(s3NotificationBody(BUCKET, [f.key]))));
  // Bad messages, each permanent: not JSON, a file that does not exist, a damaged file.
  const bad = [
    await send('this is not a notification {'),
    await send(s3NotificationBody(BUCKET, [trailKey({ accountId: '111122223333', name: 'missing' })])),
    await send(s3NotificationBody(BUCKET, [corruptKey])),
  ];

  const args = ['ingest', '--queue-url', queueUrl, '--endpoint-url', endpoint, '--region', 'us-east-1', '--db', db, '--wait-time-seconds', '1', '--progress-interval', '0', '--concurrency', '4', '--log-format', 'json'];
  for (let i = 0; i < 3; i++) workers.push(spawnCli(args, { env: AWS_ENV }));
  const [victim, ...survivors] = workers as [SpawnedCli, SpawnedCli, SpawnedCli];

  const store: Store = await openStore(db);
  try {
    // Mid-run: the victim is receiving and about a fifth of the files are in.
    await waitFor('the victim to start and a fifth of the files to be stored', 120_000, async () => /ingesting from queue/.test(victim.stderr()) && (await store.files.count({ status: 'done' }).catch(() => 0)) >= FILES / 5);
    if (process.env.KILL_DEBUG) process.stderr.write(`kill at ${new Date().toISOString()}\n`);
    victim.child.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');
    const doneAtKill = await store.files.count({ status: 'done' });
    assert.ok(doneAtKill < FILES, `killed mid-run (${doneAtKill} of ${FILES} files done)`);

    const queueLeft = async () => {
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(a.Attributes?.ApproximateNumberOfMessages) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible);
    };
    await waitFor('the survivors to empty the queue', 180_000, async () => (await queueLeft()) === 0);
    if (process.env.KILL_DEBUG) for (const w of workers) process.stderr.write(w.stderr().split('\n').filter((l) => /warn|error/.test(l)).join('\n').slice(0, 6000) + '\n----\n');
    for (const w of survivors) w.child.kill('SIGTERM');
    for (const w of survivors) assert.equal((await w.exited).code, 0, w.stderr().slice(-2000));

    assert.equal(await queueLeft(), 0, 'the queue is empty');
    const expected = [...new Set(files.flatMap((f) => f.eventIds))].sort();
    const stored = (await store.events.query({})).map((e) => e.eventID).sort();
    assert.equal(stored.length, new Set(stored).size, 'no event stored twice');
    assert.deepEqual(stored, expected, 'stored events == delivered events');
    assert.equal((await store.events.stats()).events, expected.length);
    assert.equal(await store.files.count({ status: 'done' }), FILES);

    const quarantined = await store.ingest.listQuarantine();
    assert.deepEqual(quarantined.map((q) => q.messageId).sort(), [...bad].sort(), 'each bad message recorded once');
    assert.ok(quarantined.every((q) => !q.leftForDlq));
  } finally {
    await store.close();
  }
});
