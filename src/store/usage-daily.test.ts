/**
 * The daily usage rollup on both backends: a query over whole days reads the rollup, whose rows
 * must give what folding the hourly buckets gives (counts, first/last, the newest samples, the
 * first 20 distinct sessions in hour order), and a day changed after it was rolled up (a late
 * file) is rebuilt before the next query.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './index.js';
import type { NormalizedEvent } from '../model/index.js';
import { HOUR, MIN, T0, iso, makeEvent } from './contract-support.test-helpers.js';
import { TestDatabases, unreachableReason } from './postgres/test-server.test-helpers.js';
import { insertEvents } from './testing/write.js';

const DAY = 24 * HOUR;
const P = 'arn:aws:iam::111111111111:role/deploy';
/** One call an hour for 60 hours (two days and a half), each from a session of its own. */
const hourly: NormalizedEvent[] = Array.from({ length: 60 }, (_, h) =>
  makeEvent({ t: T0 + h * HOUR + 10 * MIN, principalArn: P, sessionName: `s${String(h).padStart(2, '0')}`, actions: ['s3:GetObject'] }),
);

function rowOf(rows: Awaited<ReturnType<Store['events']['usage']>>) {
  const r = rows.find((x) => x.principalArn === P && x.action === 's3:GetObject' && x.success);
  assert.ok(r, 'a usage row for the role');
  return r;
}

function rollupSuite(name: string, fresh: () => Promise<Store>): void {
  describe(`daily usage rollup: ${name}`, () => {
    it('gives over whole days what the hourly buckets give, and rebuilds a day a late file changed', async () => {
      const store = await fresh();
      try {
        await insertEvents(store.events, hourly);
        const whole = { since: iso(T0), until: iso(T0 + 3 * DAY) };
        const first = rowOf(await store.events.usage(whole));
        assert.equal(first.count, 60);
        assert.equal(first.firstSeen, hourly[0]!.eventTime);
        assert.equal(first.lastSeen, hourly[59]!.eventTime);
        // the newest hours' events, newest first, though they sit in the last day's rollup row
        assert.deepEqual(first.sampleEventIds, [hourly[59]!.eventID, hourly[58]!.eventID, hourly[57]!.eventID]);
        // the first 20 sessions in hour order: the first day's rollup row holds them all
        assert.deepEqual(first.sessionNames, hourly.slice(0, 20).map((e) => e.sessionName));

        // a late file for hour 1 of the first day, after that day was rolled up
        const late = makeEvent({ t: T0 + HOUR + 40 * MIN, principalArn: P, sessionName: 'late', actions: ['s3:GetObject'] });
        await insertEvents(store.events, [late]);
        const again = rowOf(await store.events.usage(whole));
        assert.equal(again.count, 61);
        assert.deepEqual(again.sessionNames, ['late', ...hourly.slice(0, 19).map((e) => e.sessionName!)].sort());

        // a window that starts and ends inside days: hours, days and events folded together
        const since = T0 + 5 * HOUR + 30 * MIN;
        const until = T0 + 2 * DAY + 3 * HOUR + 20 * MIN;
        const inside = [...hourly, late].filter((e) => Date.parse(e.eventTime) >= since && Date.parse(e.eventTime) < until);
        const partial = rowOf(await store.events.usage({ since: iso(since), until: iso(until) }));
        assert.equal(partial.count, inside.length);
        assert.equal(partial.firstSeen, hourly[6]!.eventTime);
        assert.equal(partial.lastSeen, hourly[51]!.eventTime);

        // principals: days before `until` from the rollup, the rest from hours and events
        const upTo = T0 + 2 * DAY + 5 * HOUR + 30 * MIN;
        const principal = (await store.events.principals({ until: iso(upTo) })).find((p) => p.principalArn === P);
        assert.equal(principal?.firstSeen, hourly[0]!.eventTime);
        assert.equal(principal?.lastSeen, hourly[53]!.eventTime);
      } finally {
        await store.close();
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'trailscope-usage-daily-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
rollupSuite('sqlite', () => openStore(join(dir, `store-${++files}.db`)));

const skip = await unreachableReason();
const databases = new TestDatabases();
after(() => databases.dropAll());
if (skip) it('daily usage rollup: postgres', { skip }, () => {});
else rollupSuite('postgres', async () => openStore(await databases.fresh()));
