import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kmsKeyDeletionScheduled } from './kms-key-deletion-scheduled.js';
import { detect, pantherCases, pantherEvent } from './rule.test-helpers.js';

describe('kms-key-deletion-scheduled', () => {
  const cases = pantherCases('AWS.KMS.CustomerManagedKeyLoss');

  it("fires on Panther's ScheduleKeyDeletion events, with the key ARN and the window", () => {
    const scheduled = cases.filter((c) => c.event.eventName === 'ScheduleKeyDeletion');
    assert.ok(scheduled.length >= 1);
    for (const c of scheduled) {
      const [d] = detect(kmsKeyDeletionScheduled, [pantherEvent(c)]);
      assert.equal(d!.details.key, 'arn:aws:kms:us-west-2:123456789012:key/1', c.testName);
      assert.equal(d!.details.pendingWindowInDays, 30);
    }
  });

  it('does not fire on DisableKey (another matter), Decrypt, or a failed call', () => {
    const others = cases.filter((c) => c.event.eventName !== 'ScheduleKeyDeletion');
    assert.ok(others.length >= 2);
    for (const c of others) assert.deepEqual(detect(kmsKeyDeletionScheduled, [pantherEvent(c)]), [], c.testName);
    const failed = cases.find((c) => c.event.eventName === 'ScheduleKeyDeletion')!;
    assert.deepEqual(detect(kmsKeyDeletionScheduled, [pantherEvent({ ...failed, event: { ...failed.event, errorCode: 'KMSInvalidStateException' } })]), []);
  });
});
