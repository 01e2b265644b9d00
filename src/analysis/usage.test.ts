import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateUsage, classifyGranted, dataEventServicesByAccount } from './usage.js';
import type { UsageRow } from '../store/index.js';
import type { VisibilityFn } from './visibility.js';

const P = 'arn:aws:iam::111122223333:role/app';
const row = (action: string, success: boolean, over: Partial<UsageRow> = {}): UsageRow => ({
  principalArn: P,
  principalAccountId: '111122223333',
  action,
  resource: null,
  success,
  count: 2,
  firstSeen: '2026-05-01T00:00:00Z',
  lastSeen: '2026-05-02T00:00:00Z',
  sampleEventIds: [`${action}-${success}`],
  sessionNames: ['alice'],
  ...over,
});

const vis: VisibilityFn = (a) => (a === 'iam:PassRole' ? 'not-logged' : a.startsWith('s3:GetObject') ? 'data-event' : 'logged');

describe('usage', () => {
  it('keeps success and failure apart and only success sets lastSuccess', () => {
    const u = aggregateUsage([row('ec2:DescribeInstances', false, { lastSeen: '2026-05-09T00:00:00Z' }), row('iam:ListUsers', true)]).get(P)!;
    assert.equal(u.lastSuccess, '2026-05-02T00:00:00Z');
    assert.equal(u.failureCount, 2);
    assert.equal(u.actions.get('ec2:describeinstances')?.success, null);
  });

  it('classifies granted actions: used, unused, unknown (not logged, unrecorded data events)', () => {
    const usage = aggregateUsage([row('iam:ListUsers', true), row('iam:CreateUser', false)]).get(P);
    const granted = new Map([
      ['iam:ListUsers', 'full' as const],
      ['iam:CreateUser', 'full' as const],
      ['iam:PassRole', 'full' as const],
      ['s3:GetObject', 'full' as const],
    ]);
    const c = classifyGranted(granted, usage, vis);
    assert.deepEqual(c.used, ['iam:ListUsers']);
    assert.deepEqual(c.unused(), ['iam:CreateUser']);
    assert.deepEqual(c.unknown(), ['iam:PassRole', 's3:GetObject']);
    assert.deepEqual([c.usedCount, c.unusedCount, c.unknownCount], [1, 1, 2]);
    assert.equal(c.status('IAM:listusers'), 'used');
    assert.equal(c.unknownReason('s3:GetObject'), 'data-event');
    assert.equal(c.unknownReason('iam:PassRole'), 'passrole-not-inferred');
    // once the account's trail is seen recording S3 data events, absence means unused
    const c2 = classifyGranted(granted, usage, vis, new Set(['s3']));
    assert.ok(c2.unused().includes('s3:GetObject'));
    assert.deepEqual([c2.unusedCount, c2.unknownCount], [2, 1]);
  });

  it('detects which data-event services a trail records, per account', () => {
    const m = dataEventServicesByAccount(aggregateUsage([row('s3:GetObject', true)]).values(), vis);
    assert.deepEqual([...(m.get('111122223333') ?? [])], ['s3']);
  });

  it('resource rows fill resources without changing totals', () => {
    const u = aggregateUsage([row('s3:GetBucketAcl', true)], {
      resourceRows: [row('s3:GetBucketAcl', true, { resource: 'arn:aws:s3:::a' }), row('s3:GetBucketAcl', true, { resource: 'arn:aws:s3:::b' })],
    }).get(P)!;
    const a = u.actions.get('s3:getbucketacl')!;
    assert.equal(a.success?.count, 2);
    assert.deepEqual([...a.resources.keys()], ['arn:aws:s3:::a', 'arn:aws:s3:::b']);
    assert.equal(a.resourceDetail, true);
    assert.equal(a.unnamedSuccess, false);
  });
});
