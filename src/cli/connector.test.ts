/**
 * `trailscope connector …` end to end, and `ingest --connector` / `ingest` (every enabled
 * connector) against fauxqs over the wire.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { runCli } from '../../test/support/cli-run.js';
import { childEnv, startFauxqsWithHostNames } from '../../test/ingest/support/cli.js';
import { trailFile, s3NotificationBody } from '../../test/ingest/support/trail.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { openStore } from '../store/index.js';

let dir: string;
let fx: FauxqsFixture;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-connector-'));
  fx = await startFauxqsWithHostNames(['conn-a', 'conn-b']);
});
after(async () => {
  await fx?.stop();
  rmSync(dir, { recursive: true, force: true });
});


const cli = (db: string, args: string[]) => runCli(args, { db, env: childEnv() });

const INGEST = ['--exit-when-idle', '--wait-time-seconds', '1', '--progress-interval', '0', '--log-format', 'json'];

async function deliver(bucket: string, queueUrl: string, accountId: string, seed: string): Promise<void> {
  const f = trailFile({ accountId, count: 3, seed });
  await fx.s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: f.body }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody(bucket, [f.key]) }));
}

describe('connectors', () => {
  it('add, list, show, edit: each gets its own stable ExternalId; bad fields name the flag', async () => {
    const db = join(dir, 'crud.db');
    const add = await cli(db, ['connector', 'add', '--name', 'prod', '--bucket', 'prod-trail', '--queue-url', 'https://sqs.eu-west-1.amazonaws.com/111122223333/q', '--account-id', '111122223333', '--json']);
    assert.equal(add.code, 0, add.err);
    const prod = JSON.parse(add.out) as Record<string, unknown>;
    assert.match(String(prod.externalId), /^[0-9a-f-]{36}$/);
    assert.equal(prod.status, 'enabled');
    assert.equal(prod.trail, 'existing');
    await cli(db, ['connector', 'add', '--name', 'org', '--organization-id', 'o-a1b2c3d4e5', '--bucket', 'org-trail', '--trail', 'new', '--queue-url', 'arn:aws:sqs:us-east-1:999988887777:trailscope-org']);
    const again = await cli(db, ['connector', 'add', '--name', 'prod', '--bucket', 'x-trail']);
    assert.equal(again.code, 1);
    assert.match(again.err, /exists already.*connector edit prod/);
    const bad = await cli(db, ['connector', 'add', '--name', 'bad', '--bucket', 'Bad_Bucket']);
    assert.match(bad.err, /--bucket: not a valid S3 bucket name/);

    const list = JSON.parse((await cli(db, ['connector', 'list', '--json'])).out) as Record<string, unknown>[];
    assert.deepEqual(list.map((c) => [c.name, c.type, c.trail]), [['org', 'organization', 'new'], ['prod', 'account', 'existing']]);
    assert.equal(list[0]!.queueUrl, 'https://sqs.us-east-1.amazonaws.com/999988887777/trailscope-org', 'a queue ARN is kept as its URL');
    assert.notEqual(list[0]!.externalId, list[1]!.externalId);

    const edit = await cli(db, ['connector', 'edit', 'prod', '--prefix', 'trails/prod', '--role-arn', 'arn:aws:iam::111122223333:role/TrailscopeReader', '--json']);
    assert.equal(edit.code, 0, edit.err);
    const edited = JSON.parse(edit.out) as Record<string, unknown>;
    assert.equal(edited.prefix, 'trails/prod');
    assert.equal(edited.externalId, prod.externalId, 'the ExternalId survives edits');
    const cleared = JSON.parse((await cli(db, ['connector', 'edit', 'prod', '--prefix', '', '--json'])).out) as Record<string, unknown>;
    assert.equal(cleared.prefix, undefined);
    const show = await cli(db, ['connector', 'show', 'prod']);
    assert.match(show.out, new RegExp(`externalId +${String(prod.externalId)}`));
    const missing = await cli(db, ['connector', 'show', 'nope']);
    assert.match(missing.err, /no connector named "nope" \(have: org, prod\)/);
  });

  it('import of a --config file is idempotent and keeps ExternalIds', async () => {
    const db = join(dir, 'import.db');
    const file = join(dir, 'trailscope.yaml');
    writeFileSync(file, 'connectors:\n  - name: a\n    type: account\n    bucket: a-trail\n  - name: b\n    type: account\n    bucket: b-trail\n');
    assert.deepEqual(JSON.parse((await cli(db, ['connector', 'import', '--config', file, '--json'])).out), { created: ['a', 'b'], updated: [], unchanged: [] });
    const before = JSON.parse((await cli(db, ['connector', 'list', '--json'])).out) as { externalId: string }[];
    assert.deepEqual(JSON.parse((await cli(db, ['connector', 'import', '--config', file, '--json'])).out), { created: [], updated: [], unchanged: ['a', 'b'] });
    writeFileSync(file, 'connectors:\n  - name: a\n    type: account\n    bucket: a-trail\n    prefix: p\n  - name: b\n    type: account\n    bucket: b-trail\n');
    assert.deepEqual(JSON.parse((await cli(db, ['connector', 'import', '--config', file, '--json'])).out), { created: [], updated: ['a'], unchanged: ['b'] });
    const after = JSON.parse((await cli(db, ['connector', 'list', '--json'])).out) as { externalId: string }[];
    assert.deepEqual(after.map((c) => c.externalId), before.map((c) => c.externalId));
  });

  it('ingest --connector NAME, ingest with no flags (every enabled one), disable stops it, remove deletes its records and leaves the other', async () => {
    const db = join(dir, 'ingest.db');
    const qa = fx.server.createQueue('conn-qa').queueUrl;
    const qb = fx.server.createQueue('conn-qb').queueUrl;
    for (const [name, bucket, q] of [['a', 'conn-a', qa], ['b', 'conn-b', qb]] as const) {
      const r = await cli(db, ['connector', 'add', '--name', name, '--bucket', bucket, '--queue-url', q, '--endpoint-url', fx.endpoint, '--region', 'us-east-1']);
      assert.equal(r.code, 0, r.err);
    }
    await deliver('conn-a', qa, '111122223333', 'conn-a-1');
    const one = await cli(db, ['ingest', '--connector', 'a', ...INGEST]);
    assert.equal(one.code, 0, one.err);
    let list = JSON.parse((await cli(db, ['connector', 'list', '--json'])).out) as { name: string; ingestion: { files: number; events: number } }[];
    assert.deepEqual(list.map((c) => [c.name, c.ingestion.files, c.ingestion.events]), [['a', 1, 3], ['b', 0, 0]]);

    await deliver('conn-a', qa, '111122223333', 'conn-a-2');
    await deliver('conn-b', qb, '444455556666', 'conn-b-1');
    const all = await cli(db, ['ingest', ...INGEST]);
    assert.equal(all.code, 0, all.err);
    list = JSON.parse((await cli(db, ['connector', 'list', '--json'])).out) as typeof list;
    assert.deepEqual(list.map((c) => [c.name, c.ingestion.files]), [['a', 2], ['b', 1]]);

    assert.equal((await cli(db, ['connector', 'disable', 'b'])).code, 0);
    const refused = await cli(db, ['ingest', '--connector', 'b', ...INGEST]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /connector b is disabled: enable it with trailscope connector enable b/);
    await deliver('conn-b', qb, '444455556666', 'conn-b-2');
    await cli(db, ['ingest', ...INGEST]);
    list = JSON.parse((await cli(db, ['connector', 'list', '--json'])).out) as typeof list;
    assert.equal(list.find((c) => c.name === 'b')!.ingestion.files, 1, 'a disabled connector is not ingested');

    const noYes = await cli(db, ['connector', 'remove', 'a']);
    assert.equal(noYes.code, 1);
    assert.match(noYes.err, /confirm with --yes/);
    const removed = await cli(db, ['connector', 'remove', 'a', '--yes', '--json']);
    assert.equal(removed.code, 0, removed.err);
    const deleted = JSON.parse(removed.out).deleted as Record<string, number>;
    assert.equal(deleted.files, 2);
    assert.equal(deleted.events, 6);
    const store = await openStore(db, { create: false });
    try {
      assert.equal(await store.files.count({ connector: 'a' }), 0);
      assert.equal(await store.files.count({ connector: 'b' }), 1);
      assert.deepEqual((await store.ingest.counters()).map((c) => c.connector), ['b']);
      assert.deepEqual((await store.connectors.list()).map((c) => c.name), ['b']);
      assert.equal((await store.events.stats()).events, 3, "b's events stay");
    } finally {
      await store.close();
    }
  });
});
