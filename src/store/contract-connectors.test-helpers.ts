/**
 * Store contract, connectors: the stored connectors, their doctor runs, and removal of a
 * connector with every row of its own while another connector's rows stay.
 * Part of runStoreContract (./contract.test-helpers.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, T0, fileRecord, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import type { ConnectorRecord } from './types.js';
import { commitFile } from './testing/write.js';

const record = (name: string, over: Partial<ConnectorRecord> = {}): ConnectorRecord => ({
  name,
  enabled: true,
  externalId: `ext-${name}`,
  settings: { type: 'account', bucket: `${name}-trail` },
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
  ...over,
});

export function connectorsContract({ open }: ContractContext): void {
  describe('connectors', () => {
    it('put, get and list; an edit keeps the creation time', async () => {
      const s = await open();
      await s.connectors.put(record('prod'));
      await s.connectors.put(record('dev', { enabled: false }));
      assert.deepEqual((await s.connectors.list()).map((c) => [c.name, c.enabled]), [['dev', false], ['prod', true]]);
      const edited = await s.connectors.put(
        record('prod', { externalId: 'ext-prod-2', createdAt: '2026-04-01T00:00:00.000Z', updatedAt: '2026-04-01T00:00:00.000Z', settings: { type: 'account', bucket: 'b2', prefix: 'p' } }),
      );
      assert.equal(edited.externalId, 'ext-prod-2');
      assert.equal(edited.createdAt, '2026-03-01T00:00:00.000Z');
      assert.equal(edited.updatedAt, '2026-04-01T00:00:00.000Z');
      assert.deepEqual(edited.settings, { type: 'account', bucket: 'b2', prefix: 'p' });
      assert.equal(await s.connectors.get('nope'), undefined);
    });

    it('doctor runs: the latest per connector', async () => {
      const s = await open();
      await s.connectors.put(record('prod'));
      await s.connectors.recordDoctorRun({ connector: 'prod', startedAt: '2026-03-01T00:00:00.000Z', finishedAt: '2026-03-01T00:00:01.000Z', results: [{ id: 'a', status: 'fail' }] });
      await s.connectors.recordDoctorRun({ connector: 'prod', startedAt: '2026-03-02T00:00:00.000Z', finishedAt: '2026-03-02T00:00:01.000Z', results: [{ id: 'a', status: 'pass' }] });
      assert.deepEqual((await s.connectors.latestDoctorRun('prod'))?.results, [{ id: 'a', status: 'pass' }]);
      assert.equal(await s.connectors.latestDoctorRun('dev'), undefined);
    });

    it("remove deletes the connector's own rows and counts them; the other connector keeps its own", async () => {
      const s = await open();
      await s.connectors.put(record('a'));
      await s.connectors.put(record('b'));
      for (const name of ['a', 'b']) {
        await commitFile(s.events, fileRecord(`${name}/one.json.gz`, { connector: name }), [makeEvent()], { connector: name, accountId: '111111111111' });
        await s.ingest.quarantine({ connector: name, messageId: `m-${name}`, body: '{}', bucket: null, key: null, reason: 'r', fix: 'f', receiveCount: 1, leftForDlq: false, at: '2026-03-01T00:00:00.000Z' });
        await s.ingest.reportProblem({ connector: name, kind: 'k', message: 'm', fix: 'f', bucket: null, key: null, at: '2026-03-01T00:00:00.000Z' });
        await s.connectors.recordDoctorRun({ connector: name, startedAt: '2026-03-01T00:00:00.000Z', finishedAt: '2026-03-01T00:00:00.000Z', results: [] });
      }
      const removed = await s.connectors.remove('a');
      assert.deepEqual(removed, { events: 1, sharedEvents: 0, files: 1, quarantined: 1, problems: 1, counters: 1, doctorRuns: 1 });
      assert.equal(await s.connectors.remove('a'), undefined);
      assert.deepEqual((await s.connectors.list()).map((c) => c.name), ['b']);
      assert.equal(await s.files.count({ connector: 'a' }), 0);
      assert.equal(await s.files.count({ connector: 'b' }), 1);
      assert.deepEqual((await s.ingest.listQuarantine()).map((q) => q.connector), ['b']);
      assert.deepEqual((await s.ingest.listProblems()).map((q) => q.connector), ['b']);
      assert.deepEqual((await s.ingest.counters()).map((q) => q.connector), ['b']);
      assert.equal(await s.connectors.latestDoctorRun('a'), undefined);
      assert.ok(await s.connectors.latestDoctorRun('b'));
    });

    it('remove deletes the events only that connector delivered, with their usage and coverage; shared events stay until the last one goes', async () => {
      const s = await open();
      await s.connectors.put(record('a'));
      await s.connectors.put(record('b'));
      const delivery = (acct: string, hhmm: string, region = 'eu-west-1') =>
        `AWSLogs/${acct}/CloudTrail/${region}/2026/03/01/${acct}_CloudTrail_${region}_20260301T${hhmm}Z_abc.json.gz`;
      const onlyA = [makeEvent({ t: T0 + 10 * HOUR, principalArn: 'arn:aws:iam::111111111111:role/only-a' }), makeEvent({ t: T0 + 10 * HOUR + 60_000, principalArn: 'arn:aws:iam::111111111111:role/only-a' })];
      const both = makeEvent({ t: T0 + 10 * HOUR + 120_000, principalArn: 'arn:aws:iam::111111111111:role/both' });
      const onlyB = makeEvent({ t: T0 + 12 * HOUR, principalArn: 'arn:aws:iam::111111111111:role/only-b' });
      await commitFile(s.events, fileRecord(delivery('111111111111', '1005'), { connector: 'a', eventCount: 3 }), [...onlyA, both], { connector: 'a', accountId: '111111111111' });
      await commitFile(s.events, fileRecord(delivery('111111111111', '1205', 'us-east-1'), { connector: 'b', eventCount: 2 }), [both, onlyB], { connector: 'b', accountId: '111111111111' });
      // CloudTrail delivering one of a's events twice to a itself: still a's alone.
      await commitFile(s.events, fileRecord(delivery('111111111111', '1010'), { connector: 'a', eventCount: 1 }), [onlyA[0]!], { connector: 'a', accountId: '111111111111' });
      // A file without the delivery layout (a lookup-events export) covers its events' hours.
      const exported = makeEvent({ t: T0 + 20 * HOUR, principalArn: 'arn:aws:iam::111111111111:role/only-a' });
      await commitFile(s.events, fileRecord('exports/lookup.json', { connector: 'a', accountId: null, eventCount: 1 }), [exported]);
      const principals = async () => [...new Set((await s.events.usage({})).map((u) => u.principalArn))].sort();
      assert.deepEqual(await principals(), ['arn:aws:iam::111111111111:role/both', 'arn:aws:iam::111111111111:role/only-a', 'arn:aws:iam::111111111111:role/only-b']);

      const removedA = await s.connectors.remove('a');
      assert.equal(removedA?.events, 3);
      assert.equal(removedA?.sharedEvents, 1);
      assert.deepEqual((await s.events.query({})).map((e) => e.eventID).sort(), [both.eventID, onlyB.eventID].sort());
      const kept = await s.events.query({ principalArn: 'arn:aws:iam::111111111111:role/both' });
      assert.equal(kept[0]?.sourceIPAddress, '198.51.100.7', 'the raw record of a kept event still reads back');
      assert.deepEqual(await principals(), ['arn:aws:iam::111111111111:role/both', 'arn:aws:iam::111111111111:role/only-b']);
      assert.deepEqual((await s.coverage.runs({})).map((r) => [r.region, r.start]), [['us-east-1', '2026-03-01T12:00:00Z']]);

      const removedB = await s.connectors.remove('b');
      assert.equal(removedB?.events, 2);
      assert.deepEqual(await s.events.query({}), []);
      assert.deepEqual(await s.events.usage({}), []);
      assert.deepEqual(await s.coverage.runs({}), []);
      assert.deepEqual(await s.coverage.regions({}), []);
      assert.deepEqual((await s.events.stats()).events, 0);
    });
  });
}
