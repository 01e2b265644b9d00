import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFauxqsForTest } from '../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { trailKey, logFor, put } from '../../test/support/trail-files.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { runBackfill, auditRecentKeys, auditAndRepair } from './backfill.js';
import type { BackfillOptions } from './backfill.js';
import { processObject } from './object.js';

const B = 'org-trail';
const ORG = 'o-abcdefghij';
const ACCOUNTS = ['111111111111', '222222222222'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const DAYS = ['2026-02-01', '2026-02-02', '2026-02-03'];
const TIMES = ['01:00', '07:00', '13:00', '19:00'];
const PER_FILE = 3;
const SINCE = '2026-02-01T00:00:00Z';
const UNTIL = '2026-02-04T00:00:00Z';

let fx: FauxqsFixture;
let dir: string;
const keys: string[] = [];
let corruptKey = '';
const stores: Store[] = [];

async function newStore(): Promise<Store> {
  const s = await openStore(join(dir, `db-${stores.length}.sqlite`));
  stores.push(s);
  return s;
}
const clients = () => ({ s3: fx.s3, kmsIn: () => assert.fail('no KMS expected'), principal: async () => undefined });
const base = (store: Store, extra: Partial<BackfillOptions> = {}): BackfillOptions => ({ store, clients: clients(), connector: 'org', bucket: B, prefix: 'central', since: SINCE, until: UNTIL, ...extra });

before(async () => {
  fx = await startFauxqsForTest({ buckets: [B] });
  dir = await mkdtemp(join(tmpdir(), 'ts-backfill-'));
  const puts: Promise<void>[] = [];
  for (const accountId of ACCOUNTS)
    for (const region of REGIONS)
      for (const day of DAYS)
        for (const t of TIMES) {
          const spec = { prefix: 'central', orgId: ORG, accountId, region, time: `${day}T${t}:00Z`, unique: `${accountId.slice(0, 1)}${region.slice(0, 2)}${t.slice(0, 2)}` };
          const key = trailKey(spec);
          keys.push(key);
          puts.push(put(fx.s3, B, key, logFor(spec, PER_FILE, key)));
        }
  corruptKey = trailKey({ prefix: 'central', orgId: ORG, accountId: ACCOUNTS[1]!, region: 'eu-west-1', time: '2026-02-02T10:00:00Z', unique: 'corrupt' });
  puts.push(put(fx.s3, B, corruptKey, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8])));
  // Outside the range: never listed.
  puts.push(put(fx.s3, B, trailKey({ prefix: 'central', orgId: ORG, accountId: ACCOUNTS[0]!, region: 'us-east-1', time: '2026-02-04T00:00:00Z' }), 'x'));
  await Promise.all(puts);
});
after(async () => {
  for (const s of stores) await s.close();
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
});

const GOOD = () => keys.length; // 48 good files

test('full backfill: every file in range imported once, the corrupt one failed with reason and fix', async () => {
  const store = await newStore();
  const failures: string[] = [];
  const s = await runBackfill(base(store, { concurrency: 4, onFailure: (f) => failures.push(f.key) }));
  assert.equal(s.listed, GOOD() + 1);
  assert.equal(s.imported, GOOD());
  assert.equal(s.eventsNew, GOOD() * PER_FILE);
  assert.equal(s.duplicates, 0);
  assert.equal(s.failed, 1);
  assert.deepEqual(failures, [corruptKey]);
  assert.equal(s.failures[0]!.kind, 'permanent');
  assert.equal(s.failures[0]!.code, 'corrupt-gzip');
  assert.ok(s.failures[0]!.fix.length > 0);
  assert.equal(s.complete, true);
  assert.equal((await store.events.stats()).events, GOOD() * PER_FILE);
  assert.equal((await store.files.get(B, corruptKey))?.status, 'failed');
  // One work unit per region folder and day, all done, with their files and events.
  const units = await store.backfill.list(B);
  assert.equal(units.length, 4 * DAYS.length);
  assert.deepEqual([s.units, s.unitsDone], [12, 12]);
  assert.ok(units.every((u) => u.status === 'done' && u.claimedBy === null));
  assert.equal(units.reduce((n, u) => n + u.files, 0), GOOD() + 1);
  assert.equal(units.reduce((n, u) => n + u.events, 0), GOOD() * PER_FILE);

  // A rerun lists nothing: every folder resumes after the end of the range.
  const again = await runBackfill(base(store));
  assert.deepEqual([again.listed, again.imported, again.eventsNew, again.resumedFolders], [0, 0, 0, 4]);
});

test('interrupted backfill resumes: totals equal one full run, nothing doubled, done days not listed again', async () => {
  const store = await newStore();
  const stop = new AbortController();
  const first = await runBackfill(
    base(store, {
      concurrency: 1,
      listConcurrency: 1,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.finished >= 6) stop.abort();
      },
    }),
  );
  assert.equal(first.aborted, true);
  assert.equal(first.complete, false);
  assert.equal(first.imported, 6);
  // One unit at a time, oldest day first: the first unit (4 files) is done, the second was given
  // back after 2 files, with its cursor on the second.
  const units = await store.backfill.list(B);
  const done = units.filter((u) => u.status === 'done');
  const begun = units.filter((u) => u.status === 'pending' && u.cursor !== null);
  assert.equal(done.length, 1);
  assert.equal(begun.length, 1);
  assert.equal(begun[0]!.claimedBy, null);
  const begunKeys = keys.filter((k) => k.startsWith(`${begun[0]!.folder}2026/02/01/`)).sort();
  assert.equal(begun[0]!.cursor, begunKeys[1]);

  const second = await runBackfill(base(store, { concurrency: 3 }));
  assert.equal(second.complete, true);
  assert.equal(second.resumedFolders, 2);
  assert.equal(second.listed, GOOD() + 1 - 6, 'neither the done unit nor the files before the cursor are listed again');
  assert.equal(second.alreadyDone, 0);
  assert.equal(first.imported + second.imported, GOOD());
  assert.equal(first.eventsNew + second.eventsNew, GOOD() * PER_FILE);
  assert.equal(second.duplicates, 0);
  assert.equal((await store.events.stats()).events, GOOD() * PER_FILE);
  assert.equal(await store.files.count({ status: 'done' }), GOOD());
});

