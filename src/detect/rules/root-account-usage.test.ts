import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rootAccountUsage } from './root-account-usage.js';
import { detect, event, pantherCases, pantherEvent, ROOT, IAM_USER } from './rule.test-helpers.js';

describe('root-account-usage', () => {
  it('fires on a call made by root, about the root ARN of its account', () => {
    const e = event({ userIdentity: ROOT, eventSource: 's3.amazonaws.com', eventName: 'PutBucketVersioning' });
    const [d, ...rest] = detect(rootAccountUsage, [e]);
    assert.equal(rest.length, 0);
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:root');
    assert.equal(d!.accountId, '111122223333');
    assert.deepEqual(d!.evidence, [e.eventID]);
    assert.equal(d!.severity, 'high');
  });

  it('does not fire for an IAM user, a call a service made for root, or a failed call', () => {
    const events = [
      event({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketVersioning', userIdentity: IAM_USER }),
      event({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketVersioning', userIdentity: { ...ROOT, invokedBy: 'cloudformation.amazonaws.com' } }),
      event({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketVersioning', userIdentity: ROOT, errorCode: 'AccessDenied' }),
      event({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', userIdentity: ROOT, responseElements: { ConsoleLogin: 'Failure' } }),
    ];
    assert.deepEqual(detect(rootAccountUsage, events), []);
  });

  it("agrees with Panther's AWS.Console.RootLogin cases", () => {
    const cases = pantherCases('AWS.Console.RootLogin');
    assert.ok(cases.length >= 2);
    for (const c of cases) assert.equal(detect(rootAccountUsage, [pantherEvent(c)]).length > 0, c.expectedResult, c.testName);
  });
});
