import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggingDisabled } from './logging-disabled.js';
import { detect, event, pantherCases, pantherEvent, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const ct = (eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'cloudtrail.amazonaws.com', eventName, requestParameters, ...extra });

describe('logging-disabled', () => {
  it('fires on StopLogging and DeleteTrail, naming the trail', () => {
    const found = detect(loggingDisabled, [ct('StopLogging', { name: 'org-trail' }), ct('DeleteTrail', { name: 'org-trail' })]);
    assert.equal(found.length, 2);
    assert.equal(found[0]!.details.trail, 'org-trail');
    assert.match(found[1]!.title, /deleted/);
  });

  it('fires when event selectors drop management events or keep reads only', () => {
    const off = ct('PutEventSelectors', { trailName: 't', eventSelectors: [{ includeManagementEvents: false, readWriteType: 'All' }] });
    const readOnly = ct('PutEventSelectors', { trailName: 't', eventSelectors: [{ includeManagementEvents: true, readWriteType: 'ReadOnly' }] });
    const advanced = ct('PutEventSelectors', { trailName: 't', advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }] }] });
    assert.equal(detect(loggingDisabled, [off, readOnly, advanced]).length, 3);
  });

  it('does not fire on StartLogging, selectors that keep writes, a failed StopLogging, or an ordinary UpdateTrail', () => {
    const events = [
      ct('StartLogging', { name: 't' }),
      ct('PutEventSelectors', { trailName: 't', eventSelectors: [{ includeManagementEvents: true, readWriteType: 'All' }] }),
      ct('PutEventSelectors', { trailName: 't', advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }] }),
      ct('StopLogging', { name: 't' }, { errorCode: 'TrailNotFoundException' }),
      ct('UpdateTrail', { name: 't', isMultiRegionTrail: true }),
    ];
    assert.deepEqual(detect(loggingDisabled, events), []);
  });

  it("agrees with Panther's AWS.CloudTrail.Stopped and EventSelectorsDisabled cases", () => {
    const cases = [...pantherCases('AWS.CloudTrail.Stopped'), ...pantherCases('AWS.CloudTrail.EventSelectorsDisabled')];
    assert.ok(cases.length >= 6);
    for (const c of cases) assert.equal(detect(loggingDisabled, [pantherEvent(c)]).length > 0, c.expectedResult, c.testName);
  });

  for (const technique of ['cloudtrail-stop', 'cloudtrail-delete', 'cloudtrail-event-selectors']) {
    it(`detects the Stratus Red Team ${technique} detonation`, () => {
      const records = JSON.parse(readFileSync(join(SHARED, 'stratus-red-team', 'detonation-logs', `aws.defense-evasion.${technique}.json`), 'utf8')) as Record<string, unknown>[];
      assert.ok(detect(loggingDisabled, records.map((r) => normalizeRecord(r))).length >= 1);
    });
  }
});