test('backfill beside live ingestion: two overlapping runs and a notification for the same file add nothing twice', async () => {
  const store = await newStore();
  const [a, b, live] = await Promise.all([
    runBackfill(base(store, { concurrency: 4, resume: false })),
    runBackfill(base(store, { concurrency: 4, resume: false, accountIds: [ACCOUNTS[0]!] })),
    processObject({ store, clients: clients(), connector: 'org', bucket: B, key: keys[0]! }),
  ]);
  assert.equal(a.eventsNew + b.eventsNew + live.inserted, GOOD() * PER_FILE);
  assert.equal((await store.events.stats()).events, GOOD() * PER_FILE);
});

test('a transient failure leaves its unit pending with the cursor before the file, so the next run retries it', async () => {
  const store = await newStore();
  let calls = 0;
  const flaky = clients();
  const realSend = fx.s3.send.bind(fx.s3);
  const s3 = new Proxy(fx.s3, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (cmd: { constructor: { name: string }; input: { Key?: string } }, o?: unknown) => {
        if (cmd.constructor.name === 'GetObjectCommand' && cmd.input.Key?.includes('_20260202T0700Z_') && calls++ === 0) {
          return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        }
        return (realSend as (c: unknown, o?: unknown) => Promise<unknown>)(cmd, o);
      };
    },
  });
  const opts = { ...base(store, { concurrency: 2, accountIds: [ACCOUNTS[0]!], regions: ['us-east-1'] }), clients: { ...flaky, s3 } };
  const first = await runBackfill(opts);
  assert.equal(first.failed, 1);
  assert.equal(first.failures[0]!.kind, 'transient');
  assert.equal(first.complete, false);
  const folder = `central/AWSLogs/${ORG}/${ACCOUNTS[0]}/CloudTrail/us-east-1/`;
  const pending = (await store.backfill.list(B, folder)).filter((u) => u.status !== 'done');
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.day, '2026-02-02');
  assert.match(pending[0]!.lastError ?? '', /_20260202T0700Z_/);
  assert.match(pending[0]!.cursor ?? '', /_20260202T0100Z_/);
  const second = await runBackfill(opts);
  assert.equal(second.imported, 1);
  assert.equal(second.listed, 3, 'the unit resumes after its cursor; done units are not listed');
  assert.equal(second.alreadyDone, 2, 'files after the failed one were done: skipped by their record');
  assert.equal(second.complete, true);
  assert.equal((await store.events.stats()).events, 12 * PER_FILE);
});

test('completeness audit: returns exactly the recent keys the store has never seen', async () => {
  const store = await newStore();
  const now = () => new Date('2026-02-03T20:00:00Z');
  // Ingest all but two of the last day's files, as notifications would have.
  const recent = keys.filter((k) => k.includes('/2026/02/03/'));
  const skipped = [recent[1]!, recent[6]!];
  for (const k of recent) if (!skipped.includes(k)) await processObject({ store, clients: clients(), connector: 'org', bucket: B, key: k });
  const r = await auditRecentKeys({ store, clients: { s3: fx.s3 }, bucket: B, prefix: 'central', hours: 24, now });
  assert.equal(r.listed, recent.length);
  assert.deepEqual(r.missing.map((k) => k.key).sort(), [...skipped].sort());
  // The 19:00 files fall inside the 10-minute grace when it is 19:05.
  const r2 = await auditRecentKeys({ store, clients: { s3: fx.s3 }, bucket: B, prefix: 'central', hours: 24, now: () => new Date('2026-02-03T19:05:00Z') });
  assert.equal(r2.listed, recent.length - ACCOUNTS.length * REGIONS.length);

  // auditAndRepair imports the missing files; a second audit finds nothing.
  const fixed = await auditAndRepair({ store, clients: clients(), connector: 'org', bucket: B, prefix: 'central', hours: 24, now });
  assert.deepEqual([fixed.missing, fixed.ingested, fixed.failures.length], [2, 2, 0]);
  assert.deepEqual([...fixed.sample].sort(), [...skipped].sort());
  assert.equal((await auditRecentKeys({ store, clients: { s3: fx.s3 }, bucket: B, prefix: 'central', hours: 24, now })).missing.length, 0);
});

test('abort while listing returns an aborted summary instead of an error', async () => {
  const store = await newStore();
  const stop = new AbortController();
  stop.abort();
  const s = await runBackfill(base(store, { signal: stop.signal }));
  assert.equal(s.aborted, true);
  assert.equal(s.imported, 0);
});

test('a bucket that cannot be listed fails the run with the permission to add', async () => {
  const store = await newStore();
  await assert.rejects(runBackfill(base(store, { bucket: 'no-such-bucket-x' })), (e: Error & { code?: string }) => e.code === 'no-such-bucket');
  const denied = {
    ...clients(),
    s3: { send: async () => Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })) } as unknown as typeof fx.s3,
  };
  await assert.rejects(runBackfill({ ...base(store), clients: denied }), (e: Error & { reason?: string; fix?: string }) => {
    assert.match(e.reason ?? '', /listing s3:\/\/org-trail\/central\/AWSLogs\/ was denied/);
    assert.match(e.fix ?? '', /s3:ListBucket on arn:aws:s3:::org-trail/);
    return true;
  });
});
