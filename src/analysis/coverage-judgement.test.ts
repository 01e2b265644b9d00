/**
 * Activity is judged only where CloudTrail was watching (issue 9): a fresh store with IAM
 * snapshots only, a window partly covered, a region whose files stopped, and IAM's own
 * last-used dates. Through the real store, IAM import and rules.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCOUNT,
  addRecords,
  allow,
  authorizationDetails,
  cover,
  credentialReport,
  daysBefore,
  importIam,
  record,
  tempStore,
  type TempStore,
} from '../../test/support/analysis.js';
import { loadAnalysis } from './load.js';
import { coverageNotice, DEFAULT_COVERAGE_OPTIONS } from './coverage.js';
import { runRules } from './engine.js';
import { builtinRules } from './rules/index.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OLD = '2025-01-01T00:00:00Z';
const JUDGED = new Set(['inactive-identity', 'overprovisioned-identity', 'unused-access-key', 'unused-console-password']);
const stores: TempStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

/** A store holding one account's IAM: an idle user with a key and a password, an idle role, a broad user using one action. */
async function iamOnly(opts: { roleLastUsed?: string } = {}): Promise<TempStore> {
  const t = await tempStore();
  stores.push(t);
  const authz = authorizationDetails({
    users: [
      { name: 'idle', created: OLD, inline: [allow(['s3:ListAllMyBuckets'])] },
      { name: 'broad', created: OLD, inline: [allow(['s3:*', 'ec2:*'])] },
    ],
    roles: [{ name: 'batch', created: OLD, inline: [allow(['s3:ListAllMyBuckets'])] }],
  });
  if (opts.roleLastUsed) {
    const details = authz as { RoleDetailList: Record<string, unknown>[] };
    details.RoleDetailList[0]!.RoleLastUsed = { LastUsedDate: opts.roleLastUsed, Region: 'us-east-1' };
  }
  await importIam(t.store, {
    authz: [authz],
    credentialReports: [credentialReport([{ user: 'idle', created: OLD, password: { lastUsed: daysBefore(AS_OF, 200) }, key1: { active: true, rotated: OLD, lastUsed: daysBefore(AS_OF, 200) } }])],
  });
  return t;
}

const judged = async (t: TempStore) => {
  const state = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 });
  return { state, findings: runRules(builtinRules, state.ctx).findings.filter((f) => JUDGED.has(f.rule)) };
};

