import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { trailKey, put } from '../../../test/support/trail-files.js';
import type { KeySpec } from '../../../test/support/trail-files.js';
import { listTrailKeys, deliveryTimeOf, mergeAsync } from './index.js';
import type { TrailKey } from './index.js';

const ORG = 'o-abcdefghij';
const MEMBERS = ['111111111111', '222222222222', '333333333333'];
const MGMT = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
const TIMES = ['00:00', '11:49', '11:50', '12:00', '23:55'];

let fx: FauxqsFixture;
const all: (KeySpec & { key: string })[] = [];

before(async () => {
  fx = await startFauxqsForTest({ buckets: ['org-trail', 'single'] });
  const puts: Promise<void>[] = [];
  const add = (s: KeySpec) => {
    const key = trailKey(s);
    all.push({ ...s, key });
    puts.push(put(fx.s3, 'org-trail', key, 'x'));
  };
  for (const day of DAYS)
    for (const t of TIMES) {
      const time = `${day}T${t}:00Z`;
      for (const region of REGIONS) {
        for (const accountId of MEMBERS) add({ prefix: 'central', orgId: ORG, accountId, region, time, unique: `u${accountId.slice(0, 3)}${t.replace(':', '')}` });
        // The management account's own tree, next to the organization's (both land in one bucket).
        add({ prefix: 'central', accountId: MGMT, region, time });
      }
      // Digests and Insights in the same tree: not listed unless asked.
      add({ prefix: 'central', orgId: ORG, accountId: MEMBERS[0]!, region: 'us-east-1', time, folder: 'CloudTrail-Digest' });
      add({ prefix: 'central', orgId: ORG, accountId: MEMBERS[1]!, region: 'us-east-1', time, folder: 'CloudTrail-Insight' });
    }
  // Noise that is not a trail: another prefix, a README, a malformed folder.
  puts.push(put(fx.s3, 'org-trail', 'other/AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/03/x.json.gz', 'x'));
  puts.push(put(fx.s3, 'org-trail', 'central/AWSLogs/README.txt', 'x'));
  puts.push(put(fx.s3, 'org-trail', 'central/AWSLogs/not-an-account/CloudTrail/us-east-1/2026/01/03/x.json.gz', 'x'));
  await Promise.all(puts);
});
after(() => fx.stop());

async function collect(it: AsyncIterable<TrailKey>): Promise<TrailKey[]> {
  const out: TrailKey[] = [];
  for await (const k of it) out.push(k);
  return out;
}

const SINCE = '2026-01-02T11:50:00Z';
const UNTIL = '2026-01-04T12:00:00Z';
const inRange = (s: KeySpec) => {
  const t = new Date(s.time).getTime();
  return t >= Date.parse(SINCE) && t < Date.parse(UNTIL);
};

test('org trail: every account and region, exactly the files delivered in [since, until)', async () => {
  const stats = { listRequests: 0 };
  const got = await collect(listTrailKeys(fx.s3, { bucket: 'org-trail', prefix: 'central', since: SINCE, until: UNTIL, stats }));
  const expected = all.filter((s) => (s.folder ?? 'CloudTrail') === 'CloudTrail' && inRange(s)).map((s) => s.key).sort();
  assert.deepEqual(got.map((k) => k.key).sort(), expected);
  // 4 accounts x 3 regions x (11:50, 12:00, 23:55 on day 2; all 5 on day 3; 3 before 12:00 on day 4)
  assert.equal(got.length, 4 * 3 * (3 + 5 + 3));
  // Keys carry their layout.
  const member = got.find((k) => k.accountId === MEMBERS[2] && k.region === 'eu-west-1');
  assert.equal(member?.orgId, ORG);
  assert.equal(member?.kind, 'events');
  assert.match(member?.regionPrefix ?? '', /^central\/AWSLogs\/o-abcdefghij\/333333333333\/CloudTrail\/eu-west-1\/$/);
  const mgmt = got.find((k) => k.accountId === MGMT);
  assert.equal(mgmt?.orgId, undefined);
  assert.ok(got.every((k) => Date.parse(k.deliveredAt) >= Date.parse(SINCE) && Date.parse(k.deliveredAt) < Date.parse(UNTIL)));
  assert.ok(got.every((k) => k.size === 1 && typeof k.etag === 'string' && !k.etag.includes('"')));
  // Cost follows the range: 1 root + 1 org + 4 region discoveries + 12 region listings (one page each).
  assert.equal(stats.listRequests, 1 + 1 + 4 + 12);
});

