import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guarddutyDisabled } from './guardduty-disabled.js';
import { detect, event, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const gd = (eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'guardduty.amazonaws.com', eventName, requestParameters, ...extra });

describe('guardduty-disabled', () => {
  it('fires on DeleteDetector and on UpdateDetector with enable false', () => {
    const found = detect(guarddutyDisabled, [gd('DeleteDetector', { detectorId: 'd1' }), gd('UpdateDetector', { detectorId: 'd1', enable: false })]);
    assert.deepEqual(found.map((d) => d.details.detectorId), ['d1', 'd1']);
    assert.equal(found[0]!.severity, 'high');
  });

  it('does not fire on UpdateDetector that keeps it on, on reads, or on a denied DeleteDetector (TrailDiscover recording)', () => {
    const denied = JSON.parse(readFileSync(join(SHARED, 'traildiscover', 'events', 'GuardDuty', 'DeleteDetector.json.cloudtrail'), 'utf8')) as Record<string, unknown>[];
    const events = [
      gd('UpdateDetector', { detectorId: 'd1', enable: true, findingPublishingFrequency: 'SIX_HOURS' }),
      gd('GetDetector', { detectorId: 'd1' }, { readOnly: true }),
      ...denied.map((r) => normalizeRecord(r)),
    ];
    assert.deepEqual(detect(guarddutyDisabled, events), []);
  });
});