describe('activity is judged only where CloudTrail was watching', () => {
  it('IAM snapshot only, no CloudTrail: nothing is judged inactive or unused; activity unknown; one notice for the account', async () => {
    const t = await iamOnly();
    const { state, findings } = await judged(t);
    assert.deepEqual(findings, []);
    const idle = state.ctx.identities.find((i) => i.summary.name === 'idle')!.summary;
    assert.equal(idle.activity, 'unknown');
    assert.deepEqual(idle.coverage, { coveredDays: 0, spans: [] });
    assert.equal(idle.unusedActionCount, null);
    assert.equal(idle.grantedActionCount, 1);
    const coverageNotices = (state.ctx.notices ?? []).filter((n) => n.kind === 'coverage');
    assert.equal(coverageNotices.length, 1);
    assert.match(coverageNotices[0]!.message, new RegExp(`account ${ACCOUNT}.*no CloudTrail logs in the window`));
    assert.match(coverageNotices[0]!.commands[0]!, new RegExp(`trailscope backfill --bucket .* --account ${ACCOUNT} --days 90`));
  });

  it('the same account fully covered: the idle identities, key and password are found', async () => {
    const t = await iamOnly();
    await cover(t.store);
    await addRecords(t.store, [record({ user: 'broad' }, 's3:ListBuckets', daysBefore(AS_OF, 3))]);
    const { state, findings } = await judged(t);
    const rules = (name: string) => findings.filter((f) => f.resource.endsWith(`/${name}`)).map((f) => f.rule).sort();
    assert.deepEqual(rules('idle'), ['inactive-identity', 'unused-access-key', 'unused-console-password']);
    assert.deepEqual(rules('batch'), ['inactive-identity']);
    assert.deepEqual(rules('broad'), ['overprovisioned-identity']);
    assert.equal(state.ctx.identities.find((i) => i.summary.name === 'idle')!.summary.activity, 'known');
    assert.deepEqual(state.ctx.notices, []);
  });

  it('a window partly covered (10 of 90 days) is judged on those days, and says so', async () => {
    const t = await iamOnly();
    await cover(t.store, { since: daysBefore(AS_OF, 10), until: AS_OF });
    const { state, findings } = await judged(t);
    const f = findings.find((x) => x.rule === 'inactive-identity' && x.resource.endsWith('user/idle'));
    assert.ok(f, 'judged: 10 covered days are above the 7-day minimum');
    assert.match(f.description, /logs cover 10 of those days/);
    assert.deepEqual((f.details.cloudTrail as { coveredDays: number }).coveredDays, 10);
    assert.deepEqual(state.ctx.identities.find((i) => i.summary.name === 'idle')!.summary.coverage?.spans, [{ start: daysBefore(AS_OF, 10), end: AS_OF }]);
  });

  it('under the minimum covered span (5 of 90 days; configurable) nothing is judged', async () => {
    const t = await iamOnly();
    await cover(t.store, { since: daysBefore(AS_OF, 5), until: AS_OF });
    assert.deepEqual((await judged(t)).findings, []);
    const lower = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90, options: { coverage: { gapHours: 24, minCoverageDays: 3 } } });
    assert.ok(runRules(builtinRules, lower.ctx).findings.some((f) => f.rule === 'inactive-identity'));
  });

  it('a window shorter than the minimum span is judged when CloudTrail covers all of it', async () => {
    const t = await iamOnly();
    await cover(t.store, { since: daysBefore(AS_OF, 3), until: AS_OF });
    const short = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 3 });
    assert.equal(short.ctx.coverage!.get(ACCOUNT)!.activity, 'known');
    assert.ok(runRules(builtinRules, short.ctx).findings.some((f) => f.rule === 'inactive-identity' && f.resource.endsWith('user/idle')));
  });

  it('a missing day is a gap; a quiet night is not', async () => {
    const t = await iamOnly();
    await cover(t.store, { since: daysBefore(AS_OF, 90), until: daysBefore(AS_OF, 41) });
    // 12 quiet hours, then files again
    await cover(t.store, { since: new Date(Date.parse(daysBefore(AS_OF, 41)) + 12 * 3_600_000).toISOString(), until: daysBefore(AS_OF, 20) });
    // a whole day missing
    await cover(t.store, { since: daysBefore(AS_OF, 19), until: AS_OF });
    const c = (await judged(t)).state.ctx.coverage!.get(ACCOUNT)!;
    assert.deepEqual(c.gaps, [{ start: daysBefore(AS_OF, 20), end: daysBefore(AS_OF, 19) }]);
    assert.equal(c.coveredDays, 89);
  });

  it('a region whose files stopped arriving while the others went on leaves the account uncovered', async () => {
    const t = await iamOnly();
    await cover(t.store, { regions: ['us-east-1'] });
    // eu-west-1 delivered until 100 days ago, then nothing: the window is not covered there.
    await cover(t.store, { regions: ['eu-west-1'], since: daysBefore(AS_OF, 300), until: daysBefore(AS_OF, 100) });
    const { state, findings } = await judged(t);
    assert.deepEqual(findings, []);
    const c = state.ctx.coverage!.get(ACCOUNT)!;
    assert.equal(c.coveredDays, 0);
    assert.deepEqual(c.regions.map((r) => [r.region, r.coveredDays]), [['eu-west-1', 0], ['us-east-1', 90]]);
  });

  it('an identity IAM saw used in the window (RoleLastUsed) is not inactive; IAM and CloudTrail views in details', async () => {
    const t = await iamOnly({ roleLastUsed: daysBefore(AS_OF, 15) });
    await cover(t.store);
    const { findings } = await judged(t);
    assert.equal(findings.filter((f) => f.rule === 'inactive-identity' && f.resource.endsWith('role/batch')).length, 0);
    const idle = findings.find((f) => f.rule === 'inactive-identity' && f.resource.endsWith('user/idle'))!;
    assert.equal(Date.parse((idle.details.iam as { lastUsed: string }).lastUsed), Date.parse(daysBefore(AS_OF, 200)));
    assert.deepEqual((idle.details.cloudTrail as { lastActivity: unknown }).lastActivity, null);
  });
});

describe('the coverage notice', () => {
  it('two hours of logs are two hours, not "no CloudTrail logs"', () => {
    const base = { accountId: ACCOUNT, activity: 'unknown' as const, gaps: [], regions: [] };
    const some = coverageNotice({ ...base, coveredDays: 0, spans: [{ start: '2018-11-28T22:00:00Z', end: '2018-11-29T00:00:00Z' }] }, 90, DEFAULT_COVERAGE_OPTIONS);
    assert.match(some.message, /CloudTrail logs cover only 2 hours of the 90 days in the window \(at least 7 days needed\)/);
    const none = coverageNotice({ ...base, coveredDays: 0, spans: [] }, 90, DEFAULT_COVERAGE_OPTIONS);
    assert.match(none.message, /no CloudTrail logs in the window/);
  });
});