test('filters: accounts, regions; digests and insights only when asked', async () => {
  const got = await collect(
    listTrailKeys(fx.s3, { bucket: 'org-trail', prefix: 'central/', since: SINCE, until: UNTIL, accountIds: [MEMBERS[0]!, MEMBERS[1]!], regions: ['us-east-1'], kinds: ['events', 'digest', 'insight'] }),
  );
  const expected = all.filter((s) => [MEMBERS[0], MEMBERS[1]].includes(s.accountId) && s.region === 'us-east-1' && inRange(s)).map((s) => s.key).sort();
  assert.deepEqual(got.map((k) => k.key).sort(), expected);
  assert.equal(got.filter((k) => k.kind === 'digest').length, 11);
  assert.equal(got.filter((k) => k.kind === 'insight').length, 11);
  assert.equal(got.filter((k) => k.kind === 'events').length, 22);
});

test('resumeDay skips the days already done in a region folder', async () => {
  const listed: string[] = [];
  const got = await collect(
    listTrailKeys(fx.s3, {
      bucket: 'org-trail',
      prefix: 'central',
      since: SINCE,
      until: UNTIL,
      accountIds: [MGMT],
      resumeDay: (p) => (p.endsWith('/us-east-1/') ? '2026-01-04' : undefined),
      onRegionListed: (p) => listed.push(p),
    }),
  );
  assert.equal(got.filter((k) => k.region === 'us-east-1').length, 3);
  assert.equal(got.filter((k) => k.region === 'eu-west-1').length, 11);
  assert.equal(listed.length, 3);
});

test('single-account layout with a prefix, paginated listing over many files', async () => {
  const start = Date.parse('2026-03-01T00:00:00Z');
  const keys: string[] = [];
  for (let i = 0; i < 400; i++) keys.push(trailKey({ prefix: 'logs/prod', accountId: MGMT, region: 'eu-central-1', time: new Date(start + i * 5 * 60_000), unique: `k${i}` }));
  for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => put(fx.s3, 'single', k, 'y')));
  const since = new Date(start + 100 * 5 * 60_000 + 30_000).toISOString(); // mid-minute: rounds down to file 100
  const until = new Date(start + 350 * 5 * 60_000).toISOString(); // exclusive: file 350 is out
  const stats = { listRequests: 0 };
  const got = await collect(listTrailKeys(fx.s3, { bucket: 'single', prefix: 'logs/prod', since, until, stats, pageSize: 50 }));
  assert.deepEqual(got.map((k) => k.key).sort(), keys.slice(100, 350).sort());
  // Listing starts at file 100 (StartAfter) and stops at file 350, the first at/after until:
  // 251 keys at 50 a page = 6 pages, plus 2 discoveries. Listing from the day's start would be 8.
  assert.equal(stats.listRequests, 2 + 6);
  // The wrong prefix finds nothing; a reversed range is refused.
  assert.equal((await collect(listTrailKeys(fx.s3, { bucket: 'single', prefix: 'logs', since, until }))).length, 0);
  await assert.rejects(collect(listTrailKeys(fx.s3, { bucket: 'single', since: until, until: since })), /empty time range/);
});

test('deliveryTimeOf reads event, digest and insight names', () => {
  assert.equal(deliveryTimeOf('111122223333_CloudTrail_us-east-1_20260102T0305Z_abcDEF1234567890.json.gz'), Date.parse('2026-01-02T03:05:00Z'));
  assert.equal(deliveryTimeOf('111122223333_CloudTrail-Digest_us-east-1_my_trail_us-east-1_20260102T030512Z.json.gz'), Date.parse('2026-01-02T03:05:12Z'));
  assert.equal(deliveryTimeOf('notes.json.gz'), undefined);
});

test('mergeAsync: bounded concurrency, all items, errors propagate', async () => {
  let running = 0;
  let peak = 0;
  async function* src(n: number) {
    running++;
    peak = Math.max(peak, running);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      yield n * 10 + i;
    }
    running--;
  }
  const out: number[] = [];
  for await (const v of mergeAsync([1, 2, 3, 4, 5].map(src), 2)) out.push(v);
  assert.equal(out.length, 15);
  assert.equal(peak, 2);
  async function* bad() {
    yield 1;
    throw new Error('boom');
  }
  await assert.rejects(async () => {
    for await (const _ of mergeAsync([bad(), src(9)], 2)) void _;
  }, /boom/);
});
