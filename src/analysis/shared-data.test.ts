/**
 * Real IAM snapshots from ../shared/data (cloudsplaining's test files, the cloudmapper demo
 * account). Imported with no CloudTrail at all, nothing is judged inactive (activity unknown:
 * no logs, no evidence). Once CloudTrail covers the window but shows nothing, every judged
 * identity is inactive, except those created inside the window, service-linked roles and
 * those IAM itself saw used in the window.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { sharedData } from '../../test/support/paths.js';
import { cover, tempStore } from '../../test/support/analysis.js';
import { iamReportedLastUsed } from './rules/inactive-identity.js';
import { readIamFile, importIamInputs } from '../iam/import.js';
import { IamRepository } from '../iam/repository.js';
import { loadAnalysis } from './load.js';
import { runRules } from './engine.js';
import { builtinRules } from './rules/index.js';

const DAY = 86_400_000;

const datasets: { name: string; files: string[] }[] = [
  { name: 'cloudsplaining example-authz-details', files: [sharedData('cloudsplaining/test/files/example-authz-details.json')] },
  { name: 'cloudsplaining example_authz_v2', files: [sharedData('cloudsplaining/test/files/example_authz_v2.json')] },
  {
    name: 'cloudsplaining overrides',
    files: [sharedData('cloudsplaining/test/files/example_authz_details_for_overrides_complete.json')],
  },
  {
    name: 'cloudmapper demo',
    files: [
      sharedData('cloudmapper-demo/account-data/demo/us-east-1/iam-get-account-authorization-details.json'),
      sharedData('cloudmapper-demo/account-data/demo/us-east-1/iam-get-credential-report.json'),
    ],
  },
];

describe('shared IAM snapshots with no events', () => {
  for (const ds of datasets) {
    it(`${ds.name}: all judged identities inactive, none judged inside the window`, async (t) => {
      if (!ds.files.every((f) => existsSync(f))) return t.skip('shared data not present');
      const store = await tempStore();
      try {
        const inputs = await Promise.all(ds.files.map((f) => readIamFile(f)));
        // taken before both asOf below (the second is just after the newest creation date)
        await importIamInputs(inputs, new IamRepository(store.store.iam), { importedAt: '2026-06-01T00:00:00Z', takenAt: '2000-01-01T00:00:00Z' });
        const none = await loadAnalysis(store.store, { asOf: '2030-01-01T00:00:00Z', windowDays: 90 });
        assert.deepEqual(runRules(builtinRules, none.ctx, { rules: ['inactive-identity'] }).findings, []);
        assert.ok(none.ctx.identities.every((i) => i.summary.activity === 'unknown'));
        const accounts = [...new Set(none.ctx.identities.map((i) => i.summary.accountId))];
        await cover(store.store, { accounts, since: '2000-01-01T00:00:00Z', until: '2031-01-01T00:00:00Z' });

        // With asOf long after every creation date: all judged identities are inactive.
        const late = await loadAnalysis(store.store, { asOf: '2030-01-01T00:00:00Z', windowDays: 90 });
        const judged = late.ctx.identities.filter((i) => i.iam && !i.serviceLinked);
        assert.ok(judged.length > 0, 'identities imported');
        const inactive = new Set(runRules(builtinRules, late.ctx, { rules: ['inactive-identity'] }).findings.map((f) => f.resource));
        for (const i of judged) assert.ok(inactive.has(i.summary.arn), `${i.summary.arn} inactive`);
        for (const i of late.ctx.identities) {
          assert.equal(i.summary.lastActivity, null);
          assert.deepEqual(i.summary.usedActions, []);
          if (i.serviceLinked) assert.ok(!inactive.has(i.summary.arn), `${i.summary.arn} service-linked, not judged`);
        }

        // Then with asOf just after the newest identity was created: it is too young to judge.
        const created = judged.map((i) => Date.parse(i.summary.createdAt ?? '')).filter((n) => !Number.isNaN(n));
        const newest = Math.max(...created);
        const asOf = new Date(newest + DAY).toISOString();
        const early = await loadAnalysis(store.store, { asOf, windowDays: 90 });
        const inactiveEarly = new Set(runRules(builtinRules, early.ctx, { rules: ['inactive-identity'] }).findings.map((f) => f.resource));
        let young = 0;
        for (const i of early.ctx.identities.filter((x) => x.iam && !x.serviceLinked)) {
          const c = Date.parse(i.summary.createdAt ?? '');
          const inWindow = c > Date.parse(asOf) - 90 * DAY;
          if (inWindow) young++;
          const iamSeen = iamReportedLastUsed(i.iam!, early.ctx, i.summary.accountId);
          const seenInWindow = iamSeen !== null && Date.parse(iamSeen) >= Date.parse(asOf) - 90 * DAY;
          assert.equal(inactiveEarly.has(i.summary.arn), !inWindow && !seenInWindow, `${i.summary.arn} created ${i.summary.createdAt}`);
        }
        assert.ok(young >= 1);
      } finally {
        await store.close();
      }
    });
  }
});
