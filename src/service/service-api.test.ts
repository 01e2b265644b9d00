/**
 * The service and its API together, in process: a connector added or disabled through the API
 * is ingested or left at once, without waiting for the connector poll; IAM sync on demand goes
 * through the service's own sync.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { tempStore, type TempStore } from '../../test/support/analysis.js';
import { TEST_AWS_ENV } from '../../test/ingest/support/cli.js';
import { startFauxqsForTest, type FauxqsFixture } from '../../test/support/fauxqs.js';
import { s3NotificationBody, trailFile } from '../../test/ingest/support/trail.js';
import { createLogger } from '../ingest/log.js';
import { startService, type RunningService } from './index.js';

let t: TempStore;
let fx: FauxqsFixture;
let service: RunningService;
const logs: string[] = [];
const synced: string[] = [];
const savedEnv: Record<string, string | undefined> = {};

before(async () => {
  for (const [k, v] of Object.entries(TEST_AWS_ENV)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  t = await tempStore();
  fx = await startFauxqsForTest({ buckets: ['api-trail'], hostName: 'localhost' });
  service = await startService({
    store: t.store,
    log: createLogger('json', (l) => void logs.push(l)),
    host: '127.0.0.1',
    port: 0,
    // An hour: only the API's own signal can make ingestion notice the change in time.
    connectorPollMs: 3_600_000,
    analysisPollMs: 3_600_000,
    syncIam: async (c) => void synced.push(c.name),
    ingestion: { maxReceives: 5, waitTimeSeconds: 1, graceSeconds: 1, progressInterval: 0, retryBaseSeconds: 1 },
  });
});
after(async () => {
  await service?.stop();
  await fx?.stop();
  await t?.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; log:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const call = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${service.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('serve with API changes', () => {
  it('a connector added through the API is ingested at once; disabled, it stops; IAM sync on demand', { timeout: 120_000 }, async () => {
    const queue = fx.server.createQueue('api-q').queueUrl;
    const added = await call('POST', '/api/connectors', { name: 'live', bucket: 'api-trail', queueUrl: queue, endpointUrl: fx.endpoint, region: 'us-east-1' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const f = trailFile({ accountId: '111122223333', count: 3, seed: 'api-1' });
    await fx.s3.send(new PutObjectCommand({ Bucket: 'api-trail', Key: f.key, Body: f.body }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: s3NotificationBody('api-trail', [f.key]) }));
    const files = async () => ((await call('GET', '/api/connectors/live')).body.ingestion as { files: number }).files;
    await until('the file ingested', async () => ((await files()) === 1 ? true : undefined));

    assert.equal((await call('POST', '/api/connectors/live/disable')).body.status, 'disabled');
    await until('ingestion restarted without it', async () => (logs.some((l) => l.includes('connectors changed: restarting ingestion')) ? true : undefined));
    const g = trailFile({ accountId: '111122223333', count: 3, seed: 'api-2' });
    await fx.s3.send(new PutObjectCommand({ Bucket: 'api-trail', Key: g.key, Body: g.body }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: s3NotificationBody('api-trail', [g.key]) }));
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await files(), 1, 'a disabled connector is no longer ingested');

    const sync = await call('POST', '/api/connectors/live/iam-sync');
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
    assert.deepEqual(synced, ['live']);
  });
});
