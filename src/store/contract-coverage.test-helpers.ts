/**
 * Store contract, coverage: the hours a store holds an account's trail for, per region, written
 * with the file's events (delivery key) or from the events themselves (no delivery layout).
 * Part of runStoreContract (./contract.test-helpers.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, T0, fileRecord, iso, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { commitFile, insertEvents } from './testing/write.js';

const ACCT = '222233334444';
const key = (region: string, stamp: string) =>
  `AWSLogs/o-abcdefghij/${ACCT}/CloudTrail/${region}/${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}/${ACCT}_CloudTrail_${region}_${stamp}Z_abcDEF123.json.gz`;

export function coverageContract({ open }: ContractContext): void {
  describe('coverage', () => {
    it('a delivery file covers its account, region and delivery hour, whatever its events say', async () => {
      const s = await open();
      // The event is hours older than the delivery (a late event): only the delivery hour counts.
      await commitFile(s.events, fileRecord(key('eu-west-1', '20260301T1005')), [makeEvent({ t: T0 + 2 * HOUR })]);
      await commitFile(s.events, fileRecord(key('eu-west-1', '20260301T1155')), [makeEvent({ t: T0 + 11 * HOUR + 50 * 60_000 })]);
      await commitFile(s.events, fileRecord(key('us-east-1', '20260301T1000')), []);
      assert.deepEqual(await s.coverage.runs({ accountId: ACCT }), [
        { accountId: ACCT, region: 'eu-west-1', start: iso(T0 + 10 * HOUR), end: iso(T0 + 12 * HOUR), files: 2, events: 2 },
        { accountId: ACCT, region: 'us-east-1', start: iso(T0 + 10 * HOUR), end: iso(T0 + 11 * HOUR), files: 1, events: 0 },
      ]);
      assert.deepEqual(await s.coverage.regions({ accountId: ACCT }), [
        { accountId: ACCT, region: 'eu-west-1', first: iso(T0 + 10 * HOUR), last: iso(T0 + 12 * HOUR) },
        { accountId: ACCT, region: 'us-east-1', first: iso(T0 + 10 * HOUR), last: iso(T0 + 11 * HOUR) },
      ]);
    });

    it('events without a delivery key cover their own hours, per recipient account and region', async () => {
      const s = await open();
      await commitFile(s.events, fileRecord('exports/lookup-events.json'), [
        makeEvent({ t: T0 + 5 * 60_000 }),
        makeEvent({ t: T0 + 30 * 60_000 }),
        makeEvent({ t: T0 + 3 * HOUR }),
      ]);
      await insertEvents(s.events, [makeEvent({ t: T0 + 4 * HOUR })]);
      const runs = await s.coverage.runs();
      assert.deepEqual(
        runs.map((r) => [r.accountId, r.region, r.start, r.end, r.events]),
        [
          ['111111111111', 'eu-west-1', iso(T0), iso(T0 + HOUR), 2],
          ['111111111111', 'eu-west-1', iso(T0 + 3 * HOUR), iso(T0 + 5 * HOUR), 2],
        ],
      );
    });

    it('runs are limited to the hours a range touches; add marks whole ranges, idempotently for the hours', async () => {
      const s = await open();
      const range = { accountId: ACCT, region: 'us-east-1', since: iso(T0), until: iso(T0 + 48 * HOUR) };
      await s.coverage.add([range]);
      await s.coverage.add([range]);
      assert.deepEqual(
        (await s.coverage.runs({ since: iso(T0 + 10 * HOUR + 30 * 60_000), until: iso(T0 + 20 * HOUR) })).map((r) => [r.start, r.end]),
        [[iso(T0 + 10 * HOUR), iso(T0 + 20 * HOUR)]],
      );
      assert.equal((await s.coverage.runs({ accountId: '999999999999' })).length, 0);
      assert.deepEqual(await s.coverage.regions(), [{ accountId: ACCT, region: 'us-east-1', first: iso(T0), last: iso(T0 + 48 * HOUR) }]);
    });

    it('a failed or skipped file proves nothing', async () => {
      const s = await open();
      await commitFile(s.events, fileRecord(key('eu-west-1', '20260301T0300'), { status: 'failed', error: 'corrupt' }), []);
      await commitFile(s.events, fileRecord(key('eu-west-1', '20260301T0400'), { status: 'skipped' }), []);
      assert.deepEqual(await s.coverage.runs(), []);
    });

    it('a commit that fails leaves no coverage behind', async () => {
      const s = await open();
      const good = makeEvent({ t: T0 });
      const bad = { ...makeEvent({ t: T0 + HOUR }), eventTime: 'not a time' };
      await assert.rejects(commitFile(s.events, fileRecord(key('eu-west-1', '20260301T0100')), [good, bad]));
      assert.deepEqual(await s.coverage.runs(), []);
    });
  });
}
