/**
 * Cross-check with the organisation generator (src/generate): its IAM files (one account in the
 * SDK's URL-encoded form), credential reports and SCP export import through detectIamInput, and
 * the planted super / boundary / explicit-deny / cross-account cases get the expected answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateOrganization, memorySink } from '../generate/index.js';
import { detectIamInput, importIamInputs } from './import.js';
import { IamRepository } from './repository.js';
import { MemoryIamStore } from './testing/memory-iam-store.js';
import { createPermissionEvaluator } from './permissions/evaluator.js';

interface Case {
  id: string;
  category: string;
  arn: string;
  expect: Record<string, unknown>;
}

test('generated organisation: import, SCP chains and planted permission cases', async () => {
  const sink = memorySink();
  await generateOrganization({ seed: 'iam-check', accounts: 3, days: 1, eventsPerDay: 5, identitiesPerAccount: 10 }, sink);
  const text = (d: Uint8Array | string) => (typeof d === 'string' ? d : Buffer.from(d).toString('utf8'));
  const inputs = [...sink.files]
    .filter(([p]) => p.startsWith('iam/') || p === 'organizations/scps.json')
    .map(([p, d]) => detectIamInput(text(d), p));
  const expected = JSON.parse(text(sink.files.get('expected.json')!)) as { cases: Case[]; managementAccountId: string };
  const repo = new IamRepository(new MemoryIamStore());
  const { summary } = await importIamInputs(inputs, repo);
  assert.equal(summary.snapshots.length, 3);
  assert.equal(summary.credentialReports.length, 3);
  assert.deepEqual(summary.scps[0]?.managementAccounts, [expected.managementAccountId]);

  const model = await repo.loadModel();
  assert.deepEqual(model.scpChains.get(expected.managementAccountId)?.levels, []);
  const ev = await createPermissionEvaluator(model);
  let checked = 0;
  for (const c of expected.cases) {
    if (c.category === 'super' && typeof c.expect.super === 'boolean') {
      assert.equal(ev.effective(c.arn).isAdmin, c.expect.super, `${c.id}: ${c.arn}`);
      checked++;
    }
    if (c.id === 'explicit-deny-limits-admin') {
      const granted = ev.effective(c.arn).granted;
      assert.equal([...granted.keys()].filter((a) => a.startsWith('iam:') || a.startsWith('organizations:')).length, 0);
    }
    if (c.category === 'cross-account' && typeof c.expect.canAssume === 'string') {
      assert.equal(ev.isAllowed(c.arn, 'sts:AssumeRole', c.expect.canAssume), 'allowed', c.id);
      checked++;
    }
  }
  assert.ok(checked >= 5, `checked ${checked} planted cases`);
});
