/**
 * `trailscope serve` end to end against fauxqs: it ingests the enabled connectors, picks up a
 * connector added while it runs, drops one disabled, analyses after changes, and stops on SIGTERM.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import { CLI_SCRIPT, runCli } from '../../test/support/cli-run.js';
import { childEnv, startFauxqsWithHostNames } from '../../test/ingest/support/cli.js';
import { trailFile, s3NotificationBody } from '../../test/ingest/support/trail.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { allow, authorizationDetails } from '../../test/support/analysis.js';

let dir: string;
let db: string;
let fx: FauxqsFixture;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-serve-'));
  db = join(dir, 'serve.db');
  fx = await startFauxqsWithHostNames(['serve-a', 'serve-b']);
});
after(async () => {
  await fx?.stop();
  rmSync(dir, { recursive: true, force: true });
});


const cli = (args: string[]) => runCli(args, { db, env: childEnv() });

async function deliver(bucket: string, queueUrl: string, accountId: string, seed: string): Promise<void> {
  const f = trailFile({ accountId, count: 3, seed });
  await fx.s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: f.body }));
  await fx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: s3NotificationBody(bucket, [f.key]) }));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('trailscope serve', () => {
  it('ingests, follows connectors added, disabled and removed while it runs, analyses, and stops cleanly on SIGTERM', { timeout: 180_000 }, async () => {
    const qa = fx.server.createQueue('serve-qa').queueUrl;
    const qb = fx.server.createQueue('serve-qb').queueUrl;
    const common = ['--endpoint-url', fx.endpoint, '--region', 'us-east-1'];
    assert.equal((await cli(['connector', 'add', '--name', 'a', '--bucket', 'serve-a', '--queue-url', qa, ...common])).code, 0);
    const authz = join(dir, 'authz.json');
    writeFileSync(authz, JSON.stringify(authorizationDetails({ roles: [{ name: 'vendor', created: '2020-01-01T00:00:00Z', inline: [allow(['s3:GetObject'])], trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' }] } }] })));
    assert.equal((await cli(['iam', 'import', authz])).code, 0);

    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CLI_SCRIPT, 'trailscope', 'serve', '--db', db, '--port', '0', '--connector-poll', '1', '--analysis-interval', '1', '--iam-sync-hours', '0', '--wait-time-seconds', '1', '--log-format', 'json'],
      { cwd: PROJECT_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await until('the URL', async () => /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]);
      const api = async (path: string) => (await fetch(`${url}${path}`)).json() as Promise<{ items: Record<string, unknown>[] }>;
      const files = async (name: string) => ((await api('/api/connectors')).items.find((c) => c.name === name)?.ingestion as { files: number } | undefined)?.files ?? 0;

      await deliver('serve-a', qa, '111122223333', 'serve-a-1');
      await until('connector a ingested', async () => ((await files('a')) === 1 ? true : undefined));
      await until('findings analysed', async () => ((await api('/api/findings')).items.some((f) => f.rule === 'role-trust-external-without-externalid') ? true : undefined));

      assert.equal((await cli(['connector', 'add', '--name', 'b', '--bucket', 'serve-b', '--queue-url', qb, ...common])).code, 0);
      await deliver('serve-b', qb, '444455556666', 'serve-b-1');
      await until('connector b, added while serving, ingested', async () => ((await files('b')) === 1 ? true : undefined));

      assert.equal((await cli(['connector', 'disable', 'a'])).code, 0);
      await new Promise((r) => setTimeout(r, 3000));
      await deliver('serve-a', qa, '111122223333', 'serve-a-2');
      await deliver('serve-b', qb, '444455556666', 'serve-b-2');
      await until('b still ingested', async () => ((await files('b')) === 2 ? true : undefined));
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(await files('a'), 1, 'a disabled connector is no longer ingested');

      const removed = await cli(['connector', 'remove', 'b', '--yes', '--json']);
      assert.equal(removed.code, 0, removed.err);
      assert.equal(JSON.parse(removed.out).deleted.events, 6);
      await until('b gone from the API', async () => ((await api('/api/connectors')).items.some((c) => c.name === 'b') ? undefined : true));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });
});
