import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addRecords, allow, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { superIdentity } from './super-identity.js';
import type { RuleContext } from '../types.js';

const AS_OF = '2026-06-01T00:00:00Z';
let t: TempStore;
let ctx: RuleContext;

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          { name: 'admin', created: '2025-01-01T00:00:00Z', inline: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }] },
          { name: 'reader', created: '2025-01-01T00:00:00Z', inline: [allow(['s3:Get*', 's3:List*'])] },
        ],
      }),
    ],
  });
  await addRecords(t.store, [record({ user: 'admin' }, 'iam:ListUsers', daysBefore(AS_OF, 3))]);
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
});
after(async () => t?.close());

describe('super-identity', () => {
  it('fires for an identity allowed everything, with its observed use and a suggested policy', () => {
    const [f, ...rest] = superIdentity.evaluate(ctx);
    assert.equal(rest.length, 0);
    assert.ok(f?.resource.endsWith('user/admin'));
    assert.equal(f?.severity, 'high');
    assert.deepEqual(f?.details.usedActions, ['iam:ListUsers']);
    assert.equal(f?.evidence.length, 1);
    const policy = f?.details.suggestedPolicy as { Statement: { Action: string | string[] }[] };
    assert.deepEqual(policy.Statement.map((s) => s.Action), ['iam:ListUsers']);
  });

  it('does not fire for a read-only identity', () => {
    assert.equal(superIdentity.evaluate(ctx).filter((f) => f.resource.endsWith('user/reader')).length, 0);
  });
});
