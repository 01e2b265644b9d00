import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unusualSourceIp } from './unusual-source-ip.js';
import { networkOf } from '../state/source-networks.js';
import { detect, event, ROLE } from './rule.test-helpers.js';

const call = (time: string, ip: string, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true, eventTime: time, sourceIPAddress: ip, ...extra });
const SSO = {
  type: 'AssumedRole',
  principalId: 'AROASSO:carol@example.com',
  arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/carol@example.com',
  accountId: '111122223333',
  sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123', accountId: '111122223333', userName: 'AWSReservedSSO_Admin_0123' } },
};

describe('unusual-source-ip', () => {
  it('networks: IPv4 /24, IPv6 /48, none for service names', () => {
    assert.equal(networkOf('198.51.100.7'), '198.51.100.0/24');
    assert.equal(networkOf('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
    assert.equal(networkOf('2001:db8::1'), '2001:db8:0::/48');
    assert.equal(networkOf('ec2.amazonaws.com'), null);
    assert.equal(networkOf('AWS Internal'), null);
  });

  it('fires once when a user with a day of history acts from a new network', () => {
    const events = [
      call('2026-05-01T08:00:00Z', '198.51.100.7'),
      call('2026-05-02T09:00:00Z', '198.51.100.99'),
      call('2026-05-02T10:00:00Z', '203.0.113.50'),
      call('2026-05-02T10:05:00Z', '203.0.113.51'),
    ];
    const found = detect(unusualSourceIp, events);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.eventId, events[2]!.eventID);
    assert.equal(found[0]!.details.network, '203.0.113.0/24');
    assert.equal(found[0]!.resource, 'arn:aws:iam::111122223333:user/alice');
  });

  it('does not fire without a baseline, for service role sessions, or for AWS service addresses', () => {
    const events = [
      call('2026-05-01T08:00:00Z', '198.51.100.7'),
      call('2026-05-01T09:00:00Z', '203.0.113.50'),
      call('2026-04-01T08:00:00Z', '192.0.2.1', { userIdentity: ROLE }),
      call('2026-05-02T09:00:00Z', '203.0.114.1', { userIdentity: ROLE }),
      call('2026-05-03T09:00:00Z', 'ec2.amazonaws.com'),
    ];
    assert.deepEqual(detect(unusualSourceIp, events), []);
  });

  it('tracks Identity Center sessions per person', () => {
    const events = [
      call('2026-05-01T08:00:00Z', '198.51.100.7', { userIdentity: SSO }),
      call('2026-05-03T08:00:00Z', '203.0.113.9', { userIdentity: SSO }),
      call('2026-05-03T08:00:00Z', '203.0.113.9', { userIdentity: { ...SSO, arn: SSO.arn.replace('carol', 'dave'), principalId: 'AROASSO:dave@example.com' } }),
    ];
    const found = detect(unusualSourceIp, events);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.details.sessionName, 'carol@example.com');
  });
});
