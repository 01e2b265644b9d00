/**
 * Store contract: the backfill work table (BackfillWorkStore). Workers are separate store
 * handles on one location, as separate processes would be.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackfillScope, BackfillUnitPlan } from './types.js';
import type { ContractContext } from './contract-support.test-helpers.js';

const B = 'trail-bucket';
const F1 = 'AWSLogs/111111111111/CloudTrail/us-east-1/';
const F2 = 'AWSLogs/111111111111/CloudTrail/eu-west-1/';
const DAYS = ['2026-02-01', '2026-02-02'];
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

function unit(folder: string, day: string, over: Partial<BackfillUnitPlan> = {}): BackfillUnitPlan {
  return { connector: 'org', bucket: B, folder, accountId: '111111111111', region: folder.split('/').at(-2)!, day, fromMs: dayMs(day), untilMs: dayMs(day) + 86_400_000, ...over };
}
const all = (): BackfillUnitPlan[] => [F1, F2].flatMap((f) => DAYS.map((d) => unit(f, d)));
const scope = (over: Partial<BackfillScope> = {}): BackfillScope => ({ bucket: B, folders: [F1, F2], firstDay: DAYS[0]!, lastDay: DAYS.at(-1)!, ...over });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const none = { cursor: null, files: 0, events: 0 };

export function backfillContract({ name, h, open }: ContractContext): void {
  it(`${name}: backfill units: planning is idempotent and each unit is claimed by one worker at a time`, async () => {
    const location = await h.fresh();
    const [a, b] = [await open(location), await open(location)];
    const first = await a.backfill.plan(all());
    assert.equal(first.filter((o) => o.created).length, 4);
    const again = await b.backfill.plan(all());
    assert.deepEqual(again.map((o) => o.created), [false, false, false, false]);

    // Six claims racing from two workers for four units: four distinct units, then nothing.
    const claims = await Promise.all([a, b, a, b, a, b].map((s, i) => s.backfill.claim(scope(), `w${i % 2}`, 60_000)));
    const got = claims.filter((c) => c !== undefined);
    assert.equal(got.length, 4);
    assert.equal(new Set(got.map((c) => `${c.unit.folder}${c.unit.day}`)).size, 4);
    assert.equal(got[0]!.unit.day, '2026-02-01', 'oldest day first');
    const left = await a.backfill.remaining(scope());
    assert.deepEqual([left.pending, left.leased, left.done], [4, 4, 0]);
    assert.ok(left.nextLeaseEndMs! > left.nowMs);

    for (const c of got) assert.equal(await b.backfill.complete(c, { cursor: 'k', files: 2, events: 10 }), true);
    assert.equal(await a.backfill.claim(scope(), 'w0', 60_000), undefined);
    const units = await a.backfill.list(B);
    assert.deepEqual(units.map((u) => [u.status, u.files, u.events, u.attempts]), Array(4).fill(['done', 2, 10, 1]));
    // A done unit planned again stays done: never redone.
    await b.backfill.plan(all());
    assert.equal(await b.backfill.claim(scope(), 'w1', 60_000), undefined);
    assert.equal((await a.backfill.remaining(scope())).done, 4);
  });

  it(`${name}: backfill units: a dead worker's unit is claimed again after its lease, from its cursor; the old holder is fenced off`, async () => {
    const location = await h.fresh();
    const [a, b] = [await open(location), await open(location)];
    await a.backfill.plan([unit(F1, DAYS[0]!)]);
    const dead = (await a.backfill.claim(scope(), 'dead', 300))!;
    assert.equal(await a.backfill.renew(dead, { cursor: `${F1}2026/02/01/k2`, files: 2, events: 6 }, 300), true);
    assert.equal(await b.backfill.claim(scope(), 'alive', 60_000), undefined, 'leased');
    await sleep(700);
    const taken = (await b.backfill.claim(scope(), 'alive', 60_000))!;
    assert.ok(taken, 'claimable once the lease expired');
    assert.equal(taken.unit.cursor, `${F1}2026/02/01/k2`);
    assert.equal(taken.unit.attempts, 2);
    // The old holder wakes up: it can neither move the cursor nor finish the unit.
    assert.equal(await a.backfill.renew(dead, { cursor: `${F1}2026/02/01/k9`, files: 1, events: 1 }, 300), false);
    assert.equal(await a.backfill.complete(dead, none), false);
    await a.backfill.release(dead, { ...none, error: 'late' });
    assert.equal((await a.backfill.list(B))[0]!.claimedBy, 'alive');
    assert.equal(await b.backfill.complete(taken, { cursor: `${F1}2026/02/01/k4`, files: 2, events: 6 }), true);
    const [u] = await a.backfill.list(B);
    assert.deepEqual([u!.status, u!.cursor, u!.files, u!.events, u!.claimedBy], ['done', `${F1}2026/02/01/k4`, 4, 12, null]);
  });

  it(`${name}: backfill units: release keeps the cursor; widening reopens a done unit; an earlier start resets the cursor`, async () => {
    const store = await open();
    const day = DAYS[1]!;
    const half = unit(F2, day, { untilMs: dayMs(day) + 12 * 3_600_000 });
    await store.backfill.plan([half]);
    const c1 = (await store.backfill.claim(scope(), 'w', 60_000))!;
    await store.backfill.release(c1, { cursor: 'k1', files: 1, events: 3, error: 'socket hang up' });
    let [u] = await store.backfill.list(B);
    assert.deepEqual([u!.status, u!.cursor, u!.lastError, u!.claimedBy], ['pending', 'k1', 'socket hang up', null]);

    // A skipped unit is neither claimed nor counted.
    assert.equal(await store.backfill.claim(scope({ skip: [`${F2}${day}`] }), 'w', 60_000), undefined);
    assert.equal((await store.backfill.remaining(scope({ skip: [`${F2}${day}`] }))).pending, 0);

    const c2 = (await store.backfill.claim(scope(), 'w', 60_000))!;
    assert.equal(c2.unit.cursor, 'k1');
    assert.equal(await store.backfill.complete(c2, { cursor: 'k3', files: 2, events: 6 }), true);
    [u] = await store.backfill.list(B);
    assert.equal(u!.lastError, null);

    // The next day's run reaches the end of the day: pending again, resuming after k3.
    const [reopened] = await store.backfill.plan([unit(F2, day, { fromMs: half.fromMs + 3_600_000 })]);
    assert.deepEqual([reopened!.created, reopened!.status, reopened!.cursor], [false, 'pending', 'k3']);
    const c3 = (await store.backfill.claim(scope(), 'w', 60_000))!;
    assert.deepEqual([c3.unit.fromMs, c3.unit.untilMs, c3.unit.cursor], [half.fromMs, dayMs(day) + 86_400_000, 'k3']);

    // Widened again while c3 works (an earlier start): c3 cannot mark it done, the cursor starts over.
    await store.backfill.plan([unit(F2, day, { fromMs: half.fromMs - 60_000 })]);
    assert.equal(await store.backfill.complete(c3, { cursor: 'k9', files: 0, events: 0 }), false);
    [u] = await store.backfill.list(B);
    assert.deepEqual([u!.status, u!.cursor, u!.claimedBy], ['pending', null, null]);

    // redo: everything pending again, from the start.
    const c4 = (await store.backfill.claim(scope(), 'w', 60_000))!;
    assert.equal(await store.backfill.complete(c4, { cursor: 'k9', files: 0, events: 0 }), true);
    const [redone] = await store.backfill.plan([unit(F2, day)], { redo: true });
    assert.deepEqual([redone!.status, redone!.cursor], ['pending', null]);
  });
}
