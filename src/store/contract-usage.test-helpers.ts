/**
 * Store contract, usage: per-principal and per-action aggregates against a brute-force count,
 * and principals' first and last activity. Part of runStoreContract (./contract.test-helpers.ts).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../model/index.js';
import type { UsageRow } from './types.js';
import { syntheticEvents } from './testing/fixtures.js';
import { HOUR, MIN, T0, iso, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { insertEvents } from './testing/write.js';

/** Usage computed the slow obvious way from the events themselves, for comparison. */
function bruteUsage(events: NormalizedEvent[], since?: number, until?: number): Map<string, { count: number; first: string; last: string; ids: Set<string> }> {
  const out = new Map<string, { count: number; first: string; last: string; ids: Set<string> }>();
  for (const e of events) {
    const t = Date.parse(e.eventTime);
    if (since !== undefined && t < since) continue;
    if (until !== undefined && t >= until) continue;
    if (!e.principalArn) continue;
    for (const a of new Set(e.actions)) {
      const key = `${e.principalArn}|${a}|${e.errorCode === null}`;
      const g = out.get(key) ?? { count: 0, first: e.eventTime, last: e.eventTime, ids: new Set<string>() };
      g.count++;
      if (Date.parse(e.eventTime) < Date.parse(g.first)) g.first = e.eventTime;
      if (Date.parse(e.eventTime) > Date.parse(g.last)) g.last = e.eventTime;
      g.ids.add(e.eventID);
      out.set(key, g);
    }
  }
  return out;
}

function usageKey(r: UsageRow): string {
  return `${r.principalArn}|${r.action}|${r.success}`;
}

