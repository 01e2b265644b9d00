/** The findings use case and `trailscope findings --status` / `suppress` / `unsuppress`, end to end. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allow, authorizationDetails, importIam, tempStore, type RoleSpec, type TempStore } from '../../test/support/analysis.js';
import { runCli } from '../../test/support/cli-run.js';
import { detectIamInput, importIamInputs } from '../iam/import.js';
import { IamRepository } from '../iam/repository.js';
import { findFindings, suppressFinding, unsuppressFinding } from './findings.js';
import { UseCaseError } from './errors.js';

const OUTSIDE = '999988887777';
const trustingOutside: RoleSpec = {
  name: 'vendor',
  created: '2020-01-01T00:00:00Z',
  inline: [allow(['s3:GetObject'])],
  trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OUTSIDE}:root` }, Action: 'sts:AssumeRole' }] },
};
const RULE = 'role-trust-external-without-externalid';

let t: TempStore;
before(async () => {
  t = await tempStore();
  await importIam(t.store, { authz: [authorizationDetails({ roles: [trustingOutside] })] });
});
after(async () => t.close());


const cli = (args: string[]) => runCli(args, { db: t.path });

describe('findings lifecycle', () => {
  it('open with first and last seen; suppressed moves it under its filter; resolved after a snapshot without the cause', async () => {
    const first = await findFindings(t.store, { asOf: '2026-05-01T00:00:00Z', windowDays: 30, rules: [RULE] });
    assert.equal(first.findings.length, 1);
    const f = first.findings[0]!;
    assert.equal(f.status, 'open');
    assert.equal(f.firstSeen, '2026-05-01T00:00:00Z');
    const again = await findFindings(t.store, { asOf: '2026-05-02T00:00:00Z', windowDays: 30, rules: [RULE] });
    assert.equal(again.findings[0]!.id, f.id, 'the id is stable across runs');
    assert.deepEqual([again.findings[0]!.firstSeen, again.findings[0]!.lastSeen], ['2026-05-01T00:00:00Z', '2026-05-02T00:00:00Z']);

    // Through the CLI: suppress by id, hidden by default, shown under --status suppressed.
    const s = await cli(['suppress', f.id, '--reason', 'vendor access reviewed', '--until', '30d', '--by', 'alice']);
    assert.equal(s.code, 0, s.err);
    const hidden = JSON.parse((await cli(['findings', '--json', '--rule', RULE, '--as-of', '2026-05-03T00:00:00Z'])).out) as unknown[];
    assert.deepEqual(hidden, []);
    const shown = JSON.parse((await cli(['findings', '--json', '--rule', RULE, '--status', 'suppressed', '--as-of', '2026-05-03T00:00:00Z'])).out) as { id: string; status: string; suppression: { reason: string; by: string; until: string } }[];
    assert.deepEqual(shown.map((x) => [x.id, x.status, x.suppression.reason, x.suppression.by]), [[f.id, 'suppressed', 'vendor access reviewed', 'alice']]);
    assert.ok(Date.parse(shown[0]!.suppression.until) > Date.now() + 29 * 86_400_000);
    const missing = await cli(['suppress', 'no-such-id', '--reason', 'x']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no finding with id no-such-id/);
    assert.equal((await cli(['unsuppress', f.id])).code, 0);
    const table = await cli(['findings', '--rule', RULE, '--as-of', '2026-05-03T00:00:00Z', '--status', 'all']);
    assert.match(table.out, new RegExp(`open +high|open +\\w+ +${RULE}`));

    // A later snapshot without the role: the next run resolves it.
    const later = authorizationDetails({ roles: [{ name: 'app', created: '2020-01-01T00:00:00Z' }] });
    await importIamInputs([detectIamInput(JSON.stringify(later), 'later.json')], new IamRepository(t.store.iam), { importedAt: '2026-05-10T00:00:00Z', takenAt: '2026-05-10T00:00:00Z' });
    const after = await findFindings(t.store, { asOf: '2026-05-11T00:00:00Z', windowDays: 30, rules: [RULE] });
    assert.deepEqual(after.findings, []);
    const resolved = await findFindings(t.store, { asOf: '2026-05-11T00:00:00Z', windowDays: 30, rules: [RULE], statuses: ['resolved'] });
    assert.deepEqual(resolved.findings.map((x) => [x.id, x.status, x.resolvedAt]), [[f.id, 'resolved', '2026-05-11T00:00:00Z']]);
  });

  it('suppression errors are typed: no reason, an end in the past, an unknown id, not suppressed', async () => {
    const [f] = (await findFindings(t.store, { asOf: '2026-05-01T00:00:00Z', windowDays: 30, rules: [RULE], statuses: ['open', 'resolved'] })).findings;
    assert.ok(f);
    await assert.rejects(suppressFinding(t.store, f.id, { reason: ' ', by: 'a' }), UseCaseError);
    await assert.rejects(suppressFinding(t.store, f.id, { reason: 'r', by: 'a', until: '2000-01-01T00:00:00Z' }), /in the past/);
    await assert.rejects(suppressFinding(t.store, 'nope', { reason: 'r', by: 'a' }), (e: UseCaseError) => e.kind === 'not-found');
    await assert.rejects(unsuppressFinding(t.store, f.id), /is not suppressed/);
  });
});
