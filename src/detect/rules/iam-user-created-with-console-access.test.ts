import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamUserCreatedWithConsoleAccess } from './iam-user-created-with-console-access.js';
import { detect, event, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const createUser = (user: string, time: string) => event({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', eventTime: time, requestParameters: { userName: user } });
const createLogin = (user: string, time: string, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'iam.amazonaws.com', eventName: 'CreateLoginProfile', eventTime: time, requestParameters: { userName: user, passwordResetRequired: false }, ...extra });

describe('iam-user-created-with-console-access', () => {
  it('is high for a user created and given a password within a day, with both events, keyed by the login profile', () => {
    const user = createUser('mallory', '2026-05-01T10:00:00Z');
    const login = createLogin('mallory', '2026-05-01T10:05:00Z');
    const [d, ...rest] = detect(iamUserCreatedWithConsoleAccess, [user, login]);
    assert.equal(rest.length, 0);
    assert.equal(d!.severity, 'high');
    assert.equal(d!.resource, 'arn:aws:iam::111122223333:user/mallory');
    assert.equal(d!.eventId, login.eventID);
    assert.deepEqual(d!.evidence, [login.eventID, user.eventID]);
  });

  it('pairs them whichever arrives first (shuffled files): the pair is keyed by the same event as the lone one', () => {
    const user = createUser('mallory', '2026-05-01T10:00:00Z');
    const login = createLogin('mallory', '2026-05-01T10:05:00Z');
    const found = detect(iamUserCreatedWithConsoleAccess, [login, user]);
    assert.equal(found.length, 2);
    assert.deepEqual(found.map((d) => [d.eventId, d.severity, d.evidence.length]), [
      [login.eventID, 'medium', 1],
      [login.eventID, 'high', 2],
    ]);
  });

  it('is medium for a password given to a user created long before, and silent for a failed call or another user', () => {
    const found = detect(iamUserCreatedWithConsoleAccess, [
      createUser('old', '2026-01-01T00:00:00Z'),
      createLogin('old', '2026-05-01T10:00:00Z'),
      createLogin('x', '2026-05-01T10:00:00Z', { errorCode: 'NoSuchEntity' }),
      createUser('lonely', '2026-05-01T10:00:00Z'),
    ]);
    assert.deepEqual(found.map((d) => [d.resource, d.severity]), [['arn:aws:iam::111122223333:user/old', 'medium']]);
  });

  it('detects the Stratus Red Team iam-create-user-login-profile detonation', () => {
    const records = JSON.parse(readFileSync(join(SHARED, 'stratus-red-team', 'detonation-logs', 'aws.persistence.iam-create-user-login-profile.json'), 'utf8')) as Record<string, unknown>[];
    assert.equal(detect(iamUserCreatedWithConsoleAccess, records.map((r) => normalizeRecord(r))).length, 1);
  });
});
