/**
 * Store contract, evidence groups: the window's calls of some actions folded per distinct call,
 * with exact counts and times and a bounded sample of event ids. Part of runStoreContract.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, T0, iso, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { insertEvents } from './testing/write.js';
import type { NormalizedEvent } from '../model/index.js';
import type { EvidenceGroup } from './types-evidence.js';

const USER = 'arn:aws:iam::111111111111:user/dev';
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ROLE = 'arn:aws:iam::111111111111:role/admin';

export function evidenceContract({ open }: ContractContext): void {
  it('evidenceGroups folds identical calls: exact count and times, the first ids in time order and the last', async () => {
    const store = await open();
    const attach = (i: number, errorCode: string | null = null) =>
      makeEvent({
        t: T0 + i * 60_000,
        principalArn: USER,
        eventSource: 'iam.amazonaws.com',
        eventName: 'AttachUserPolicy',
        actions: ['iam:AttachUserPolicy'],
        resources: [USER, ADMIN_POLICY],
        errorCode,
      });
    const ok = Array.from({ length: 25 }, (_, i) => attach(i + 1));
    const denied = [attach(30, 'AccessDenied'), attach(31, 'AccessDenied')];
    const crossAccount = makeEvent({
      t: T0 + 40 * 60_000,
      principalArn: null,
      principalAccountId: '222222222222',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      actions: ['sts:AssumeRole'],
      resources: [ROLE],
    });
    const unrelated = makeEvent({ t: T0 + 41 * 60_000, principalArn: USER });
    const late = attach(24 * 60);
    // stored out of time order, as backfills deliver them
    await insertEvents(store.events, [...ok.slice(10), late, unrelated, crossAccount, ...denied, ...ok.slice(0, 10)]);

    const q = { since: iso(T0), until: iso(T0 + 2 * HOUR), anyAction: ['iam:AttachUserPolicy', 'sts:AssumeRole'] };
    const groups = await store.events.evidenceGroups(q);
    assert.equal(groups.length, 3);
    const find = (pred: (g: (typeof groups)[number]) => boolean) => {
      const g = groups.find(pred);
      assert.ok(g, 'group missing');
      return g;
    };
    const succeeded = find((g) => g.principalArn === USER && g.errorCode === null);
    assert.equal(succeeded.count, 25);
    assert.equal(succeeded.eventSource, 'iam.amazonaws.com');
    assert.deepEqual(succeeded.actions, ['iam:AttachUserPolicy']);
    assert.deepEqual([...succeeded.resources].sort(), [ADMIN_POLICY, USER].sort());
    assert.equal(succeeded.firstTime, ok[0]!.eventTime);
    assert.equal(succeeded.lastTime, ok[24]!.eventTime);
    assert.deepEqual(
      succeeded.samples.map((s) => s.eventID),
      [...ok.slice(0, 20), ok[24]!].map((e) => e.eventID),
    );
    assert.deepEqual(succeeded.samples[0], { eventID: ok[0]!.eventID, eventTime: ok[0]!.eventTime });
    const failed = find((g) => g.errorCode === 'AccessDenied');
    assert.equal(failed.count, 2);
    assert.deepEqual(
      failed.samples.map((s) => s.eventID),
      denied.map((e) => e.eventID),
    );
    const other = find((g) => g.principalArn === null);
    assert.equal(other.principalAccountId, '222222222222');
    assert.deepEqual(other.resources, [ROLE]);

    const fewer = await store.events.evidenceGroups({ ...q, samples: 3 });
    const small = fewer.find((g) => g.principalArn === USER && g.errorCode === null)!;
    assert.equal(small.count, 25);
    assert.deepEqual(
      small.samples.map((s) => s.eventID),
      [ok[0]!, ok[1]!, ok[2]!, ok[24]!].map((e) => e.eventID),
    );
    // the window bounds the groups: the late call is its own count
    const whole = await store.events.evidenceGroups({ anyAction: ['iam:AttachUserPolicy'] });
    assert.equal(whole.find((g) => g.errorCode === null)!.count, 26);
    assert.deepEqual(await store.events.evidenceGroups({ ...q, anyAction: ['iam:NeverCalled'] }), []);
  });

  it('evidenceGroups over days: windows cutting days, calls added to summarised days, a newly asked action and retention all give the fold of the window', async () => {
    const store = await open();
    const users = [USER, 'arn:aws:iam::111111111111:user/ops'];
    const call = (t: number, i: number, eventName = 'AttachUserPolicy') =>
      makeEvent({
        t,
        principalArn: users[i % 2]!,
        eventSource: 'iam.amazonaws.com',
        eventName,
        actions: [`iam:${eventName}`],
        resources: [USER, ADMIN_POLICY],
        errorCode: i % 3 === 0 ? 'AccessDenied' : null,
      });
    // every 50 minutes for four days, a PassRole every 7th call, an unrelated event every 5th
    const stored: NormalizedEvent[] = [];
    for (let i = 0; i < 4 * 24 * 60; i += 50) {
      stored.push(call(T0 + i * 60_000, i / 50, (i / 50) % 7 === 0 ? 'PassRole' : 'AttachUserPolicy'));
      if ((i / 50) % 5 === 0) stored.push(makeEvent({ t: T0 + i * 60_000 + 1000, principalArn: USER }));
    }
    await insertEvents(store.events, stored);
    const windows: { since?: number; until?: number }[] = [
      {},
      { since: T0 + 7 * HOUR, until: T0 + 70 * HOUR },
      { since: T0 + 26 * HOUR, until: T0 + 30 * HOUR },
      { since: T0 + 24 * HOUR, until: T0 + 72 * HOUR },
      { since: T0 - 24 * HOUR, until: T0 + 49 * HOUR + 1 },
      { since: T0 + 95 * HOUR },
    ];
    const check = async (anyAction: string[], label: string) => {
      let holding = 0;
      for (const w of windows) {
        for (const samples of [2, 20]) {
          const q = { since: w.since === undefined ? undefined : iso(w.since), until: w.until === undefined ? undefined : iso(w.until), anyAction, samples };
          const got = await store.events.evidenceGroups(q);
          const want = referenceGroups(stored, q);
          if (want.length > 0) holding++;
          assert.deepEqual(canonical(got), canonical(want), `${label}, window ${JSON.stringify(w)}, ${samples} samples`);
        }
      }
      assert.ok(holding >= 6, `${label}: most windows hold calls`);
    };
    await check(['iam:AttachUserPolicy'], 'first query');
    // more calls on days already summarised, some at the very edges of a day
    const more = [call(T0 + 24 * HOUR, 1), call(T0 + 48 * HOUR - 1000, 2), call(T0 + 30 * HOUR + 1000, 3), call(T0 + 50 * HOUR, 4, 'PassRole')];
    await insertEvents(store.events, more);
    stored.push(...more);
    await check(['iam:AttachUserPolicy'], 'after more calls');
    await check(['iam:AttachUserPolicy', 'iam:PassRole'], 'a newly asked action');
    await store.maintenance.applyRetention(iso(T0 + 36 * HOUR));
    stored.splice(0, stored.length, ...stored.filter((e) => Date.parse(e.eventTime) >= T0 + 36 * HOUR));
    await check(['iam:AttachUserPolicy', 'iam:PassRole'], 'after retention');
  });
}

/** The fold evidenceGroups must give: every event of the window and actions, grouped by call. */
function referenceGroups(events: readonly NormalizedEvent[], q: { since?: string; until?: string; anyAction: string[]; samples: number }): EvidenceGroup[] {
  const groups = new Map<string, NormalizedEvent[]>();
  for (const e of events) {
    const t = Date.parse(e.eventTime);
    if (q.since !== undefined && t < Date.parse(q.since)) continue;
    if (q.until !== undefined && t >= Date.parse(q.until)) continue;
    if (!e.actions.some((a) => q.anyAction.includes(a))) continue;
    const key = JSON.stringify([e.principalArn, e.principalAccountId, e.eventSource, e.eventName, e.actions, [...e.resources].sort(), e.errorCode]);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].map((list) => {
    list.sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
    const e = list[0]!;
    const kept = list.length > q.samples + 1 ? [...list.slice(0, q.samples), list[list.length - 1]!] : list;
    return {
      principalArn: e.principalArn,
      principalAccountId: e.principalAccountId,
      eventSource: e.eventSource,
      actions: [...e.actions],
      resources: [...e.resources],
      errorCode: e.errorCode,
      count: list.length,
      firstTime: list[0]!.eventTime,
      lastTime: list[list.length - 1]!.eventTime,
      samples: kept.map((x) => ({ eventID: x.eventID, eventTime: x.eventTime })),
    };
  });
}

/** Groups in a fixed order with resource lists sorted (stores may keep another order among equal keys). */
function canonical(groups: readonly EvidenceGroup[]): EvidenceGroup[] {
  return groups
    .map((g) => ({ ...g, resources: [...g.resources].sort() }))
    .sort((a, b) => (JSON.stringify([a.principalArn, a.errorCode, a.actions, a.firstTime]) < JSON.stringify([b.principalArn, b.errorCode, b.actions, b.firstTime]) ? -1 : 1));
}
