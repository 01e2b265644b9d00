import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cover, allow, authorizationDetails, credentialReport, daysBefore, importIam, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { unusedConsolePassword } from './unused-console-password.js';
import type { RuleContext } from '../types.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OLD = '2025-01-01T00:00:00Z';
let t: TempStore;
let ctx: RuleContext;

before(async () => {
  t = await tempStore();
  await cover(t.store);
  const users = ['dormant', 'never', 'recent', 'nopassword', 'lateuse', 'youngster'].map((name) => ({
    name,
    created: name === 'youngster' ? daysBefore(AS_OF, 30) : OLD,
    inline: [allow(['s3:ListAllMyBuckets'])],
  }));
  const report = credentialReport([
    { user: 'dormant', created: OLD, password: { lastUsed: daysBefore(AS_OF, 120) } },
    { user: 'never', created: OLD, password: { lastUsed: null } },
    { user: 'recent', created: OLD, password: { lastUsed: daysBefore(AS_OF, 2) } },
    { user: 'nopassword', created: OLD },
    // used after asOf: not judged (the report is later than the state being judged)
    { user: 'lateuse', created: OLD, password: { lastUsed: '2026-07-01T00:00:00Z' } },
    { user: 'youngster', created: daysBefore(AS_OF, 30), password: { lastUsed: null } },
  ]);
  await importIam(t.store, { authz: [authorizationDetails({ users })], credentialReports: [report] });
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
});
after(async () => t?.close());

describe('unused-console-password', () => {
  it('fires for a password unused in the window or never used by an old user', () => {
    const f = unusedConsolePassword.evaluate(ctx);
    const dormant = f.find((x) => x.resource.endsWith('user/dormant'));
    assert.equal(dormant?.details.verdict, 'unused');
    assert.equal(Date.parse(String(dormant?.details.passwordLastUsed)), Date.parse(daysBefore(AS_OF, 120)));
    assert.equal(f.find((x) => x.resource.endsWith('user/never'))?.details.verdict, 'never-used');
  });

  it('does not fire for a recent sign-in, no password, a young user, or a sign-in after asOf', () => {
    const names = unusedConsolePassword.evaluate(ctx).map((x) => x.resource.split('/').pop());
    for (const n of ['recent', 'nopassword', 'youngster', 'lateuse']) assert.ok(!names.includes(n), n);
  });
});
