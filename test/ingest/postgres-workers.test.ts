/**
 * Several ingest workers on one queue and one PostgreSQL database (competing consumers): every
 * delivered event is stored once, re-announced files and events repeated across files count as
 * duplicates, and the queue ends empty. Skipped, with the reason, without a PostgreSQL server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from '../support/fauxqs.js';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { runIngestService } from '../../src/ingest/service.js';
import { memoryLogger } from '../../src/ingest/log.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { s3ProcessFile } from './support/process.js';
import { trailFile, s3NotificationBody } from './support/trail.js';
import { TestDatabases, unreachableReason } from '../../src/store/postgres/test-server.test-helpers.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
let fx: FauxqsFixture | undefined;
before(async () => {
  if (!skip) fx = await startFauxqsForTest({ buckets: ['pg-workers'] });
});
after(async () => {
  await fx?.stop();
  await databases.dropAll();
});

test('three ingest workers on one queue and one PostgreSQL database store each delivered event once', { skip: skip ?? false }, async () => {
  const { s3, sqs, server } = fx!;
  const queueUrl = server.createQueue('pg-workers-q').queueUrl;
  const url = await databases.fresh();
  const files = Array.from({ length: 24 }, (_, i) => trailFile({ accountId: '111122223333', count: 5, seed: `pgw-${i}`, name: `pgw${i}` }));
  // CloudTrail repeats some events in a later file: the first two events of file 0 again in file 23.
  files[23] = trailFile({ accountId: '111122223333', count: 5, seed: 'pgw-23', name: 'pgw23', duplicateOf: files[0]!.eventIds.slice(0, 2) });
  for (const f of files) await s3.send(new PutObjectCommand({ Bucket: 'pg-workers', Key: f.key, Body: f.body }));
  for (const f of files) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody('pg-workers', [f.key]) }));
  // S3 notifies some files twice.
  for (const f of files.slice(0, 4)) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody('pg-workers', [f.key]) }));

  const stores: Store[] = [];
  try {
    const runs = await Promise.all(
      [0, 1, 2].map(async () => {
        const store = await openStore(url);
        stores.push(store);
        return runIngestService({
          runtimes: [{ connector: { name: 'main', queueUrl, bucket: 'pg-workers' }, sqs, processFile: s3ProcessFile(store, s3, 'main') }],
          store,
          log: memoryLogger(),
          signal: new AbortController().signal,
          worker: { exitWhenIdle: true, waitTimeSeconds: 1, progressEveryMs: 0 },
        });
      }),
    );
    const deleted = runs.reduce((n, r) => n + (r.workers.main?.deleted ?? 0), 0);
    assert.equal(deleted, 28, 'every message deleted once, by one of the workers');
    const expected = [...new Set(files.flatMap((f) => f.eventIds))].sort();
    const stored = (await stores[0]!.events.query({})).map((e) => e.eventID).sort();
    assert.deepEqual(stored, expected);
    assert.equal(await stores[1]!.files.count({ connector: 'main' }), 24);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    assert.equal(Number(attrs.Attributes?.ApproximateNumberOfMessages) + Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible), 0);
  } finally {
    for (const s of stores) await s.close();
  }
});
