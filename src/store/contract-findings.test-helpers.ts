/**
 * Store contract, findings: the lifecycle across analysis runs (first and last seen, resolved,
 * reopened), runs scoped to rules and an account, older runs, and suppressions.
 * Part of runStoreContract (./contract.test-helpers.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContractContext } from './contract-support.test-helpers.js';
import type { AnalysisRun } from './types.js';

const f = (id: string, rule = 'inactive-identity', accountId = '111111111111') => ({ id, rule, severity: 'medium', accountId, resource: `arn:aws:iam::${accountId}:user/${id}`, title: `t-${id}` });
const run = (asOf: string, rules = ['inactive-identity', 'unused-access-key'], accountId?: string): AnalysisRun => ({ asOf, windowDays: 90, rules, ranAt: '2026-06-01T00:00:00.000Z', ...(accountId ? { accountId } : {}) });

export function findingsContract({ open }: ContractContext): void {
  describe('findings', () => {
    it('first seen, last seen, resolved when no longer found, reopened when found again; the document is kept', async () => {
      const s = await open();
      assert.deepEqual(await s.findings.recordRun(run('2026-05-01T00:00:00Z'), [f('a'), f('b')]), { new: 2, resolved: 0 });
      assert.deepEqual(await s.findings.recordRun(run('2026-05-02T00:00:00Z'), [f('a')]), { new: 0, resolved: 1 });
      const a = await s.findings.get('a');
      assert.equal(a?.firstSeen, '2026-05-01T00:00:00Z');
      assert.equal(a?.lastSeen, '2026-05-02T00:00:00Z');
      assert.equal(a?.finding.title, 't-a');
      assert.equal((await s.findings.get('b'))?.resolvedAt, '2026-05-02T00:00:00Z');
      await s.findings.recordRun(run('2026-05-03T00:00:00Z'), [f('a'), f('b')]);
      assert.equal((await s.findings.get('b'))?.resolvedAt, null);
      assert.deepEqual((await s.findings.lastRun())?.asOf, '2026-05-03T00:00:00Z');
    });

    it("a run resolves only its own rules' and account's findings, and an older run moves nothing back", async () => {
      const s = await open();
      await s.findings.recordRun(run('2026-05-01T00:00:00Z'), [f('a'), f('k', 'unused-access-key'), f('x', 'inactive-identity', '222222222222')]);
      await s.findings.recordRun(run('2026-05-02T00:00:00Z', ['unused-access-key']), []);
      await s.findings.recordRun(run('2026-05-02T00:00:00Z', ['inactive-identity'], '111111111111'), []);
      const byId = new Map((await s.findings.list()).map((x) => [x.id, x]));
      assert.equal(byId.get('k')?.resolvedAt, '2026-05-02T00:00:00Z');
      assert.equal(byId.get('a')?.resolvedAt, '2026-05-02T00:00:00Z');
      assert.equal(byId.get('x')?.resolvedAt, null, 'another account is out of the run');
      await s.findings.recordRun(run('2026-05-03T00:00:00Z'), [f('a')]);
      await s.findings.recordRun(run('2026-04-01T00:00:00Z'), [f('n')]);
      const a = await s.findings.get('a');
      assert.equal(a?.lastSeen, '2026-05-03T00:00:00Z');
      assert.equal(a?.resolvedAt, null, 'the older run did not resolve it');
      assert.equal((await s.findings.list({ rules: ['unused-access-key'] })).length, 1);
      assert.deepEqual((await s.findings.list({ accountId: '222222222222' })).map((x) => x.id), ['x']);
    });

    it('suppress with reason, who and expiry; unsuppress; unknown ids are reported', async () => {
      const s = await open();
      await s.findings.recordRun(run('2026-05-01T00:00:00Z'), [f('a')]);
      assert.equal(await s.findings.suppress('a', { reason: 'break-glass user', by: 'alice', at: '2026-05-01T10:00:00Z', until: '2026-08-01T00:00:00Z' }), true);
      assert.deepEqual((await s.findings.get('a'))?.suppression, { reason: 'break-glass user', by: 'alice', at: '2026-05-01T10:00:00Z', until: '2026-08-01T00:00:00Z' });
      await s.findings.recordRun(run('2026-05-02T00:00:00Z'), [f('a')]);
      assert.equal((await s.findings.get('a'))?.suppression?.reason, 'break-glass user', 'a new run keeps the suppression');
      assert.equal(await s.findings.suppress('nope', { reason: 'r', by: 'b', at: 'c' }), false);
      assert.equal(await s.findings.unsuppress('a'), true);
      assert.equal((await s.findings.get('a'))?.suppression, null);
      assert.equal(await s.findings.unsuppress('a'), false);
    });
  });
}
