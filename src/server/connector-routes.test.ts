/**
 * The connector changes through the API: the same validation and semantics as
 * `trailscope connector add|edit|enable|disable|remove`, the service told of every change, the
 * CloudFormation download, the doctor run now and the last one, IAM sync now, and the token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { tempStore, type TempStore } from '../../test/support/analysis.js';
import { runCli } from '../../test/support/cli-run.js';
import { TEST_AWS_ENV } from '../../test/ingest/support/cli.js';
import type { Connector } from '../connectors/index.js';
import { buildServer } from './index.js';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/trailscope';
// No AWS answers here: the doctor's calls are refused at once.
const NO_AWS = { ...TEST_AWS_ENV, AWS_MAX_ATTEMPTS: '1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
let t: TempStore;
let app: FastifyInstance;
let changes = 0;
const synced: string[] = [];
const savedEnv: Record<string, string | undefined> = {};

before(async () => {
  for (const [k, v] of Object.entries(NO_AWS)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  t = await tempStore();
  app = await buildServer({
    store: t.store,
    onConnectorsChanged: () => void changes++,
    syncIam: async (c: Connector) => void synced.push(c.name),
  });
});
after(async () => {
  await app?.close();
  await t?.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const send = (method: 'POST' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: unknown) => app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });

describe('connector routes', () => {
  it('add, edit, disable, enable, remove: the CLI’s documents and rules; the service hears of each change', async () => {
    const added = await send('POST', '/api/connectors', { name: 'prod', bucket: 'prod-trail', queueUrl: QUEUE, accountId: '111122223333' });
    assert.equal(added.statusCode, 201, added.body);
    const doc = added.json() as { name: string; externalId: string; status: string; region?: string };
    assert.deepEqual([doc.name, doc.status], ['prod', 'enabled']);
    assert.match(doc.externalId, /^[0-9a-f-]{36}$/);
    assert.equal(changes, 1);
    // The CLI sees the same connector, in the same shape.
    const shown = await runCli(['connector', 'show', 'prod', '--json'], { db: t.path });
    assert.equal(shown.code, 0, shown.err);
    assert.deepEqual(JSON.parse(shown.out), doc);
    assert.deepEqual((await send('GET', '/api/connectors/prod')).json(), { ...doc, doctor: null });

    const dup = await send('POST', '/api/connectors', { name: 'prod', bucket: 'prod-trail' });
    assert.equal(dup.statusCode, 400);
    assert.match(dup.json().message, /exists already/);
    const badBucket = await send('POST', '/api/connectors', { name: 'x', bucket: 'Not_A_Bucket' });
    assert.equal(badBucket.statusCode, 400);
    assert.match(badBucket.json().message, /not a valid S3 bucket name/);
    assert.equal((await send('POST', '/api/connectors', { name: 'y', bucket: 'b-b-b', surprise: true })).statusCode, 400, 'unknown fields are refused');
    assert.equal((await send('POST', '/api/connectors', { bucket: 'b-b-b' })).statusCode, 400, 'a name is required');
    assert.equal(changes, 1, 'refused changes are not announced');

    const edited = await send('PATCH', '/api/connectors/prod', { prefix: 'trails/prod', region: 'eu-west-1' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.deepEqual([edited.json().prefix, edited.json().region, edited.json().externalId], ['trails/prod', 'eu-west-1', doc.externalId]);
    const cleared = await send('PATCH', '/api/connectors/prod', { prefix: '' });
    assert.equal(cleared.json().prefix, undefined, '"" clears a field');
    assert.equal((await send('PATCH', '/api/connectors/prod', {})).statusCode, 400, 'nothing to change');
    assert.equal((await send('PATCH', '/api/connectors/prod', { kmsKeyArn: 'not-an-arn' })).statusCode, 400);
    assert.equal((await send('PATCH', '/api/connectors/nope', { prefix: 'p' })).statusCode, 404);

    assert.equal((await send('POST', '/api/connectors/prod/disable')).json().status, 'disabled');
    assert.equal((await runCli(['connector', 'list', '--json'], { db: t.path })).out.includes('"status":"disabled"'), true);
    assert.equal((await send('POST', '/api/connectors/prod/enable')).json().status, 'enabled');
    assert.equal((await send('POST', '/api/connectors/nope/enable')).statusCode, 404);
    assert.equal(changes, 5);

    assert.equal((await send('POST', '/api/connectors', { name: 'gone', bucket: 'gone-trail', queueUrl: QUEUE })).statusCode, 201);
    const removed = await send('DELETE', '/api/connectors/gone');
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(Object.keys(removed.json().deleted).sort(), ['counters', 'doctorRuns', 'events', 'files', 'problems', 'quarantined', 'sharedEvents']);
    assert.equal((await send('GET', '/api/connectors/gone')).statusCode, 404);
    assert.equal((await send('DELETE', '/api/connectors/gone')).statusCode, 404);
    assert.equal(changes, 7);
  });

  it('cloudformation: the onboard template as a download, every document as JSON, unknown mode refused', async () => {
    const r = await send('GET', '/api/connectors/prod/cloudformation');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^application\/yaml/);
    assert.equal(r.headers['content-disposition'], 'attachment; filename="trailscope-prod.yaml"');
    const cli = await runCli(['onboard', 'cloudformation', '--connector', 'prod'], { db: t.path });
    assert.equal(cli.code, 0, cli.err);
    assert.equal(r.body, cli.out, 'the same template as the CLI');
    const org = (await send('GET', '/api/connectors/prod/cloudformation?mode=organization&format=json')).json() as { documents: { file: string; yaml: string }[]; steps: string[] };
    assert.equal(org.documents.length, 3);
    const second = await send('GET', `/api/connectors/prod/cloudformation?mode=organization&document=${org.documents[1]!.file}`);
    assert.equal(second.body, org.documents[1]!.yaml);
    assert.equal((await send('GET', '/api/connectors/prod/cloudformation?mode=sideways')).statusCode, 400);
    assert.equal((await send('GET', '/api/connectors/prod/cloudformation?mode=organization&document=nope.yaml')).statusCode, 404);
    assert.equal((await send('GET', '/api/connectors/nope/cloudformation')).statusCode, 404);
  });

  it('doctor: 404 before a run; a run now is stored and served; IAM sync now reaches the service', async () => {
    // Every endpoint of this connector is a closed local port: nothing leaves the machine.
    const local = await send('POST', '/api/connectors', { name: 'local', bucket: 'local-trail', queueUrl: 'http://127.0.0.1:9/111122223333/trailscope', endpointUrl: 'http://127.0.0.1:9', region: 'us-east-1' });
    assert.equal(local.statusCode, 201, local.body);
    assert.equal((await send('GET', '/api/connectors/local/doctor')).statusCode, 404);
    const run = await send('POST', '/api/connectors/local/doctor');
    assert.equal(run.statusCode, 200, run.body);
    const body = run.json() as { connector: string; results: { id: string; status: string; fix?: string }[] };
    assert.equal(body.connector, 'local');
    assert.notEqual(body.results.find((x) => x.id === 'identity')?.status, 'pass', 'no AWS answered');
    assert.deepEqual((await send('GET', '/api/connectors/local/doctor')).json(), body);
    assert.deepEqual((await send('GET', '/api/connectors/local')).json().doctor, body);

    const sync = await send('POST', '/api/connectors/prod/iam-sync');
    assert.equal(sync.statusCode, 200, sync.body);
    assert.deepEqual(synced, ['prod']);
    assert.equal((await send('POST', '/api/connectors/nope/iam-sync')).statusCode, 404);
    const bare = await buildServer({ store: t.store });
    try {
      const r = await bare.inject({ method: 'POST', url: '/api/connectors/prod/iam-sync' });
      assert.equal(r.statusCode, 503);
      assert.doesNotMatch(r.body, /at .*\.ts:\d+/);
    } finally {
      await bare.close();
    }
  });

  it('with a token, changes need it too', async () => {
    const secured = await buildServer({ store: t.store, token: 'a-long-enough-token-value' });
    try {
      assert.equal((await secured.inject({ method: 'POST', url: '/api/connectors', payload: { name: 'z', bucket: 'zz-trail' } })).statusCode, 401);
      assert.equal((await secured.inject({ method: 'DELETE', url: '/api/connectors/prod' })).statusCode, 401);
      assert.equal((await secured.inject({ url: '/api/connectors/prod/cloudformation' })).statusCode, 401);
      const ok = await secured.inject({ url: '/api/paths', headers: { authorization: 'Bearer a-long-enough-token-value' } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await send('GET', '/api/connectors/z')).statusCode, 404, 'nothing was added');
    } finally {
      await secured.close();
    }
  });
});
