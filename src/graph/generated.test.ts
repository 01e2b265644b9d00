/**
 * The generator's planted privilege-escalation, trust and cross-account cases (expected.json)
 * through the whole pipeline: generated CloudTrail imported by the local import runner, IAM
 * documents and SCPs by the IAM import API, then the graph rules and `paths`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOrganization, type ExpectedCase } from '../generate/index.js';
import { importPaths } from '../ingest/local-import.js';
import { readIamFile, importIamInputs } from '../iam/import.js';
import { IamRepository } from '../iam/repository.js';
import { openStore, type Store } from '../store/index.js';
import { loadAnalysis, type AnalysisState } from '../analysis/load.js';
import { runRules } from '../analysis/engine.js';
import { builtinRules } from '../analysis/rules/index.js';
import type { Finding } from '../model/finding.js';
import { graphFor } from '../analysis/graph.js';
import { findPaths, type PathStep } from './paths.js';

let dir: string;
let store: Store;
let state: AnalysisState;
let findings: Finding[];
let cases: ExpectedCase[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-graph-gen-'));
  const out = join(dir, 'org');
  await generateOrganization({ out, accounts: 2, days: 100, eventsPerDay: 8, identitiesPerAccount: 3, seed: 'graph-test', gzipLevel: 1 });
  const expected = JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8')) as { cases: ExpectedCase[]; window: { end: string } };
  cases = expected.cases;
  store = await openStore(join(dir, 'db.sqlite'));
  await importPaths(store, [join(out, 'AWSLogs')]);
  const iamFiles = readdirSync(join(out, 'iam')).map((f) => join(out, 'iam', f));
  const inputs = await Promise.all([...iamFiles, join(out, 'organizations', 'scps.json')].map((f) => readIamFile(f)));
  // the generated IAM files describe the organization at the window's end; --as-of picks snapshots by that time
  await importIamInputs(inputs, new IamRepository(store.iam), { takenAt: expected.window.end });
  state = await loadAnalysis(store, { asOf: expected.window.end, windowDays: 90 });
  findings = runRules(builtinRules, state.ctx).findings;
});

after(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const byId = (id: string) => {
  const c = cases.find((x) => x.id === id);
  assert.ok(c, `planted case ${id}`);
  return c;
};
const fired = (rule: string, arn: string) => findings.filter((f) => f.rule === rule && f.resource === arn);
const steps = (f: Finding) => f.details.steps as PathStep[];

describe('generated organization: privilege escalation', () => {
  it('possible: CreatePolicyVersion on its own policy, never used', () => {
    const c = byId('privesc-possible-create-policy-version');
    const [f, ...rest] = fired('privilege-escalation', c.arn);
    assert.ok(f && rest.length === 0, 'one finding');
    assert.equal(f.details.status, 'possible');
    assert.equal(steps(f)[0]!.technique, 'iam-001');
    assert.equal(steps(f)[0]!.via, c.expect.via);
    assert.deepEqual(steps(f)[0]!.actions, c.expect.requiredActions);
    assert.equal(f.severity, 'high');
  });

  it('exercised: PassRole + CreateFunction + Invoke of the admin role, the role then acting', () => {
    const c = byId('privesc-exercised-passrole-lambda');
    const [f] = fired('privilege-escalation', c.arn);
    assert.ok(f, 'a finding');
    assert.equal(f.details.status, 'exercised');
    assert.equal(f.severity, 'critical');
    const [s] = steps(f);
    assert.equal(s!.technique, 'lambda-001');
    assert.equal(s!.to, c.expect.passedRole);
    assert.equal(s!.confidence, 'confirmed', 'CloudTrail shows the function created with the role');
    for (const id of c.expect.eventIDs as string[]) assert.ok(s!.succeededEventIds.includes(id), `event ${id}`);
  });

  it('attempted: AttachUserPolicy on itself, every call denied, no path configured', () => {
    const c = byId('privesc-attempted-attach-user-policy');
    const [f] = fired('privilege-escalation', c.arn);
    assert.ok(f, 'a finding');
    assert.equal(f.details.status, 'attempted');
    assert.equal(f.details.possible, false);
    assert.deepEqual(f.details.techniques, ['iam-008']);
    assert.deepEqual([...f.evidence].sort(), [...(c.expect.eventIDs as string[])].sort());
  });

  it('cross-account: a user of account 1 assumes an admin role of account 2, exercised', () => {
    const c = byId('cross-account-admin-path');
    const [f] = fired('privilege-escalation', c.arn);
    assert.ok(f, 'a finding');
    assert.equal(f.details.status, 'exercised');
    assert.equal(f.details.crossAccount, true);
    const [s, ...more] = steps(f);
    assert.equal(more.length, 0);
    assert.equal(s!.technique, 'sts-001');
    assert.equal(s!.to, c.expect.canAssume);
    // the planted AssumeRole calls spread over 100 days; the window is 90: those inside it are the evidence
    const planted = c.expect.eventIDs as string[];
    assert.ok(s!.succeededEventIds.length > 0, 'some AssumeRole calls in the window');
    for (const id of s!.succeededEventIds) assert.ok(planted.includes(id), `evidence ${id} is a planted AssumeRole`);
  });

  it('boundary- and deny-limited admins are not escalation targets, and no admin is reported as escalating', () => {
    for (const c of cases.filter((x) => x.category === 'super')) {
      const f = fired('privilege-escalation', c.arn);
      if (c.expect.super === true) assert.ok(f.every((x) => x.details.status === 'exercised'), `${c.id}: admins only appear for exercised escalations`);
    }
  });

  it('the lambda admin role lists the deployer as a consumer, with the function CloudTrail shows', () => {
    const exec = byId('super-role-lambda-admin-exec');
    const deployer = byId('privesc-exercised-passrole-lambda');
    const [f] = fired('admin-role-assumable-by-service', exec.arn);
    assert.ok(f, 'a finding');
    assert.deepEqual(f.details.services, ['lambda.amazonaws.com']);
    const consumers = f.details.consumers as { principal: string; status: string }[];
    assert.ok(consumers.some((x) => x.principal === deployer.arn && x.status === 'exercised'), 'deployer consumes the role');
    assert.ok((f.details.resources as string[]).some((r) => r.includes(':function:maintenance-')), 'the function');
  });
});

describe('generated organization: role trusts', () => {
  it('public, external-without-external-id and OIDC-without-sub fire; their controls do not', () => {
    const pub = byId('trust-public');
    const [p] = fired('role-trust-public', pub.arn);
    assert.ok(p, 'a finding');
    assert.equal(p.details.principal, pub.expect.principal);
    assert.equal(p.details.conditions, pub.expect.conditions);

    const ext = byId('trust-external-without-external-id');
    const [e] = fired('role-trust-external-without-externalid', ext.arn);
    assert.equal(e?.details.trustedAccount, ext.expect.trustedAccount);
    assert.equal(fired('role-trust-external-without-externalid', byId('trust-external-with-external-id').arn).length, 0);

    const oidc = byId('trust-oidc-without-sub');
    const [o] = fired('role-trust-oidc-unscoped', oidc.arn);
    assert.equal(o?.details.provider, oidc.expect.provider);
    assert.deepEqual(o?.details.checks, oidc.expect.checks);
    assert.equal(fired('role-trust-oidc-unscoped', byId('trust-oidc-with-sub').arn).length, 0);

    // the cross-account admin role trusts an imported account: not external
    assert.equal(fired('role-trust-external-without-externalid', byId('cross-account-admin-path').expect.canAssume as string).length, 0);
  });

  it('paths: entry points reach admin; the cross-account path is exercised', () => {
    const graph = graphFor(state.ctx)!;
    const paths = findPaths(graph);
    const carlos = byId('cross-account-admin-path');
    const p = paths.find((x) => x.from === carlos.arn);
    assert.ok(p, 'carlos has an access key: an entry point');
    assert.equal(p.status, 'exercised');
    assert.equal(p.to, carlos.expect.canAssume);
    for (const x of paths) assert.ok(graph.node(x.from)!.entry.length > 0 && !graph.node(x.from)!.isAdmin, `${x.from} is a non-admin entry point`);
  });
});
