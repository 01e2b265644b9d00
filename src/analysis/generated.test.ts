/**
 * The generator's planted CIEM cases (expected.json) through the whole pipeline: generated
 * CloudTrail files imported by the local import runner, IAM documents by the IAM import API,
 * then identities and findings compared with the known answers.
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
import { loadAnalysis, type AnalysisState } from './load.js';
import { runRules } from './engine.js';
import { builtinRules } from './rules/index.js';
import type { Finding } from '../model/finding.js';

let dir: string;
let store: Store;
let state: AnalysisState;
let findings: Finding[];
let cases: ExpectedCase[];
let end: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-gen-'));
  const out = join(dir, 'org');
  await generateOrganization({ out, accounts: 2, days: 100, eventsPerDay: 8, identitiesPerAccount: 3, seed: 'analysis-test', gzipLevel: 1 });
  const expected = JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8')) as { cases: ExpectedCase[]; window: { end: string } };
  cases = expected.cases;
  end = expected.window.end;
  store = await openStore(join(dir, 'db.sqlite'));
  await importPaths(store, [join(out, 'AWSLogs')]);
  const iamFiles = readdirSync(join(out, 'iam')).map((f) => join(out, 'iam', f));
  const inputs = await Promise.all([...iamFiles, join(out, 'organizations', 'scps.json')].map((f) => readIamFile(f)));
  // the generated IAM files describe the organization at the window's end; --as-of picks snapshots by that time
  await importIamInputs(inputs, new IamRepository(store.iam), { takenAt: end });
  state = await loadAnalysis(store, { asOf: end, windowDays: 90 });
  findings = runRules(builtinRules, state.ctx).findings;
});

after(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const of = (category: string) => cases.filter((c) => c.category === category);
const fired = (rule: string, arn: string) => findings.filter((f) => f.rule === rule && f.resource === arn);

describe('generated organization: planted cases', () => {
  it('has the planted CIEM cases to check', () => {
    assert.ok(of('inactive').length >= 5);
    assert.ok(of('super').length >= 4);
    assert.ok(of('over-provisioned').length >= 1);
    assert.ok(of('unused-credential').length >= 2);
  });

  it('inactive cases: inactive fire, active and not-judged do not', () => {
    for (const c of of('inactive')) {
      const status = c.expect.status;
      const f = fired('inactive-identity', c.arn);
      if (status === 'inactive') {
        assert.equal(f.length, 1, `${c.id}: expected inactive-identity on ${c.arn}`);
        const failed = c.expect.failedEventIDs as string[] | undefined;
        if (failed) for (const id of f[0]!.evidence) assert.ok(failed.includes(id), `${c.id}: evidence ${id} is a planted failure`);
      } else {
        assert.equal(f.length, 0, `${c.id}: expected no inactive-identity (${String(status)})`);
      }
      const people = c.expect.people as string[] | undefined;
      if (people) {
        const id = state.ctx.identities.find((i) => i.summary.arn === c.arn);
        assert.deepEqual(id?.summary.people, [...people].sort(), `${c.id}: people`);
      }
    }
  });

  it('super cases: admin exactly when expected (boundaries and denies honoured)', () => {
    for (const c of of('super')) {
      const id = state.ctx.identities.find((i) => i.summary.arn === c.arn);
      assert.ok(id, `${c.id}: identity listed`);
      assert.equal(id.summary.isAdmin, c.expect.super, `${c.id}: isAdmin`);
      assert.equal(fired('super-identity', c.arn).length, c.expect.super ? 1 : 0, `${c.id}: super-identity`);
    }
  });

  it('over-provisioned cases fire, with exactly the used actions', () => {
    for (const c of of('over-provisioned')) {
      const [f] = fired('overprovisioned-identity', c.arn);
      assert.ok(f, `${c.id}: overprovisioned-identity on ${c.arn}`);
      const used = c.expect.usedActions as string[] | undefined;
      if (used) assert.deepEqual((f.details.usedActions as string[]).slice().sort(), [...used].sort(), `${c.id}: used actions`);
    }
  });

  it('unused-credential cases fire the matching rule', () => {
    for (const c of of('unused-credential')) {
      const rule = c.expect.credential === 'password' ? 'unused-console-password' : 'unused-access-key';
      assert.ok(fired(rule, c.arn).length >= 1, `${c.id}: ${rule} on ${c.arn}`);
    }
  });

  it('every finding names an IAM user/role ARN or root, never a session', () => {
    for (const f of findings) {
      assert.match(f.resource, /^arn:aws:iam::\d{12}:(user\/|role\/|root$)/, f.resource);
      assert.ok(f.title && f.description && f.remediation, f.id);
    }
  });
});
