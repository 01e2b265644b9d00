import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TempStore } from '../../../test/support/analysis.js';
import { ACCOUNT } from '../../../test/support/analysis.js';
import { roleTrustOidcUnscoped } from './role-trust-oidc-unscoped.js';
import type { Finding } from '../types.js';
import { trust, trustContext } from './role-trust.test-helpers.js';

const GH = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const WEB = 'sts:AssumeRoleWithWebIdentity';
let t: TempStore;
let findings: Finding[];
const on = (name: string) => findings.filter((f) => f.resource.endsWith(`:role/${name}`));

before(async () => {
  const r = await trustContext([
    { name: 'aud-only', trust: trust({ Federated: GH }, WEB, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }), admin: true },
    { name: 'nothing', trust: trust({ Federated: GH }, WEB) },
    { name: 'sub-wildcard', trust: trust({ Federated: GH }, WEB, { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } }) },
    { name: 'scoped', trust: trust({ Federated: GH }, WEB, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:ref:refs/heads/main' } }) },
    { name: 'cognito', trust: trust({ Federated: 'cognito-identity.amazonaws.com' }, WEB, { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:1234-abcd' } }) },
    { name: 'saml', trust: trust({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/okta` }, 'sts:AssumeRoleWithSAML') },
  ]);
  t = r.t;
  findings = roleTrustOidcUnscoped.evaluate(r.ctx);
});
after(async () => t?.close());

describe('role-trust-oidc-unscoped', () => {
  it('fires when only the audience (or nothing) is checked; an admin role is critical', () => {
    const [f] = on('aud-only');
    assert.equal(f?.details.provider, GH);
    assert.deepEqual(f?.details.checks, ['token.actions.githubusercontent.com:aud']);
    assert.equal(f?.severity, 'critical');
    assert.deepEqual(on('nothing')[0]?.details.checks, []);
    assert.equal(on('sub-wildcard').length, 1, '"repo:*" pins no repository');
  });
  it('a concrete sub, a Cognito pool audience and SAML roles do not fire', () => {
    assert.equal(on('scoped').length, 0);
    assert.equal(on('cognito').length, 0);
    assert.equal(on('saml').length, 0);
  });
});
