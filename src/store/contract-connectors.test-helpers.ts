/**
 * Store contract, connectors: the stored connectors, their doctor runs, and removal of a
 * connector with every row of its own while another connector's rows stay.
 * Part of runStoreContract (./contract.test-helpers.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileRecord, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import type { ConnectorRecord } from './types.js';

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
        await s.events.commitFile(fileRecord(`${name}/one.json.gz`, { connector: name }), [makeEvent()], { connector: name, accountId: '111111111111' });
        await s.ingest.quarantine({ connector: name, messageId: `m-${name}`, body: '{}', bucket: null, key: null, reason: 'r', fix: 'f', receiveCount: 1, leftForDlq: false, at: '2026-03-01T00:00:00.000Z' });
        await s.ingest.reportProblem({ connector: name, kind: 'k', message: 'm', fix: 'f', bucket: null, key: null, at: '2026-03-01T00:00:00.000Z' });
        await s.connectors.recordDoctorRun({ connector: name, startedAt: '2026-03-01T00:00:00.000Z', finishedAt: '2026-03-01T00:00:00.000Z', results: [] });
      }
      const removed = await s.connectors.remove('a');
      assert.deepEqual(removed, { files: 1, quarantined: 1, problems: 1, counters: 1, doctorRuns: 1 });
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
  });
}
