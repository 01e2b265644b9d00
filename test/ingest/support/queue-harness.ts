/**
 * A fauxqs server for the queue worker's tests (started before them, stopped after) and what
 * they do with it: queues, objects, notifications, the queue's depth, and a worker run until a
 * condition holds.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from '../../support/fauxqs.js';
import type { FauxqsFixture } from '../../support/fauxqs.js';
import { runQueueWorker } from '../../../src/ingest/worker.js';
import type { QueueWorkerOptions, WorkerStats } from '../../../src/ingest/worker.js';
import { memoryLogger } from '../../../src/ingest/log.js';
import type { MemoryStore } from './memory-store.js';
import { s3ProcessFile } from './process.js';
import type { TrailFile } from './trail.js';

export const BUCKET = 'trail-bucket';

type Extra = Partial<QueueWorkerOptions>;

export function queueHarness() {
  let fx: FauxqsFixture | undefined;
  let queueSeq = 0;
  before(async () => {
    fx = await startFauxqsForTest({ buckets: [BUCKET] });
  });
  after(async () => {
    await fx?.stop();
  });
  const server = (): FauxqsFixture => {
    if (!fx) throw new Error('the fauxqs fixture is not started yet');
    return fx;
  };
  return {
    get fx(): FauxqsFixture {
      return server();
    },
    nextSeq: () => ++queueSeq,
    newQueue(attributes: Record<string, string> = {}): string {
      return server().server.createQueue(`q${++queueSeq}`, { attributes: { VisibilityTimeout: '30', ...attributes } }).queueUrl;
    },
    async put(f: TrailFile): Promise<void> {
      await server().s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body }));
    },
    async send(queueUrl: string, body: string): Promise<void> {
      await server().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
    async queueDepth(queueUrl: string): Promise<number> {
      const out = await server().sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
    },
    /** Runs a worker until `until` holds (checked every 50 ms, 30 s at most), then stops it. */
    async runUntil(queueUrl: string, store: MemoryStore, until: () => boolean | Promise<boolean>, extra: Extra = {}) {
      const fx = server();
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
    },
  };
}

export function sortedIds(files: TrailFile[]): string[] {
  return files.flatMap((f) => f.eventIds).sort();
}
