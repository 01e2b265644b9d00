/**
 * cloudsplaining's test snapshots imported through the IAM importer, with conclusions checked by
 * hand against the documents:
 * - example-authz-details.json: OverprivilegedEC2 (trusts EC2, in an instance profile) has
 *   iam:CreateAccessKey on "*", so it can mint keys for obama or userwithlotsofpermissions (both in
 *   the "admin" group: AdministratorAccess). MyRole and MyOtherRole (trust ssm) have iam:PassRole
 *   and ec2:AssociateIamInstanceProfile on "*": they can attach OverprivilegedEC2's profile to an
 *   instance, then use its credentials — two hops. biden (AWSLambdaFullAccess, RDS, S3 writes)
 *   could pass roles to Lambda, but no role trusts Lambda: no path.
 * - example_authz_details_for_overrides_complete.json: GOATRole is admin-equivalent and trusts
 *   ssm.amazonaws.com.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { sharedData } from '../../test/support/paths.js';
import { tempStore } from '../../test/support/analysis.js';
import { readIamFile, importIamInputs } from '../iam/import.js';
import { IamRepository } from '../iam/repository.js';
import { loadAnalysis, type AnalysisState } from '../analysis/load.js';
import { runRules } from '../analysis/engine.js';
import { builtinRules } from '../analysis/rules/index.js';
import { graphFor } from '../analysis/graph.js';
import { nextHops, pathFrom } from './paths.js';

const ACCT = '012345678901';
const arn = (k: string, n: string) => `arn:aws:iam::${ACCT}:${k}/${n}`;

async function analyse(file: string, fn: (state: AnalysisState) => void): Promise<void> {
  const t = await tempStore();
  try {
    await importIamInputs([await readIamFile(file)], new IamRepository(t.store.iam), { importedAt: '2026-06-01T00:00:00Z' });
    fn(await loadAnalysis(t.store, { asOf: '2026-06-01T00:00:00Z', windowDays: 90 }));
  } finally {
    await t.close();
  }
}

describe('cloudsplaining snapshots through the importer', () => {
  it('example-authz-details: CreateAccessKey on admins, and a two-hop instance-profile path', async (t) => {
    const file = sharedData('cloudsplaining/test/files/example-authz-details.json');
    if (!existsSync(file)) return t.skip('shared data not present');
    await analyse(file, (state) => {
      const g = graphFor(state.ctx)!;
      const admins = [...g.nodes.values()].filter((n) => n.isAdmin && (n.kind === 'user' || n.kind === 'role')).map((n) => n.id).sort();
      assert.deepEqual(admins, [arn('user', 'obama'), arn('user', 'userwithlotsofpermissions')]);
      const next = nextHops(g, g.adminTargets());
      const ec2 = pathFrom(g, next, arn('role', 'OverprivilegedEC2'));
      assert.deepEqual(ec2?.steps.map((s) => s.technique), ['iam-002']);
      assert.ok(admins.includes(ec2!.to), 'keys for an admin user');
      for (const from of ['MyRole', 'MyOtherRole']) {
        const p = pathFrom(g, next, arn('role', from));
        assert.deepEqual(p?.steps.map((s) => [s.technique, s.to]), [
          ['x-ec2-associateinstanceprofile', arn('role', 'OverprivilegedEC2')],
          ['iam-002', ec2!.to],
        ], from);
        assert.equal(p!.confidence, 'potential', 'no instance seen in CloudTrail');
        assert.equal(p!.status, 'possible');
      }
      assert.equal(pathFrom(g, next, arn('user', 'biden')), null);
      const found = runRules(builtinRules, state.ctx, { rules: ['privilege-escalation'] }).findings.map((f) => f.resource).sort();
      assert.deepEqual(found, [arn('role', 'MyOtherRole'), arn('role', 'MyRole'), arn('role', 'OverprivilegedEC2')]);
    });
  });

  it('overrides: an admin role trusted by SSM is reported with its service', async (t) => {
    const file = sharedData('cloudsplaining/test/files/example_authz_details_for_overrides_complete.json');
    if (!existsSync(file)) return t.skip('shared data not present');
    await analyse(file, (state) => {
      const f = runRules(builtinRules, state.ctx, { rules: ['admin-role-assumable-by-service', 'role-trust-public', 'role-trust-external-without-externalid'] }).findings;
      assert.deepEqual(f.map((x) => [x.rule, x.resource]), [['admin-role-assumable-by-service', arn('role', 'GOATRole')]]);
      assert.deepEqual(f[0]!.details.services, ['ssm.amazonaws.com']);
    });
  });
});
