import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleLoginWithoutMfa } from './console-login-without-mfa.js';
import { detect, event, pantherCases, pantherEvent, ROOT, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const login = (fields: Record<string, unknown>) =>
  event({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn', responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com/' }, ...fields });

describe('console-login-without-mfa', () => {
  it('fires on a password-only sign-in of an IAM user, about the user', () => {
    const [d] = detect(consoleLoginWithoutMfa, [login({})]);
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:user/alice');
    assert.equal(d!.severity, 'medium');
  });

  it('is high for root', () => {
    const [d] = detect(consoleLoginWithoutMfa, [login({ userIdentity: ROOT })]);
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:root');
    assert.equal(d!.severity, 'high');
  });

  it('does not fire with MFA, on failure, or for a SAML sign-in', () => {
    const events = [
      login({ additionalEventData: { MFAUsed: 'Yes' } }),
      login({ responseElements: { ConsoleLogin: 'Failure' }, errorMessage: 'Failed authentication' }),
      login({ additionalEventData: { MFAUsed: 'No', SamlProviderArn: 'arn:aws:iam::111122223333:saml-provider/Okta' } }),
    ];
    assert.deepEqual(detect(consoleLoginWithoutMfa, events), []);
  });

  it("agrees with Panther's AWS.Console.LoginWithoutMFA cases (except the one that needs Panther's user-age lookup)", () => {
    const cases = pantherCases('AWS.Console.LoginWithoutMFA').filter((c) => c.testName !== 'No MFA Login - New User');
    assert.ok(cases.length >= 8);
    for (const c of cases) assert.equal(detect(consoleLoginWithoutMfa, [pantherEvent(c)]).length > 0, c.expectedResult, c.testName);
  });

  it('detects the Stratus Red Team console-login-without-mfa detonation', () => {
    const records = JSON.parse(readFileSync(join(SHARED, 'stratus-red-team', 'detonation-logs', 'aws.initial-access.console-login-without-mfa.json'), 'utf8')) as Record<string, unknown>[];
    assert.ok(detect(consoleLoginWithoutMfa, records.map((r) => normalizeRecord(r))).length >= 1);
  });
});
