import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessKeyCreatedForOtherUser } from './access-key-created-for-other-user.js';
import { detect, event, pantherCases, pantherEvent, ROLE, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const createKey = (requestParameters: unknown, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', requestParameters, responseElements: { accessKey: { accessKeyId: 'AKIANEW', status: 'Active', userName: 'bob' } }, ...extra });

describe('access-key-created-for-other-user', () => {
  it('fires when a user creates a key for another user, about that user', () => {
    const [d] = detect(accessKeyCreatedForOtherUser, [createKey({ userName: 'bob' })]);
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:user/bob');
    assert.equal(d!.severity, 'high');
    assert.equal(d!.details.accessKeyId, 'AKIANEW');
    assert.equal(d!.details.actor, 'arn:aws:iam::111122223333:user/alice');
  });

  it('is medium when a role creates it (provisioning pipelines)', () => {
    assert.equal(detect(accessKeyCreatedForOtherUser, [createKey({ userName: 'bob' }, { userIdentity: ROLE })])[0]!.severity, 'medium');
  });

  it('does not fire for a key a user makes for itself, with or without userName, or a failed call', () => {
    const events = [createKey({ userName: 'alice' }), createKey(null), createKey({ userName: 'bob' }, { errorCode: 'LimitExceeded' })];
    assert.deepEqual(detect(accessKeyCreatedForOtherUser, events), []);
  });

  it("agrees with Panther's AWS.IAM.Backdoor.User.Keys cases (jack vs jackson included)", () => {
    const cases = pantherCases('AWS.IAM.Backdoor.User.Keys');
    assert.ok(cases.length >= 5);
    for (const c of cases) assert.equal(detect(accessKeyCreatedForOtherUser, [pantherEvent(c)]).length > 0, c.expectedResult, c.testName);
  });

  it('detects the Stratus Red Team iam-backdoor-user detonation', () => {
    const records = JSON.parse(readFileSync(join(SHARED, 'stratus-red-team', 'detonation-logs', 'aws.persistence.iam-backdoor-user.json'), 'utf8')) as Record<string, unknown>[];
    assert.ok(detect(accessKeyCreatedForOtherUser, records.map((r) => normalizeRecord(r))).length >= 1);
  });
});
