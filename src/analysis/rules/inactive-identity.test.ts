import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cover, ACCOUNT, addRecords, allow, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { inactiveIdentity } from './inactive-identity.js';
import type { RuleContext } from '../types.js';

const AS_OF = '2026-06-01T00:00:00Z';
let t: TempStore;
let ctx: RuleContext;

before(async () => {
  t = await tempStore();
  await cover(t.store);
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          { name: 'idle', created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] },
          { name: 'busy', created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] },
          { name: 'idle-admin', created: '2025-01-01T00:00:00Z', managed: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
        ],
      }),
    ],
  });
  await addRecords(t.store, [
    record({ user: 'busy' }, 's3:ListBuckets', daysBefore(AS_OF, 30)),
    // idle's last success is before the window: still inactive
    record({ user: 'idle' }, 's3:ListBuckets', daysBefore(AS_OF, 120)),
  ]);
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
});
after(async () => t?.close());

describe('inactive-identity', () => {
  it('fires for an identity with no successful call in the window', () => {
    const f = inactiveIdentity.evaluate(ctx).filter((x) => x.resource === `arn:aws:iam::${ACCOUNT}:user/idle`);
    assert.equal(f.length, 1);
    assert.equal(f[0]?.severity, 'medium');
    assert.equal(f[0]?.details.lastActivity, daysBefore(AS_OF, 120));
    assert.match(f[0]?.description ?? '', /no successful call in the 90 days/);
  });

  it('does not fire for an identity active in the window', () => {
    assert.equal(inactiveIdentity.evaluate(ctx).filter((x) => x.resource.endsWith('user/busy')).length, 0);
  });

  it('raises an inactive administrator to high', () => {
    const f = inactiveIdentity.evaluate(ctx).find((x) => x.resource.endsWith('user/idle-admin'));
    assert.equal(f?.severity, 'high');
  });

  it('a shorter window makes an active identity inactive', async () => {
    const short = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 10 })).ctx;
    assert.equal(inactiveIdentity.evaluate(short).filter((x) => x.resource.endsWith('user/busy')).length, 1);
  });
});
