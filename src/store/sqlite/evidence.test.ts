import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../index.js';
import { T0, makeEvent } from '../contract-support.test-helpers.js';
import { insertEvents } from '../testing/write.js';
import { decodeEventId } from './codec.js';
import { msToTime } from '../encode/time.js';
import { evidenceGroups } from './evidence.js';
import { Dictionary } from './dictionary.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-evidence-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What SQL's window functions give: the reference the fold in evidence.ts must match, order included. */
function bySql(path: string, samples: number): { key: string; count: number; samples: string[] }[] {
  const db = new Database(path, { readonly: true });
  try {
    const key = 'principal, p_account, api, actions, resources, error';
    const rows = db
      .prepare(
        `SELECT ${key}, n, t, event_id FROM (
           SELECT ${key}, t, event_id,
             row_number() OVER (PARTITION BY ${key} ORDER BY t, event_id) AS first_rank,
             row_number() OVER (PARTITION BY ${key} ORDER BY t DESC, event_id DESC) AS last_rank,
             count(*) OVER (PARTITION BY ${key}) AS n
           FROM events)
         WHERE first_rank <= ${samples} OR last_rank = 1
         ORDER BY ${key}, t, event_id`,
      )
      .raw()
      .all() as unknown[][];
    const out: { key: string; count: number; samples: string[] }[] = [];
    for (const r of rows) {
      const k = JSON.stringify(r.slice(0, 6));
      const sample = `${msToTime(r[7] as number)} ${decodeEventId(r[8] as Buffer | string)}`;
      if (out.at(-1)?.key === k) out.at(-1)!.samples.push(sample);
      else out.push({ key: k, count: r[6] as number, samples: [sample] });
    }
    return out;
  } finally {
    db.close();
  }
}

describe('sqlite evidence groups', () => {
  it('match SQL ordering by (t, event_id) with ties in time, text ids beside UUIDs and rows stored out of order', async () => {
    const path = join(dir, 'ties', 'store.db');
    const store = await openStore(path);
    const callers = ['arn:aws:iam::111111111111:user/a', 'arn:aws:iam::111111111111:user/b', null];
    const events = [];
    for (let i = 0; i < 120; i++) {
      const id = i % 7 === 0 ? `derived-${(i * 7919) % 1000}` : `${((i * 2654435761) % 0xffffffff).toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
      events.push(
        makeEvent({
          // many calls share a second: the order then rests on the event id
          t: T0 + Math.floor(i / 9) * 1000,
          eventID: id,
          principalArn: callers[i % 3]!,
          principalAccountId: callers[i % 3] ? '111111111111' : '222222222222',
          eventSource: 'iam.amazonaws.com',
          eventName: 'AttachUserPolicy',
          actions: ['iam:AttachUserPolicy'],
          resources: ['arn:aws:iam::111111111111:user/a'],
          errorCode: i % 5 === 0 ? 'AccessDenied' : null,
        }),
      );
    }
    // stored newest first and shuffled in blocks, as backfills deliver them
    await insertEvents(store.events, [...events.slice(60).reverse(), ...events.slice(0, 60)]);
    for (const samples of [3, 20]) {
      const groups = await store.events.evidenceGroups({ anyAction: ['iam:AttachUserPolicy'], samples });
      const expected = bySql(path, samples);
      assert.equal(groups.length, expected.length);
      assert.ok(groups.length >= 4, 'several groups');
      groups.forEach((g, i) => {
        assert.equal(g.count, expected[i]!.count);
        assert.deepEqual(
          g.samples.map((s) => `${s.eventTime} ${s.eventID}`),
          expected[i]!.samples,
        );
        assert.equal(g.firstTime, g.samples[0]!.eventTime);
        assert.equal(g.lastTime, g.samples.at(-1)!.eventTime);
      });
    }
    await store.close();
  });
});

describe('sqlite evidence groups without write access', () => {
  it('a database that cannot be written (days waiting for their summary) scans the events and gives the same groups', async () => {
    const path = join(dir, 'query-only', 'store.db');
    const store = await openStore(path);
    const events = Array.from({ length: 90 }, (_, i) =>
      makeEvent({
        t: T0 + i * 3_000_000,
        principalArn: `arn:aws:iam::111111111111:user/u${i % 4}`,
        eventSource: 'iam.amazonaws.com',
        eventName: 'PassRole',
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::111111111111:role/r'],
      }),
    );
    await insertEvents(store.events, events);
    await store.close();
    const q = { since: msToTime(T0 + 7_200_000), until: msToTime(T0 + 200_000_000), anyAction: ['iam:PassRole'] };
    const db = new Database(path);
    db.pragma('query_only = ON');
    const scanned = await evidenceGroups(db, new Dictionary(db), q);
    assert.equal(db.prepare('SELECT count(*) FROM evidence_daily').pluck().get(), 0, 'nothing could be summarised');
    db.close();
    const reopened = await openStore(path);
    const summarised = await reopened.events.evidenceGroups(q);
    await reopened.close();
    const check = new Database(path, { readonly: true });
    assert.ok((check.prepare('SELECT count(*) FROM evidence_daily').pluck().get() as number) > 0, 'the writable store summarised the days');
    check.close();
    assert.equal(scanned.length, 4);
    assert.deepEqual(scanned, summarised);
  });
});
