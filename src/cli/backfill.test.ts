import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFauxqsForTest } from '../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { trailKey, logFor, put } from '../../test/support/trail-files.js';
import { main } from './index.js';
import { openStore } from '../store/index.js';

let fx: FauxqsFixture;
let dir: string;
const saved: Record<string, string | undefined> = {};

before(async () => {
  fx = await startFauxqsForTest({ buckets: ['cli-trail'] });
  dir = await mkdtemp(join(tmpdir(), 'ts-cli-backfill-'));
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) saved[k] = process.env[k];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  for (const t of ['01:00', '02:00', '03:00']) {
    const spec = { prefix: 'p', accountId: '111122223333', region: 'us-east-1', time: `2026-03-01T${t}:00Z`, unique: `f${t.slice(0, 2)}` };
    await put(fx.s3, 'cli-trail', trailKey(spec), logFor(spec, 2, t));
  }
  await put(fx.s3, 'cli-trail', trailKey({ prefix: 'p', accountId: '111122223333', region: 'us-east-1', time: '2026-03-01T04:00:00Z', unique: 'bad' }), 'not gzip, not json');
});
after(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += String(c)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await main(['node', 'trailscope', ...args]);
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out, err };
}

test('trailscope backfill: imports, names each failure with reason and fix, exits 2; a rerun adds nothing', async () => {
  const db = join(dir, 'db.sqlite');
  const args = ['backfill', '--bucket', 'cli-trail', '--prefix', 'p', '--since', '2026-03-01T00:00:00Z', '--until', '2026-03-02T00:00:00Z', '--endpoint-url', fx.endpoint, '--db', db];
  const r = await run([...args, '--json']);
  assert.equal(r.code, 2, r.err);
  const s = JSON.parse(r.out) as { imported: number; eventsNew: number; failed: number; listed: number };
  assert.deepEqual([s.listed, s.imported, s.eventsNew, s.failed], [4, 3, 6, 1]);
  assert.match(r.err, /failed \(permanent, (not-cloudtrail|malformed-json)\): s3:\/\/cli-trail\/p\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2026\/03\/01\/.*bad\.json\.gz: .+ \(fix: .+\)/);
  assert.match(r.err, /1 file\(s\) failed/);

  const again = await run(args);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /events new: +0/);
  assert.match(again.out, /already complete/);
  const store = await openStore(db);
  try {
    assert.equal((await store.events.stats()).events, 6);
  } finally {
    await store.close();
  }
});

test('trailscope backfill: --days is capped at 90, bad input is named', async () => {
  const r = await run(['backfill', '--bucket', 'cli-trail', '--days', '91', '--db', join(dir, 'x.sqlite')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /--days is at most 90; .*--since/);
  const b = await run(['backfill', '--bucket', 'Not_A_Bucket', '--days', '1', '--db', join(dir, 'x.sqlite')]);
  assert.equal(b.code, 1);
  assert.match(b.err, /--bucket: not a valid S3 bucket name/);
  const a = await run(['backfill', '--bucket', 'cli-trail', '--account', '123', '--days', '1', '--db', join(dir, 'x.sqlite')]);
  assert.match(a.err, /--account: "123" is not a 12-digit account id/);
});
