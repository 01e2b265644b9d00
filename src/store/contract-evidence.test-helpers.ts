/**
 * Store contract, evidence groups: the window's calls of some actions folded per distinct call,
 * with exact counts and times and a bounded sample of event ids. Part of runStoreContract.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, T0, iso, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { insertEvents } from './testing/write.js';

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
}
