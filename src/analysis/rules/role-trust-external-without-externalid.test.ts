import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TempStore } from '../../../test/support/analysis.js';
import { ACCOUNT } from '../../../test/support/analysis.js';
import { roleTrustExternalWithoutExternalId } from './role-trust-external-without-externalid.js';
import type { Finding } from '../types.js';
import { trust, trustContext } from './role-trust.test-helpers.js';

const VENDOR = '999988887777';
let t: TempStore;
let findings: Finding[];
const on = (name: string) => findings.filter((f) => f.resource.endsWith(`:role/${name}`));

before(async () => {
  const r = await trustContext([
    { name: 'vendor-root', trust: trust({ AWS: `arn:aws:iam::${VENDOR}:root` }) },
    { name: 'vendor-id', trust: trust({ AWS: VENDOR }), admin: true },
    { name: 'vendor-role', trust: trust({ AWS: `arn:aws:iam::${VENDOR}:role/integration` }) },
    { name: 'vendor-external-id', trust: trust({ AWS: `arn:aws:iam::${VENDOR}:root` }, 'sts:AssumeRole', { StringEquals: { 'sts:ExternalId': 'a1b2c3' } }) },
    { name: 'vendor-external-id-ifexists', trust: trust({ AWS: `arn:aws:iam::${VENDOR}:root` }, 'sts:AssumeRole', { StringEqualsIfExists: { 'sts:ExternalId': 'a1b2c3' } }) },
    { name: 'own-account', trust: trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) },
    { name: 'org-account', trust: trust({ AWS: 'arn:aws:iam::555566667777:root' }) },
  ]);
  t = r.t;
  findings = roleTrustExternalWithoutExternalId.evaluate({ ...r.ctx, organizationAccountIds: new Set(['555566667777']) });
});
after(async () => t?.close());

describe('role-trust-external-without-externalid', () => {
  it('fires for an external account by root ARN, by bare id and by principal ARN', () => {
    assert.equal(on('vendor-root')[0]?.details.trustedAccount, VENDOR);
    assert.equal(on('vendor-id')[0]?.severity, 'high', 'admin-equivalent role');
    assert.deepEqual(on('vendor-role')[0]?.details.trustedPrincipals, [`arn:aws:iam::${VENDOR}:role/integration`]);
    assert.equal(on('vendor-root')[0]?.severity, 'medium');
  });
  it('an sts:ExternalId condition silences it, IfExists does not; imported and organization accounts are not external', () => {
    assert.equal(on('vendor-external-id').length, 0);
    assert.equal(on('vendor-external-id-ifexists').length, 1);
    assert.equal(on('own-account').length, 0);
    assert.equal(on('org-account').length, 0);
  });
});
