/** What the PostgreSQL store does beyond the shared contract: concurrency, partitions, migrations, text it cannot store as is. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStore } from '../index.js';
import type { Store } from '../types.js';
import { syntheticEvents } from '../testing/fixtures.js';
import { fileRecord, makeEvent, HOUR, T0 } from '../contract-support.test-helpers.js';
import { TestDatabases, unreachableReason } from './test-server.test-helpers.js';
import { commitFile, insertEvents } from '../testing/write.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  await databases.dropAll();
});
const open = async (url: string) => {
  const s = await openStore(url);
  stores.push(s);
  return s;
};

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The distinct days of a daily table, counted from firstDay. */
async function daysIn(url: string, table: string, firstDay: number): Promise<number[]> {
  return (await sql<{ d: number }>(url, `SELECT DISTINCT day - $1 AS d FROM ${table} ORDER BY d`, [firstDay])).map((r) => Number(r.d));
}

/** Makes every insert into a daily table of this day fail as a full disk would, until healInserts. */
function failInsertsOfDay(url: string, table: string, day: number): Promise<unknown> {
  return sql(
    url,
    `CREATE FUNCTION fail_day() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.day = ${day} THEN RAISE EXCEPTION 'could not extend file: No space left on device'; END IF; RETURN NEW; END $$;
     CREATE TRIGGER fail_day BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_day()`,
  );
}

function healInserts(url: string, table: string): Promise<unknown> {
  return sql(url, `DROP TRIGGER fail_day ON ${table}; DROP FUNCTION fail_day()`);
}