export function usageContract({ open }: ContractContext): void {
  it('aggregates usage per principal and action, success and failure apart, with samples and sessions', async () => {
    const store = await open();
    const p = 'arn:aws:iam::111111111111:role/deploy';
    const evs = [
      makeEvent({ t: T0 + 10 * MIN, principalArn: p, sessionName: 'alice', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b1/x'] }),
      makeEvent({ t: T0 + 20 * MIN, principalArn: p, sessionName: 'bob', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b2/y'] }),
      makeEvent({ t: T0 + 2 * HOUR, principalArn: p, sessionName: 'alice', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b1/x'], errorCode: 'AccessDenied' }),
      makeEvent({ t: T0 + 3 * HOUR, principalArn: p, sessionName: null, actions: ['ec2:RunInstances', 'iam:PassRole'], resources: [] }),
      makeEvent({ t: T0 + 4 * HOUR, principalArn: 'arn:aws:iam::111111111111:user/other', actions: ['s3:GetObject'] }),
    ];
    await insertEvents(store.events, evs.slice(0, 2));
    await insertEvents(store.events, evs.slice(2));
    const rows = await store.events.usage({ principalArn: p });
    const find = (action: string, success: boolean) => rows.find((r) => r.action === action && r.success === success);
    assert.equal(rows.length, 4);
    const ok = find('s3:GetObject', true)!;
    assert.equal(ok.count, 2);
    assert.equal(ok.firstSeen, evs[0]!.eventTime);
    assert.equal(ok.lastSeen, evs[1]!.eventTime);
    assert.equal(ok.principalAccountId, '111111111111');
    assert.equal(ok.resource, null);
    // Evidence: the latest event comes first; every sample is one of the row's events.
    assert.equal(ok.sampleEventIds[0], evs[1]!.eventID);
    for (const id of ok.sampleEventIds) assert.ok([evs[0]!.eventID, evs[1]!.eventID].includes(id));
    assert.deepEqual(ok.sessionNames, ['alice', 'bob']);
    const failed = find('s3:GetObject', false)!;
    assert.equal(failed.count, 1);
    assert.deepEqual(failed.sampleEventIds, [evs[2]!.eventID]);
    assert.equal(find('iam:PassRole', true)!.count, 1);
    assert.equal(find('ec2:RunInstances', true)!.count, 1);
    // Windows are exact, not rounded to hours: [T0+15m, T0+2h) holds only evs[1].
    const windowed = await store.events.usage({ principalArn: p, since: iso(T0 + 15 * MIN), until: iso(T0 + 2 * HOUR) });
    assert.deepEqual(
      windowed.map((r) => [r.action, r.success, r.count, r.sampleEventIds]),
      [['s3:GetObject', true, 1, [evs[1]!.eventID]]],
    );
    // Per resource.
    const byRes = await store.events.usage({ principalArn: p, byResource: true });
    const res = byRes.filter((r) => r.action === 's3:GetObject' && r.success).map((r) => [r.resource, r.count]);
    assert.deepEqual(res, [
      ['arn:aws:s3:::b1/x', 1],
      ['arn:aws:s3:::b2/y', 1],
    ]);
    // Account filter is the principal's account.
    assert.equal((await store.events.usage({ principalAccountId: '111111111111' })).length, 5);
    assert.deepEqual(await store.events.usage({ principalAccountId: '999999999999' }), []);
  });

  it('samples are the newest events of the window, across days with one event each', async () => {
    const store = await open();
    const p = 'arn:aws:iam::111111111111:role/daily';
    // one call a day for six days, then a window of whole days: the daily rollup answers it
    const evs = Array.from({ length: 6 }, (_, d) => makeEvent({ t: T0 + d * 24 * HOUR + 5 * HOUR, principalArn: p, actions: ['s3:ListBucket'] }));
    await insertEvents(store.events, evs);
    const [row] = await store.events.usage({ principalArn: p, since: iso(T0), until: iso(T0 + 7 * 24 * HOUR) });
    assert.equal(row!.count, 6);
    assert.deepEqual(row!.sampleEventIds, [evs[5]!.eventID, evs[4]!.eventID, evs[3]!.eventID]);
  });

  it('usage over any window equals a brute-force count over the events', async () => {
    const store = await open();
    const events = syntheticEvents(3000, { seed: 11, spanMs: 3 * 86_400_000, principals: 25 });
    for (let i = 0; i < events.length; i += 300) await insertEvents(store.events, events.slice(i, i + 300));
    const start = Date.parse(events[0]!.eventTime);
    const windows: [number | undefined, number | undefined][] = [
      [undefined, undefined],
      [start + 90 * MIN + 1234, undefined],
      [undefined, start + 30 * HOUR + 17 * MIN],
      [start + 5 * HOUR + 59 * MIN, start + 6 * HOUR + MIN],
      [start + 13 * MIN, start + 40 * MIN],
      [start + 7 * HOUR, start + 50 * HOUR],
    ];
    for (const [since, until] of windows) {
      const rows = await store.events.usage({ since: since === undefined ? undefined : iso(since), until: until === undefined ? undefined : iso(until) });
      const expected = bruteUsage(events, since, until);
      assert.equal(rows.length, expected.size, `rows for window ${since}..${until}`);
      for (const r of rows) {
        const e = expected.get(usageKey(r));
        assert.ok(e, `unexpected row ${usageKey(r)}`);
        assert.equal(r.count, e.count, usageKey(r));
        assert.equal(r.firstSeen, e.first);
        assert.equal(r.lastSeen, e.last);
        assert.ok(r.sampleEventIds.length >= 1 && r.sampleEventIds.length <= 3);
        for (const id of r.sampleEventIds) assert.ok(e.ids.has(id), 'samples are events of the row');
      }
    }
  });

  it('lists principals with first activity and last successful activity', async () => {
    const store = await open();
    const p = 'arn:aws:iam::111111111111:role/p';
    const q = 'arn:aws:iam::222222222222:user/q';
    await insertEvents(store.events, [
      makeEvent({ t: T0, principalArn: p }),
      makeEvent({ t: T0 + 5 * HOUR + 30 * MIN, principalArn: p, actions: [] }),
      makeEvent({ t: T0 + 6 * HOUR, principalArn: p, errorCode: 'AccessDenied' }),
      makeEvent({ t: T0 + HOUR, principalArn: q, principalAccountId: '222222222222', identityType: 'IAMUser', errorCode: 'AccessDenied' }),
    ]);
    const all = await store.events.principals({});
    assert.deepEqual(all, [
      { principalArn: p, principalAccountId: '111111111111', identityType: 'AssumedRole', firstSeen: iso(T0), lastSeen: iso(T0 + 5 * HOUR + 30 * MIN) },
      { principalArn: q, principalAccountId: '222222222222', identityType: 'IAMUser', firstSeen: iso(T0 + HOUR), lastSeen: null },
    ]);
    const before = await store.events.principals({ until: iso(T0 + 5 * HOUR + 30 * MIN) });
    assert.equal(before.find((r) => r.principalArn === p)!.lastSeen, iso(T0));
    assert.deepEqual(
      (await store.events.principals({ until: iso(T0 + 30 * MIN) })).map((r) => r.principalArn),
      [p],
    );
    assert.deepEqual(
      (await store.events.principals({ principalAccountId: '222222222222' })).map((r) => r.principalArn),
      [q],
    );
  });
}
