/**
 * Date and time conditions decided against --as-of, end to end: IAM imported into a store,
 * loadAnalysis at AS_OF, then identities, the super-identity rule and the escalation graph.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationDetails, importIam, tempStore, type TempStore } from '../../test/support/analysis.js';
import type { PolicyDocument } from '../iam/types.js';
import { loadAnalysis } from './load.js';
import { superIdentity } from './rules/super-identity.js';
import { privilegeEscalation } from './rules/privilege-escalation.js';
import { graphFor } from './graph.js';
import { findPaths } from '../graph/paths.js';
import type { RuleContext } from './types.js';

const AS_OF = '2026-06-01T00:00:00Z';
const CREATED = '2025-01-01T00:00:00Z';
let t: TempStore;
let ctx: RuleContext;

const adminWhen = (condition: Record<string, Record<string, unknown>>): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }],
});

const USERS: Record<string, PolicyDocument> = {
  'token-before-2019': adminWhen({ DateLessThan: { 'aws:TokenIssueTime': '2019-01-01T00:00:00Z' } }),
  'after-2000': adminWhen({ DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } }),
  'epoch-before-2017': adminWhen({ NumericLessThan: { 'aws:EpochTime': '1500000000' } }),
  'office-ip': adminWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
};

const arn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const summary = (name: string) => ctx.identities.find((i) => i.summary.name === name)!.summary;
const superUsers = () => superIdentity.evaluate(ctx).map((f) => f.resource);
const escalating = () => privilegeEscalation.evaluate(ctx).map((f) => f.resource);

before(async () => {
  t = await tempStore();
  await importIam(t.store, { authz: [authorizationDetails({ users: Object.entries(USERS).map(([name, d]) => ({ name, created: CREATED, inline: [d] })) })] });
  ctx = (await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx;
});
after(async () => t?.close());

describe('time conditions against --as-of', () => {
  it('an admin grant limited to tokens issued before 2019 grants nothing: not super, not counted, no escalation', () => {
    const s = summary('token-before-2019');
    assert.equal(s.isAdmin, false);
    assert.equal(s.grantedActionCount, 0);
    assert.ok(!superUsers().includes(arn('token-before-2019')));
    assert.ok(!escalating().includes(arn('token-before-2019')));
    assert.deepEqual(findPaths(graphFor(ctx)!, { from: arn('token-before-2019') }), []);
  });

  it('a grant after a far-past date holds at the analysis time: a super identity', () => {
    const s = summary('after-2000');
    assert.equal(s.isAdmin, true);
    assert.ok(superUsers().includes(arn('after-2000')));
  });

  it('aws:EpochTime below a past epoch never holds', () => {
    const s = summary('epoch-before-2017');
    assert.equal(s.isAdmin, false);
    assert.equal(s.grantedActionCount, 0);
    assert.ok(!escalating().includes(arn('epoch-before-2017')));
  });

  it('a source-IP condition stays undecided: granted with conditions, a conditional path showing the condition', () => {
    const s = summary('office-ip');
    assert.equal(s.isAdmin, false);
    assert.ok((s.grantedActionCount ?? 0) > 1000);
    assert.ok(!superUsers().includes(arn('office-ip')));
    const [path] = findPaths(graphFor(ctx)!, { from: arn('office-ip') });
    assert.ok(path, 'a path to admin');
    assert.equal(path.conditional, true);
    assert.deepEqual(path.steps[0]?.conditions, ['IpAddress aws:SourceIp 203.0.113.0/24']);
  });
});
