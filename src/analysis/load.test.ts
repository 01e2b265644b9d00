import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRecord } from '../parse/normalize.js';
import { record } from '../../test/support/analysis.js';
import { passedRolesOf } from './load.js';

const ROLE = 'arn:aws:iam::111122223333:role/web';
const PROFILE = 'arn:aws:iam::111122223333:instance-profile/web-profile';

describe('passedRolesOf', () => {
  it('resolves an instance profile to its role, passed to EC2', () => {
    const e = normalizeRecord(
      record({ user: 'ops' }, 'ec2:RunInstances', '2026-05-01T00:00:00Z', {
        requestParameters: { iamInstanceProfile: { arn: PROFILE }, instanceType: 't3.micro' },
      }),
    );
    assert.ok(e.actions.includes('iam:PassRole'), JSON.stringify(e.actions));
    assert.deepEqual(passedRolesOf(e, new Map([[PROFILE, ROLE]])), [[ROLE, 'ec2.amazonaws.com']]);
    assert.deepEqual(passedRolesOf(e, new Map()), [], 'an unknown profile names no role');
  });

  it('names the consuming service for a role passed directly', () => {
    const e = normalizeRecord(
      record({ user: 'ops' }, 'cloudformation:CreateStack', '2026-05-01T00:00:00Z', { requestParameters: { stackName: 's', roleARN: ROLE } }),
    );
    assert.deepEqual(passedRolesOf(e, new Map()), [[ROLE, 'cloudformation.amazonaws.com']]);
  });
});
