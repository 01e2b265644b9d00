/** The identities, findings and policy commands end to end on a temp store. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, addRecords, cover, allow, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import { parseCsv } from '../iam/snapshot/credential-report.js';

const AS_OF = '2026-06-01T00:00:00Z';
let t: TempStore;

/** Runs the CLI in a child process (the test runner owns this process's stdout). */
function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const script = `import { main } from ${JSON.stringify(pathToFileURL(entry).href)}; await main(process.argv);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'trailscope', ...args, '--db', t.path],
      { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 });
      },
    );
  });
}

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          { name: '=cmd|calc', created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] },
          { name: 'worker', created: '2025-01-01T00:00:00Z', inline: [allow(['iam:*'])] },
        ],
      }),
    ],
  });
  await addRecords(t.store, [record({ user: 'worker' }, 'iam:ListUsers', daysBefore(AS_OF, 2))]);
  await cover(t.store);
});
after(async () => t?.close());

describe('analysis commands', () => {
  it('identities --json prints one object per identity with the public shape', async () => {
    const r = await run(['identities', '--json', '--as-of', AS_OF]);
    assert.equal(r.code, 0, r.err);
    const list = JSON.parse(r.out) as Record<string, unknown>[];
    assert.equal(list.length, 2);
    const worker = list.find((i) => i.name === 'worker')!;
    for (const k of ['arn', 'accountId', 'type', 'name', 'createdAt', 'lastActivity', 'usedActions', 'grantedActionCount', 'unusedActionCount', 'unknownActionCount', 'isAdmin', 'activity', 'coverage']) {
      assert.ok(k in worker, k);
    }
    assert.deepEqual(worker.usedActions, ['iam:ListUsers']);
    assert.equal(worker.accountId, ACCOUNT);
    assert.equal(worker.activity, 'known');
    assert.deepEqual(worker.coverage, { coveredDays: 90, spans: [{ start: daysBefore(AS_OF, 90), end: AS_OF }] });
  });

  it('findings --json / --format csv / sarif agree on the findings', async () => {
    const json = JSON.parse((await run(['findings', '--json', '--as-of', AS_OF])).out) as { rule: string; resource: string }[];
    assert.ok(json.some((f) => f.rule === 'inactive-identity' && f.resource.endsWith('user/=cmd|calc')));
    assert.ok(json.some((f) => f.rule === 'overprovisioned-identity' && f.resource.endsWith('user/worker')));
    const csv = parseCsv((await run(['findings', '--format', 'csv', '--as-of', AS_OF])).out.replace(/\r\n/g, '\n'));
    assert.equal(csv.length - 1, json.length);
    const sarif = JSON.parse((await run(['findings', '--format', 'sarif', '--as-of', AS_OF])).out) as { runs: { results: unknown[] }[] };
    assert.equal(sarif.runs[0]?.results.length, json.length);
  });

  it('filters by rule and severity, and rejects unknown values', async () => {
    const only = JSON.parse((await run(['findings', '--json', '--as-of', AS_OF, '--rule', 'inactive-identity'])).out) as { rule: string }[];
    assert.ok(only.length > 0 && only.every((f) => f.rule === 'inactive-identity'));
    const none = JSON.parse((await run(['findings', '--json', '--as-of', AS_OF, '--severity', 'critical'])).out) as unknown[];
    assert.deepEqual(none, []);
    const bad = await run(['findings', '--severity', 'urgent']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--severity must be one of/);
    const badRule = await run(['findings', '--rule', 'nope']);
    assert.match(badRule.err, /unknown rule id/);
  });

  it('policy suggest prints a policy document for the identity', async () => {
    const r = await run(['policy', 'suggest', `arn:aws:iam::${ACCOUNT}:user/worker`, '--as-of', AS_OF]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as { Version: string; Statement: { Action: string }[] };
    assert.equal(doc.Version, '2012-10-17');
    assert.deepEqual(doc.Statement.map((s) => s.Action), ['iam:ListUsers']);
    const bad = await run(['policy', 'suggest', 'arn:aws:sts::111122223333:assumed-role/x/y']);
    assert.notEqual(bad.code, 0);
  });
});
