import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cover, addRecords, allow, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { overprovisionedIdentity } from './overprovisioned-identity.js';
import type { RuleContext } from '../types.js';
import type { PolicyDocument } from '../../iam/types.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OLD = '2025-01-01T00:00:00Z';
let t: TempStore;
let ctx: RuleContext;

before(async () => {
  t = await tempStore();
  await cover(t.store);
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          { name: 'wide', created: OLD, inline: [allow(['iam:*', 'ec2:Describe*'])] },
          { name: 'tight', created: OLD, inline: [allow(['iam:ListUsers', 'iam:ListRoles', 'iam:GetUser'])] },
          { name: 'admin', created: OLD, managed: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
          { name: 'wide-idle', created: OLD, inline: [allow(['iam:*'])] },
        ],
      }),
    ],
  });
  await addRecords(t.store, [
    record({ user: 'wide' }, 'iam:ListUsers', daysBefore(AS_OF, 3)),
    record({ user: 'wide' }, 'ec2:DescribeInstances', daysBefore(AS_OF, 4)),
    record({ user: 'wide' }, 'iam:CreateUser', daysBefore(AS_OF, 4), { error: 'AccessDenied' }),
    record({ user: 'tight' }, 'iam:ListUsers', daysBefore(AS_OF, 3)),
    record({ user: 'tight' }, 'iam:ListRoles', daysBefore(AS_OF, 3)),
    record({ user: 'admin' }, 'iam:ListUsers', daysBefore(AS_OF, 3)),
  ]);
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
});
after(async () => t?.close());

describe('overprovisioned-identity', () => {
  it('fires for an active identity using a small part of its grants, with unused actions by service and a policy', () => {
    const f = overprovisionedIdentity.evaluate(ctx).find((x) => x.resource.endsWith('user/wide'));
    assert.ok(f);
    const d = f.details as { unusedByService: Record<string, string[]>; usedActions: string[]; suggestedPolicy: PolicyDocument; usedRatio: number };
    assert.deepEqual(d.usedActions, ['ec2:DescribeInstances', 'iam:ListUsers']);
    assert.ok(d.unusedByService.iam?.includes('iam:CreateUser'), 'a failed call is not use');
    assert.ok(d.unusedByService.ec2?.includes('ec2:DescribeVolumes'));
    assert.ok(!d.unusedByService.iam?.includes('iam:ListUsers'));
    assert.ok(d.usedRatio < 0.1);
    const actions = d.suggestedPolicy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    assert.deepEqual(actions.sort(), ['ec2:DescribeInstances', 'iam:ListUsers']);
    assert.equal(f.evidence.length, 2);
  });

  it('does not fire when the identity uses most of what it has', () => {
    assert.equal(overprovisionedIdentity.evaluate(ctx).filter((x) => x.resource.endsWith('user/tight')).length, 0);
  });

  it('leaves administrators to super-identity and inactive identities to inactive-identity', () => {
    const resources = overprovisionedIdentity.evaluate(ctx).map((x) => x.resource);
    assert.ok(!resources.some((r) => r.endsWith('user/admin')));
    assert.ok(!resources.some((r) => r.endsWith('user/wide-idle')));
  });

  it('honours the configured thresholds', () => {
    const strict = { ...ctx, options: { overprovisioned: { maxUsedRatio: 0.001, minUnused: 10 } } };
    assert.equal(overprovisionedIdentity.evaluate(strict).length, 0);
    const loose = { ...ctx, options: { overprovisioned: { maxUsedRatio: 0.9, minUnused: 1 } } };
    assert.ok(overprovisionedIdentity.evaluate(loose).some((x) => x.resource.endsWith('user/tight')));
  });
});

describe('overprovisioned-identity: large grants', () => {
  it('lists every unused action up to the limit, and only the used services\' actions above it', async () => {
    const { groupUnused, MAX_LISTED_UNUSED } = await import('./overprovisioned-identity.js');
    const { classifyGranted, aggregateUsage } = await import('../usage.js');
    const granted = new Map<string, 'full'>();
    for (let i = 0; i < MAX_LISTED_UNUSED; i++) granted.set(`ec2:Action${i}`, 'full');
    granted.set('iam:ListUsers', 'full');
    granted.set('iam:GetUser', 'full');
    const usage = aggregateUsage([
      { principalArn: 'p', principalAccountId: null, action: 'iam:ListUsers', resource: null, success: true, count: 1, firstSeen: 'x', lastSeen: 'x', sampleEventIds: [], sessionNames: [] },
    ]).get('p');
    const big = groupUnused(classifyGranted(granted, usage, () => 'logged'));
    assert.equal(big.complete, false);
    assert.deepEqual(big.unusedByService, { iam: ['iam:GetUser'] });
    assert.deepEqual(big.unusedServices, { ec2: MAX_LISTED_UNUSED });
    granted.delete('ec2:Action0');
    granted.delete('ec2:Action1');
    const small = groupUnused(classifyGranted(new Map(granted), usage, () => 'logged'));
    assert.equal(small.complete, true);
    assert.equal(small.unusedByService.ec2?.length, MAX_LISTED_UNUSED - 2);
  });
});
