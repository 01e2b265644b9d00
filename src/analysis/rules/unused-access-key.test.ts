import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cover, ACCOUNT, allow, authorizationDetails, credentialReport, daysBefore, importIam, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { unusedAccessKey } from './unused-access-key.js';
import type { RuleContext } from '../types.js';
import { judgeCredential } from './credentials.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OLD = '2025-01-01T00:00:00Z';
let t: TempStore;
let ctx: RuleContext;

before(async () => {
  t = await tempStore();
  await cover(t.store);
  const users = ['stale', 'fresh', 'never', 'newkey', 'disabled', 'lateuse'].map((name) => ({ name, created: OLD, inline: [allow(['s3:ListAllMyBuckets'])] }));
  const report = credentialReport([
    { user: 'stale', created: OLD, key1: { active: true, rotated: OLD, lastUsed: daysBefore(AS_OF, 200) } },
    { user: 'fresh', created: OLD, key1: { active: true, rotated: OLD, lastUsed: daysBefore(AS_OF, 5) } },
    // key 2 only: its slot must be named 2
    { user: 'never', created: OLD, key2: { active: true, rotated: daysBefore(AS_OF, 150), lastUsed: null } },
    { user: 'newkey', created: OLD, key1: { active: true, rotated: daysBefore(AS_OF, 20), lastUsed: null } },
    { user: 'disabled', created: OLD, key1: { active: false, rotated: OLD, lastUsed: daysBefore(AS_OF, 300) } },
    // used after asOf: a later report cannot tell what happened before asOf, so not judged
    { user: 'lateuse', created: OLD, key1: { active: true, rotated: OLD, lastUsed: '2026-07-01T00:00:00Z' } },
  ]);
  const root = `<root_account>,arn:aws:iam::${ACCOUNT}:root,${OLD},not_supported,N/A,not_supported,not_supported,true,true,${OLD},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n`;
  await importIam(t.store, { authz: [authorizationDetails({ users })], credentialReports: [report + root] });
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
});
after(async () => t?.close());

describe('unused-access-key', () => {
  it('fires for an active key last used before the window and a never-used key older than it', () => {
    const f = unusedAccessKey.evaluate(ctx);
    const stale = f.find((x) => x.resource.endsWith('user/stale'));
    assert.equal(stale?.details.verdict, 'unused');
    assert.equal(stale?.details.keySlot, 1);
    const never = f.find((x) => x.resource.endsWith('user/never'));
    assert.equal(never?.details.verdict, 'never-used');
    assert.equal(never?.details.keySlot, 2);
    assert.match(never?.title ?? '', /access key 2/);
  });

  it('does not fire for recently used, young, inactive or later-used keys', () => {
    const resources = unusedAccessKey.evaluate(ctx).map((x) => x.resource.split('/').pop());
    for (const name of ['fresh', 'newkey', 'disabled', 'lateuse']) assert.ok(!resources.includes(name), name);
  });

  it('flags a never-used root access key at high severity', () => {
    const root = unusedAccessKey.evaluate(ctx).find((x) => x.resource === `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(root?.severity, 'high');
  });

  it('judgeCredential: window edges', () => {
    const start = daysBefore(AS_OF, 90);
    assert.equal(judgeCredential(start, OLD, start, AS_OF), 'used');
    assert.equal(judgeCredential(daysBefore(AS_OF, 91), OLD, start, AS_OF), 'unused');
    assert.equal(judgeCredential(null, daysBefore(AS_OF, 89), start, AS_OF), 'too-young');
    assert.equal(judgeCredential(null, null, start, AS_OF), 'not-judged');
  });
});