describe('postgres specifics', { skip: skip ?? false }, () => {
  it('three workers committing the same files at once store each event once; counters, usage and coverage add up', async () => {
    const url = await databases.fresh();
    const workers = [await open(url), await open(url), await open(url)];
    const events = syntheticEvents(3000, { seed: 21, principals: 30, spanMs: 10 * HOUR });
    const files = Array.from({ length: 150 }, (_, f) => ({
      file: fileRecord(`AWSLogs/111111111111/CloudTrail/eu-west-1/2026/01/01/111111111111_CloudTrail_eu-west-1_20260101T${String(f % 10).padStart(2, '0')}05Z_f${f}.json.gz`, { connector: 'sqs' }),
      events: events.slice(f * 20, f * 20 + 20),
      counters: { connector: 'sqs', accountId: '111111111111', files: 1 },
    }));
    // Each worker gets every file (SQS redelivers), in its own order and batching.
    const results = await Promise.all(
      workers.map(async (w, k) => {
        const order = k === 1 ? [...files].reverse() : k === 2 ? [...files.slice(75), ...files.slice(0, 75)] : files;
        let inserted = 0;
        for (let i = 0; i < order.length; i += 5 + k) {
          for (const r of await w.events.commit(order.slice(i, i + 5 + k), { immediate: true })) inserted += r.inserted;
        }
        return inserted;
      }),
    );
    assert.equal(results.reduce((a, b) => a + b, 0), 3000, 'each event inserted by exactly one worker');
    assert.equal((await workers[0]!.events.stats()).events, 3000);
    const [counters] = await workers[1]!.ingest.counters('sqs');
    assert.deepEqual([counters?.files, counters?.events, counters?.duplicates], [450, 3000, 6000]);
    const usage = await workers[2]!.events.usage({});
    const expected = new Map<string, number>();
    for (const e of events) for (const a of new Set(e.actions)) expected.set(`${e.principalArn}|${a}|${e.errorCode === null}`, (expected.get(`${e.principalArn}|${a}|${e.errorCode === null}`) ?? 0) + 1);
    assert.equal(usage.length, expected.size);
    for (const r of usage) assert.equal(r.count, expected.get(`${r.principalArn}|${r.action}|${r.success}`), `${r.principalArn} ${r.action}`);
    const runs = await workers[0]!.coverage.runs();
    assert.equal(runs.reduce((n, r) => n + r.files, 0), 450, 'every delivery counted, none lost to a race');
  });

  it('events go to monthly partitions created as needed (and the next month ahead); far-off times to the default one', async () => {
    const url = await databases.fresh();
    const store = await open(url);
    const jan = makeEvent({ t: Date.parse('2026-01-31T23:59:59.999Z') });
    const feb = makeEvent({ t: Date.parse('2026-02-01T00:00:00Z') });
    const apr = makeEvent({ t: Date.parse('2026-04-15T12:00:00Z') });
    const ancient = makeEvent({ t: Date.parse('1960-06-01T00:00:00Z') });
    await insertEvents(store.events, [feb, apr, ancient, jan]);
    const parts = await sql<{ part: string; n: number }>(url, 'SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM events GROUP BY 1 ORDER BY 1');
    assert.deepEqual(parts.map((p) => [p.part.replace(/^.*\./, ''), p.n]), [
      ['events_2026_01', 1],
      ['events_2026_02', 1],
      ['events_2026_04', 1],
      ['events_default', 1],
    ]);
    const all = await sql<{ name: string }>(url, "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1");
    assert.deepEqual(all.map((r) => r.name), ['events_2026_01', 'events_2026_02', 'events_2026_03', 'events_2026_04', 'events_2026_05', 'events_default']);
    assert.deepEqual((await store.events.query({})).map((e) => e.eventID), [ancient, jan, feb, apr].map((e) => e.eventID));
    // A second store (another worker) finds the partitions there and still dedups across them.
    const other = await open(url);
    assert.deepEqual(await insertEvents(other.events, [jan, apr, makeEvent({ t: Date.parse('2026-03-02T00:00:00Z') })]), { inserted: 1, duplicates: 2 });
  });

  it('text PostgreSQL cannot hold (U+0000) round-trips and still matches filters', async () => {
    const store = await open(await databases.fresh());
    const principalArn = 'arn:aws:iam::111111111111:role/nul\u0000and\uFFFFff';
    const e = makeEvent({ principalArn, sessionName: 'se\u0000ss', actions: ['s3:Get\u0000Object'], resources: ['arn:aws:s3:::b/\u0000'], errorCode: 'Denied\u0000' });
    await insertEvents(store.events, [e, makeEvent()]);
    assert.deepStrictEqual(await store.events.query({ principalArn }), [e]);
    assert.deepStrictEqual(await store.events.query({ action: 's3:Get\u0000Object' }), [e]);
    assert.deepEqual(await store.events.query({ principalArn: 'arn:aws:iam::111111111111:role/nul' }), []);
    const [row] = await store.events.usage({ principalArn });
    assert.deepEqual([row?.principalArn, row?.action, row?.sessionNames], [principalArn, 's3:Get\u0000Object', ['se\u0000ss']]);
  });

  it('detection memory noted in a commit is there for the next process, and a failed commit notes nothing', async () => {
    const url = await databases.fresh();
    const first = await open(url);
    first.detections.setCommitHook((batch, memory) => {
      for (let i = 0; i < batch.size; i++) memory.note('seen', batch.light(i).eventID, Date.parse(batch.light(i).eventTime), 'first');
      return { detections: [], changes: [] };
    });
    const a = makeEvent({ eventID: 'mem-a', t: T0 });
    await insertEvents(first.events, [a]);
    await assert.rejects(commitFile(first.events, fileRecord(null as unknown as string), [makeEvent({ eventID: 'mem-b' })]));
    const second = await open(url);
    const got: unknown[] = [];
    second.detections.setCommitHook((batch, memory) => {
      got.push(memory.get('seen', 'mem-a'), memory.get('seen', 'mem-b') ?? null);
      return { detections: [], changes: [] };
    });
    await insertEvents(second.events, [makeEvent()]);
    assert.deepEqual(got, [{ firstMs: T0, lastMs: T0, value: 'first' }, null]);
  });

  it('close waits for commits still grouping or under way: none is lost or fails', async () => {
    const url = await databases.fresh();
    const store = await openStore(url);
    const events = syntheticEvents(300, { seed: 8 });
    // commitFile groups calls for a few milliseconds before committing: close comes meanwhile.
    const pending = [0, 100, 200].map((i) => commitFile(store.events, fileRecord(`late/${i}`), events.slice(i, i + 100)));
    await store.close();
    assert.deepEqual(await Promise.all(pending), [0, 1, 2].map(() => ({ inserted: 100, duplicates: 0 })));
    const again = await open(url);
    assert.equal((await again.events.stats()).events, 300);
  });

  it('migrations: reopening applies nothing; a database of a newer trailscope is refused', async () => {
    const url = await databases.fresh();
    await (await openStore(url)).close();
    const before = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM schema_migrations');
    await (await openStore(url)).close();
    assert.deepEqual(await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM schema_migrations'), before);
    await sql(url, "INSERT INTO schema_migrations (area, version) VALUES ('events', 99)");
    await assert.rejects(openStore(url), /area "events" is version 99, newer than this trailscope knows.*upgrade trailscope/);
  });

  it('rebuilds the evidence summary a week at a time, and a newly asked action keeps the rows until their day is rebuilt', async () => {
    const url = await databases.fresh();
    const store = await open(url);
    const DAY = 24 * HOUR;
    const firstDay = Math.floor(T0 / DAY);
    const call = (d: number, action: string) =>
      makeEvent({ t: T0 + d * DAY + 3 * HOUR, principalArn: 'arn:aws:iam::111111111111:user/dev', eventSource: 'iam.amazonaws.com', eventName: action.slice(4), actions: [action] });
    await insertEvents(store.events, Array.from({ length: 10 }, (_, d) => [call(d, 'iam:PassRole'), call(d, 'iam:CreateAccessKey')]).flat());
    const whole = { since: new Date(T0).toISOString(), until: new Date(T0 + 10 * DAY).toISOString() };
    const days = (table: string) => daysIn(url, table, firstDay);
    const failDay = (d: number) => failInsertsOfDay(url, 'evidence_daily', firstDay + d);
    const healed = () => healInserts(url, 'evidence_daily');

    await failDay(8);
    await assert.rejects(store.events.evidenceGroups({ ...whole, anyAction: ['iam:PassRole'] }), /No space left/);
    assert.deepEqual(await days('evidence_daily'), [0, 1, 2, 3, 4, 5, 6], 'the first week is kept');
    assert.deepEqual(await days('evidence_daily_dirty'), [7, 8, 9]);
    await healed();
    const passRole = await store.events.evidenceGroups({ ...whole, anyAction: ['iam:PassRole'] });
    assert.equal(passRole.reduce((n, g) => n + g.count, 0), 10);
    assert.deepEqual(await days('evidence_daily_dirty'), []);

    const rows = () => sql(url, 'SELECT day, api, n, first_samples FROM evidence_daily ORDER BY day, api');
    const before = await rows();
    await failDay(1);
    await assert.rejects(store.events.evidenceGroups({ ...whole, anyAction: ['iam:CreateAccessKey'] }), /No space left/);
    assert.deepEqual(await rows(), before, 'the PassRole rows stay while their days wait for the rebuild');
    assert.deepEqual(await days('evidence_daily_dirty'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await healed();
    const both = await store.events.evidenceGroups({ ...whole, anyAction: ['iam:CreateAccessKey'] });
    assert.equal(both.reduce((n, g) => n + g.count, 0), 10);
    assert.equal((await rows()).length, 20);
  });
  it('rolls usage up into days a week at a time, keeping the weeks done when a later one fails', async () => {
    const url = await databases.fresh();
    const store = await open(url);
    const DAY = 24 * HOUR;
    const firstDay = Math.floor(T0 / DAY);
    const call = (d: number) =>
      makeEvent({ t: T0 + d * DAY + 3 * HOUR, principalArn: 'arn:aws:iam::111111111111:user/dev', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', actions: ['iam:ListUsers'] });
    await insertEvents(store.events, Array.from({ length: 10 }, (_, d) => [call(d), call(d)]).flat());
    const whole = { since: new Date(firstDay * DAY).toISOString(), until: new Date((firstDay + 11) * DAY).toISOString() };
    const days = (table: string) => daysIn(url, table, firstDay);
    await failInsertsOfDay(url, 'usage_daily', firstDay + 8);
    await assert.rejects(store.events.usage(whole), /No space left/);
    assert.deepEqual(await days('usage_daily'), [0, 1, 2, 3, 4, 5, 6], 'the first week is kept');
    assert.deepEqual(await days('usage_daily_dirty'), [7, 8, 9]);
    await healInserts(url, 'usage_daily');
    const rows = await store.events.usage(whole);
    assert.deepEqual(rows.map((r) => [r.action, r.count]), [['iam:ListUsers', 20]]);
    assert.deepEqual(await days('usage_daily'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(await days('usage_daily_dirty'), []);
  });
  it('a group whose transaction fails while each of its files commits alone loses nothing and is recorded as a problem', async () => {
    const url = await databases.fresh();
    const store = await open(url);
    const at = '2025-01-01T00:00:00.000Z';
    await store.connectors.put({ name: 'org', enabled: true, externalId: 'ext-org', settings: { type: 'account', bucket: 'org-trail' }, createdAt: at, updatedAt: at });
    // One statement storing two files' records fails; one file's alone goes through: what a bug
    // in merging a group would look like from outside.
    await sql(
      url,
      `CREATE FUNCTION one_file_at_a_time() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF (SELECT count(*) FROM added) > 1 THEN RAISE EXCEPTION 'merged group rejected'; END IF; RETURN NULL; END $$;
       CREATE TRIGGER one_file_at_a_time AFTER INSERT ON files REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION one_file_at_a_time()`,
    );
    const first = [makeEvent({ t: T0 }), makeEvent({ t: T0 + 1000 })];
    const second = [makeEvent({ t: T0 + 2000 })];
    const results = await Promise.all([
      commitFile(store.events, fileRecord('org/one.json.gz', { connector: 'org' }), first),
      commitFile(store.events, fileRecord('org/two.json.gz', { connector: 'org' }), second),
    ]);
    assert.deepEqual(results.map((r) => r.inserted), [2, 1], 'each file committed on its own');
    assert.equal((await store.events.query({})).length, 3);
    for (let waited = 0; (await store.ingest.listProblems('org')).length === 0; waited += 20) {
      assert.ok(waited < 5000, 'no problem recorded');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [problem] = await store.ingest.listProblems('org');
    assert.equal(problem!.kind, 'group-commit-failed');
    assert.match(problem!.message, /2 files failed to commit in one transaction, then each committed on its own \(nothing lost\): merged group rejected/);
  });
});

describe('postgres tests without a server', () => {
  it('are reported as skipped with the reason, never passed', () => {
    const file = fileURLToPath(new URL('./postgres.test.ts', import.meta.url));
    // Without NODE_TEST_CONTEXT the child reports in plain TAP instead of to this runner.
    const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
      env: { ...env, TRAILSCOPE_TEST_PG: 'postgres://postgres@127.0.0.1:1/postgres' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /# SKIP PostgreSQL not reachable at 127\.0\.0\.1:1: /);
    assert.match(r.stdout, /# pass 0\n/);
    assert.match(r.stdout, /# skipped 1\n/);
  });
});
