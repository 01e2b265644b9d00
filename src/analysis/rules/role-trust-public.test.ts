import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TempStore } from '../../../test/support/analysis.js';
import { roleTrustPublic } from './role-trust-public.js';
import type { Finding } from '../types.js';
import { trust, trustContext } from './role-trust.test-helpers.js';

let t: TempStore;
let findings: Finding[];
const on = (name: string) => findings.filter((f) => f.resource.endsWith(`:role/${name}`));

before(async () => {
  const r = await trustContext([
    { name: 'star', trust: trust('*') },
    { name: 'aws-star-admin', trust: trust({ AWS: '*' }), admin: true },
    { name: 'star-ip-only', trust: trust({ AWS: '*' }, 'sts:AssumeRole', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }) },
    { name: 'star-org', trust: trust({ AWS: '*' }, 'sts:AssumeRole', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }) },
    { name: 'star-org-wildcard', trust: trust({ AWS: '*' }, 'sts:AssumeRole', { StringLike: { 'aws:PrincipalOrgID': '*' } }) },
    { name: 'named', trust: trust({ AWS: 'arn:aws:iam::111122223333:root' }) },
  ]);
  t = r.t;
  findings = roleTrustPublic.evaluate(r.ctx);
});
after(async () => t?.close());

describe('role-trust-public', () => {
  it('fires for "*" and {"AWS":"*"} without a narrowing condition; admin roles are critical', () => {
    assert.equal(on('star')[0]?.severity, 'high');
    assert.equal(on('star')[0]?.details.conditions, false);
    assert.equal(on('aws-star-admin')[0]?.severity, 'critical');
  });
  it('a condition that does not restrict the caller (source IP) still fires; one that pins the organization does not', () => {
    assert.deepEqual(on('star-ip-only')[0]?.details.conditionKeys, ['aws:sourceip']);
    assert.equal(on('star-org').length, 0);
    assert.equal(on('star-org-wildcard').length, 1, 'a wildcard organization id narrows nothing');
    assert.equal(on('named').length, 0);
  });
});
