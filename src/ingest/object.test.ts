import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startFauxqsForTest } from '../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { trailKey, logFor, put, gzipLog, record } from '../../test/support/trail-files.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { SourceError } from '../sources/s3/index.js';
import type { S3Clients } from '../sources/s3/index.js';
import { processObject } from './object.js';

let fx: FauxqsFixture;
let store: Store;
let dir: string;
let clients: S3Clients;
const B = 'trail';

before(async () => {
  fx = await startFauxqsForTest({ buckets: [B] });
  dir = await mkdtemp(join(tmpdir(), 'ts-object-'));
  store = await openStore(join(dir, 'db.sqlite'));
  clients = { s3: fx.s3, kmsIn: () => assert.fail('no KMS expected'), principal: async () => undefined };
});
after(async () => {
  await store.close();
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
});

const spec = { orgId: 'o-abcdefghij', accountId: '111122223333', region: 'eu-west-1', time: '2026-01-02T10:05:00Z' };

test('an event file is committed once; the same key again is a duplicate file; overlapping events are duplicates', async () => {
  const key = trailKey(spec);
  await put(fx.s3, B, key, logFor(spec, 5, 'ev'));
  const r1 = await processObject({ store, clients, connector: 'org', bucket: B, key });
  assert.deepEqual([r1.status, r1.inserted, r1.duplicates, r1.events, r1.accountId], ['done', 5, 0, 5, '111122223333']);
  assert.match(r1.etag ?? '', /^[0-9a-f]{32}$/);
  const rec = await store.files.get(B, key);
  assert.equal(rec?.status, 'done');
  assert.equal(rec?.newEvents, 5);
  assert.equal(rec?.etag, r1.etag);

  // Redelivery, with or without the ETag: not downloaded, nothing added.
  const r2 = await processObject({ store, clients, connector: 'org', bucket: B, key, etag: r1.etag! });
  assert.equal(r2.status, 'duplicate-file');
  // Another file carrying 3 of the same events (CloudTrail's own duplicates): deduplicated on eventID.
  const key2 = trailKey({ ...spec, time: '2026-01-02T10:10:00Z' });
  // The same records (same id and time) as logFor wrote: what a redelivered or duplicated event looks like.
  const time = new Date(Date.parse(spec.time) - 60_000).toISOString();
  const same = (id: string) => record(id, { accountId: spec.accountId, region: spec.region, time });
  await put(fx.s3, B, key2, gzipLog([same('ev-0'), same('ev-1'), same('ev-2'), same('ev-new')]));
  const r3 = await processObject({ store, clients, connector: 'org', bucket: B, key: key2 });
  assert.deepEqual([r3.inserted, r3.duplicates], [1, 3]);
  assert.equal(r3.conflicts, undefined, 'exact repeats are plain duplicates');
  assert.equal((await store.events.stats()).events, 6);

  const c = (await store.ingest.counters('org')).find((x) => x.accountId === '111122223333');
  assert.equal(c?.files, 2);
  assert.equal(c?.events, 6);
  assert.equal(c?.duplicates, 3);
  assert.equal(c?.lastFileKey, key2);

  // A record reusing a kept event's eventID and time to say something else: kept out, reported.
  const key3 = trailKey({ ...spec, time: '2026-01-02T10:15:00Z' });
  await put(fx.s3, B, key3, gzipLog([record('ev-1', { accountId: spec.accountId, region: spec.region, time, eventName: 'DeleteBucket' })]));
  const r4 = await processObject({ store, clients, connector: 'org', bucket: B, key: key3 });
  assert.deepEqual([r4.inserted, r4.duplicates, r4.conflicts], [0, 1, { count: 1, eventIds: ['ev-1'] }]);
});

test('a changed object (new ETag) under a done key is read again', async () => {
  const s = { ...spec, time: '2026-01-02T11:00:00Z' };
  const key = trailKey(s);
  await put(fx.s3, B, key, logFor(s, 2, 'v1'));
  const a = await processObject({ store, clients, connector: 'org', bucket: B, key });
  await put(fx.s3, B, key, logFor(s, 3, 'v2'));
  const b = await processObject({ store, clients, connector: 'org', bucket: B, key, etag: 'different' });
  assert.equal(a.inserted, 2);
  assert.equal(b.status, 'done');
  assert.equal(b.inserted, 3);
});

async function rejectsWith(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SourceError, String(e));
    return e;
  }
  assert.fail('expected a SourceError');
}

test('corrupt gzip, invalid JSON and a non-CloudTrail document are permanent and recorded as failed', async () => {
  const cases: [string, Buffer, RegExp][] = [
    ['corrupt', Buffer.concat([gzipSync(Buffer.from('{"Records":[]}')).subarray(0, 12), Buffer.from('garbage')]), /corrupt-gzip/],
    ['badjson', gzipSync(Buffer.from('{"Records":[{"eventID":')), /malformed-json/],
    ['norecords', gzipSync(Buffer.from('{"hello":"world"}')), /not-cloudtrail|malformed-cloudtrail/],
  ];
  for (const [unique, body, code] of cases) {
    const key = trailKey({ ...spec, time: '2026-01-03T00:00:00Z', unique });
    await put(fx.s3, B, key, body);
    const e = await rejectsWith(processObject({ store, clients, connector: 'org', bucket: B, key }));
    assert.equal(e.kind, 'permanent', unique);
    assert.match(e.code, code, unique);
    assert.ok(e.reason.length > 10 && e.fix.length > 10, unique);
    const rec = await store.files.get(B, key);
    assert.equal(rec?.status, 'failed', unique);
    assert.match(rec?.error ?? '', code);
  }
  const c = (await store.ingest.counters('org')).find((x) => x.accountId === '111122223333');
  assert.ok((c?.errorsByKind['corrupt-gzip'] ?? 0) >= 1);
});

test('NoSuchKey is permanent and recorded; a digest key is skipped without a download', async () => {
  const missing = trailKey({ ...spec, unique: 'missing' });
  const e = await rejectsWith(processObject({ store, clients, connector: 'org', bucket: B, key: missing }));
  assert.deepEqual([e.kind, e.code], ['permanent', 'no-such-key']);
  assert.equal((await store.files.get(B, missing))?.status, 'failed');

  // The digest object does not even exist: a download would fail.
  const digest = trailKey({ ...spec, folder: 'CloudTrail-Digest' });
  const r = await processObject({ store, clients, connector: 'org', bucket: B, key: digest });
  assert.deepEqual([r.status, r.kind], ['skipped', 'digest']);
  assert.equal((await store.files.get(B, digest))?.status, 'skipped');
});

test('transient failures record nothing, so the file is retried', async () => {
  const broken: S3Clients = {
    ...clients,
    s3: { send: async () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) } as unknown as S3Clients['s3'],
  };
  const key = trailKey({ ...spec, unique: 'transient' });
  const e = await rejectsWith(processObject({ store, clients: broken, connector: 'org', bucket: B, key }));
  assert.deepEqual([e.kind, e.code], ['transient', 'network']);
  assert.equal(await store.files.get(B, key), undefined);
});
