import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mfaDeviceDeactivated } from './mfa-device-deactivated.js';
import { detect, event, ROOT, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const iam = (eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'iam.amazonaws.com', eventName, requestParameters, ...extra });

describe('mfa-device-deactivated', () => {
  it("fires on another user's device deactivated, about that user", () => {
    const [d] = detect(mfaDeviceDeactivated, [iam('DeactivateMFADevice', { userName: 'bob', serialNumber: 'arn:aws:iam::111122223333:mfa/bob' })]);
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:user/bob');
    assert.equal(d!.severity, 'medium');
  });

  it("is high for root's MFA", () => {
    const [d] = detect(mfaDeviceDeactivated, [iam('DeactivateMFADevice', { serialNumber: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device' }, { userIdentity: ROOT })]);
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:root');
    assert.equal(d!.severity, 'high');
  });

  it('does not fire on enabling MFA or on a denied deactivation (TrailDiscover recording)', () => {
    const denied = JSON.parse(readFileSync(join(SHARED, 'traildiscover', 'events', 'IAM', 'DeactivateMFADevice.json.cloudtrail'), 'utf8')) as Record<string, unknown>[];
    assert.ok(denied.length > 0 && denied.every((r) => typeof r.errorCode === 'string'));
    const events = [iam('EnableMFADevice', { userName: 'bob', serialNumber: 'x' }), ...denied.map((r) => normalizeRecord(r))];
    assert.deepEqual(detect(mfaDeviceDeactivated, events), []);
  });
});
