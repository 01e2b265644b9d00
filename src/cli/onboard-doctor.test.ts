/** `onboard cloudformation` and `doctor` through the CLI, on connectors from the database. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/support/cli-run.js';
import { childEnv } from '../../test/ingest/support/cli.js';
import { openStore } from '../store/index.js';

let dir: string;
let db: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-onboard-'));
  db = join(dir, 't.db');
});
after(() => rmSync(dir, { recursive: true, force: true }));


const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { db, env: { ...childEnv(), ...env }, timeoutMs: 120_000 });

describe('onboard and doctor', () => {
  it('onboard cloudformation writes the connector’s template with its ExternalId and prints the steps; organization mode writes every template', async () => {
    const add = await cli(['connector', 'add', '--name', 'prod', '--bucket', 'prod-trail', '--prefix', 'trails/prod', '--queue-url', 'https://sqs.eu-west-1.amazonaws.com/111122223333/trailscope', '--account-id', '111122223333', '--json']);
    assert.equal(add.code, 0, add.err);
    const externalId = (JSON.parse(add.out) as { externalId: string }).externalId;
    const out = join(dir, 'cfn', 'prod.yaml');
    const r = await cli(['onboard', 'cloudformation', '--connector', 'prod', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const yaml = readFileSync(out, 'utf8');
    assert.ok(yaml.includes(externalId), 'the ExternalId is in the trust policy');
    assert.match(yaml, /prod-trail\/trails\/prod\/AWSLogs\/\*/);
    assert.match(yaml, /SqsQueueArn/);
    assert.match(r.err, /next steps:[\s\S]*aws cloudformation deploy/);

    const org = await cli(['onboard', 'cloudformation', '--connector', 'prod', '--mode', 'organization']);
    assert.equal(org.code, 1);
    assert.match(org.err, /writes 3 templates: give --out/);
    const orgOut = join(dir, 'org', 'archive.yaml');
    const json = await cli(['onboard', 'cloudformation', '--connector', 'prod', '--mode', 'organization', '--out', orgOut, '--json']);
    assert.equal(json.code, 0, json.err);
    const docs = (JSON.parse(json.out) as { documents: { writtenTo: string }[] }).documents;
    assert.equal(docs.length, 3);
    for (const d of docs) assert.ok(existsSync(d.writtenTo), d.writtenTo);
    assert.match((await cli(['onboard', 'cloudformation', '--connector', 'nope'])).err, /no connector named "nope"/);
  });

  it('doctor stores its run, says what it could not check (no AWS to answer here), and exits non-zero exactly when a check fails', async () => {
    const env = { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };
    const r = await cli(['doctor', '--connector', 'prod', '--json'], env);
    const runs = JSON.parse(r.out) as { connector: string; results: { id: string; status: string; found: string }[] }[];
    assert.equal(runs[0]!.connector, 'prod');
    assert.equal(r.code, runs[0]!.results.some((x) => x.status === 'fail') ? 1 : 0, 'non-zero exactly when a check fails');
    const identity = runs[0]!.results.find((x) => x.id === 'identity')!;
    assert.notEqual(identity.status, 'pass', identity.found);
    assert.match(identity.found, /127\.0\.0\.1|ECONNREFUSED|could not/i);
    const store = await openStore(db, { create: false });
    try {
      assert.deepEqual((await store.connectors.latestDoctorRun('prod'))?.results.map((x) => x.id), runs[0]!.results.map((x) => x.id));
    } finally {
      await store.close();
    }
  });
});
