/**
 * Store contract, retention: old events go (with their raw records), what the analysis reads
 * instead of events stays (usage with its lastSeen, principals, coverage, detections), and the
 * store takes events of an emptied month again. Part of runStoreContract (./contract.test-helpers.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../model/index.js';
import { HOUR, MIN, fileRecord, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { commitFile, insertEvents } from './testing/write.js';

const DAY = 24 * HOUR;
/** Months apart, so PostgreSQL has whole partitions to empty and one to cut. */
const OLD = Date.parse('2025-11-10T08:00:00Z');
const CUTOFF = Date.parse('2026-01-15T00:00:00Z');
const ACCT = '111111111111';
const deliveryKey = (ms: number) => {
  const d = new Date(ms).toISOString();
  const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}`;
  return `AWSLogs/${ACCT}/CloudTrail/eu-west-1/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${ACCT}_CloudTrail_eu-west-1_${stamp}Z_retain.json.gz`;
};

export function retentionContract({ open }: ContractContext): void {
  describe('retention', () => {
    it('removes events before the cutoff; usage keeps the used action with its lastSeen, coverage and detections stay', async () => {
      const s = await open();
      const oldRole = 'arn:aws:iam::111111111111:role/retired-job';
      const liveRole = 'arn:aws:iam::111111111111:role/app';
      const old: NormalizedEvent[] = [];
      // Three old months: November and December whole, January up to the cutoff day.
      for (let i = 0; i < 30; i++) {
        old.push(makeEvent({ t: OLD + i * 2 * DAY + i * MIN, principalArn: oldRole, actions: ['iam:CreateUser'], eventName: 'CreateUser', eventSource: 'iam.amazonaws.com' }));
      }
      const recent: NormalizedEvent[] = [];
      for (let i = 0; i < 20; i++) recent.push(makeEvent({ t: CUTOFF + i * HOUR + 7 * MIN, principalArn: liveRole, actions: ['s3:GetObject'] }));
      const beforeCutoff = makeEvent({ t: CUTOFF - 1, principalArn: liveRole, actions: ['s3:GetObject'] });
      // Old events arrive through files (provenance rows, coverage from delivery keys) and directly.
      await commitFile(s.events, fileRecord(deliveryKey(OLD), { eventCount: 10 }), old.slice(0, 10));
      await commitFile(s.events, fileRecord(deliveryKey(OLD + 30 * DAY), { connector: 'other', eventCount: 11 }), [...old.slice(5, 10), ...old.slice(10, 16)]);
      await insertEvents(s.events, [...old.slice(16), beforeCutoff]);
      await commitFile(s.events, fileRecord(deliveryKey(CUTOFF + HOUR), { eventCount: recent.length }), recent);
      await s.detections.put({
        detections: [{ rule: 'r', eventId: old[0]!.eventID, eventTime: old[0]!.eventTime, accountId: ACCT, resource: 'x', severity: 'high', title: 't', description: 'd', remediation: 'r', details: {}, evidence: [old[0]!.eventID] }],
        changes: [],
      });
      const usageBefore = await s.events.usage({ principalArn: oldRole });
      const coverageBefore = await s.coverage.runs();
      const sizeBefore = await s.maintenance.sizeBytes();
      assert.ok(sizeBefore > 0, 'a store with events has a size');

      const result = await s.maintenance.applyRetention(new Date(CUTOFF).toISOString());
      assert.equal(result.events, old.length + 1);
      assert.equal(result.before, new Date(CUTOFF).toISOString());

      const stats = await s.events.stats();
      assert.equal(stats.events, recent.length);
      assert.equal(stats.oldestEventTime, recent[0]!.eventTime);
      // What is left reads whole, raw records included (blocks shared with deleted rows survive).
      const kept = await s.events.query({});
      assert.deepEqual(kept.map((e) => e.eventID), recent.map((e) => e.eventID));
      assert.deepEqual(kept.map((e) => e.raw), recent.map((e) => e.raw));
      assert.equal((await s.events.query({ until: new Date(CUTOFF).toISOString() })).length, 0);

      // The retired role's use of iam:CreateUser survives its events, lastSeen included.
      const usageAfter = await s.events.usage({ principalArn: oldRole });
      assert.deepEqual(usageAfter, usageBefore);
      const used = usageAfter.find((r) => r.action === 'iam:CreateUser' && r.success)!;
      assert.equal(used.lastSeen, old[old.length - 1]!.eventTime);
      assert.equal(used.count, old.length);
      const principal = (await s.events.principals({})).find((p) => p.principalArn === oldRole);
      assert.equal(principal?.lastSeen, old[old.length - 1]!.eventTime);
      assert.deepEqual(await s.coverage.runs(), coverageBefore);
      assert.equal((await s.detections.list()).length, 1);

      assert.equal((await s.maintenance.applyRetention(new Date(CUTOFF).toISOString())).events, 0, 'a second pass finds nothing');
    });

    it('takes a late event of an emptied month again, and a later pass removes it', async () => {
      const s = await open();
      const a = makeEvent({ t: OLD });
      const b = makeEvent({ t: CUTOFF + HOUR });
      await insertEvents(s.events, [a, b]);
      await s.maintenance.applyRetention(new Date(CUTOFF).toISOString());
      const late = makeEvent({ t: OLD + HOUR });
      assert.equal((await insertEvents(s.events, [late])).inserted, 1);
      assert.deepEqual((await s.events.query({})).map((e) => e.eventID), [late.eventID, b.eventID]);
      assert.equal((await s.maintenance.applyRetention(new Date(CUTOFF).toISOString())).events, 1);
      assert.deepEqual((await s.events.query({})).map((e) => e.eventID), [b.eventID]);
    });

    it('removes nothing when every event is newer than the cutoff', async () => {
      const s = await open();
      await insertEvents(s.events, [makeEvent({ t: CUTOFF + HOUR }), makeEvent({ t: CUTOFF + 2 * HOUR })]);
      const r = await s.maintenance.applyRetention(new Date(CUTOFF).toISOString());
      assert.deepEqual({ events: r.events, partitions: r.partitions }, { events: 0, partitions: 0 });
      assert.equal((await s.events.stats()).events, 2);
    });
  });
}
