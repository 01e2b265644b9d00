import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { securityGroupOpenToWorld } from './security-group-open-to-world.js';
import { detect, event, SHARED } from './rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';

const ingress = (requestParameters: unknown, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', requestParameters, ...extra });
const perm = (from: number, to: number, ranges: unknown, v6: unknown = {}) => ({
  groupId: 'sg-1',
  ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: from, toPort: to, groups: {}, ipRanges: ranges, ipv6Ranges: v6, prefixListIds: {} }] },
});

describe('security-group-open-to-world', () => {
  it('fires on 0.0.0.0/0 to SSH at high severity, with the group and the rule', () => {
    const [d] = detect(securityGroupOpenToWorld, [ingress(perm(22, 22, { items: [{ cidrIp: '0.0.0.0/0' }] }))]);
    assert.equal(d!.severity, 'high');
    assert.equal(d!.details.securityGroup, 'sg-1');
    assert.deepEqual(d!.details.openRules, [{ cidr: '0.0.0.0/0', protocol: 'tcp', fromPort: 22, toPort: 22 }]);
  });

  it('fires on ::/0 to HTTPS at medium severity', () => {
    const [d] = detect(securityGroupOpenToWorld, [ingress(perm(443, 443, {}, { items: [{ cidrIpv6: '::/0' }] }))]);
    assert.equal(d!.severity, 'medium');
  });

  it('does not fire on a narrow range, a failed call, or a describe', () => {
    const events = [
      ingress(perm(22, 22, { items: [{ cidrIp: '203.0.113.0/24' }] })),
      ingress(perm(22, 22, { items: [{ cidrIp: '0.0.0.0/0' }] }), { errorCode: 'Client.UnauthorizedOperation' }),
      event({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeSecurityGroups', readOnly: true }),
    ];
    assert.deepEqual(detect(securityGroupOpenToWorld, events), []);
  });

  it('detects the Stratus Red Team ec2-security-group-open-port-22-ingress detonation (cidrIp x.x.x.x/0 form)', () => {
    const records = JSON.parse(readFileSync(join(SHARED, 'stratus-red-team', 'detonation-logs', 'aws.exfiltration.ec2-security-group-open-port-22-ingress.json'), 'utf8')) as Record<string, unknown>[];
    const found = detect(securityGroupOpenToWorld, records.map((r) => normalizeRecord(r)));
    assert.equal(found.length, 1);
    assert.equal(found[0]!.severity, 'high');
  });
});
