import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedData } from '../../test/support/paths.js';
import { IamRepository, IAM_KIND } from './repository.js';
import { MemoryIamStore } from './testing/memory-iam-store.js';
import { detectIamInput, importIamInputs, readIamFile } from './import.js';
import { parseAuthorizationDetails } from './snapshot/authorization-details.js';
import { createPermissionEvaluator } from './permissions/evaluator.js';

const DEMO = sharedData('cloudmapper-demo', 'account-data', 'demo', 'us-east-1');
const CS = (f: string) => sharedData('cloudsplaining', 'test', 'files', f);

test('saved snapshots read back equal, without re-parsing AWS forms', async () => {
  const store = new MemoryIamStore();
  const repo = new IamRepository(store);
  const snap = parseAuthorizationDetails(JSON.parse(readFileSync(CS('example-authz-details.json'), 'utf8')), { importedAt: '2026-01-01T00:00:00.000Z' });
  await repo.saveSnapshot(snap, 'test');
  const stored = store.rows[0]!;
  assert.equal(stored.kind, IAM_KIND.authorizationDetails);
  assert.equal(stored.accountId, '012345678901');
  assert.ok(!JSON.stringify(stored.document).includes('PolicyVersionList'), 'normalised, not the AWS form');
  assert.deepEqual(await repo.latestSnapshot('012345678901'), snap);
});

test('import by content detection: authorization details, credential report JSON and CSV, SCP export', async () => {
  const store = new MemoryIamStore();
  const repo = new IamRepository(store);
  const inputs = await Promise.all([
    readIamFile(`${DEMO}/iam-get-account-authorization-details.json`),
    readIamFile(`${DEMO}/iam-get-credential-report.json`),
  ]);
  assert.deepEqual(inputs.map((i) => i.kind), ['authorization-details', 'credential-report']);
  const csv = (JSON.parse(readFileSync(`${DEMO}/iam-get-credential-report.json`, 'utf8')) as { Content: string }).Content;
  assert.equal(detectIamInput(csv, 'report.csv').kind, 'credential-report');
  const scps = detectIamInput(
    JSON.stringify({ policies: [{ id: 'p-1', name: 'FullAWSAccess', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, targets: ['r-1'] }], accounts: [{ id: '123456789012', parents: ['r-1'] }] }),
    'scps.json',
  );
  assert.equal(scps.kind, 'scps');
  assert.throws(() => detectIamInput('{"Records":[]}', 'trail.json'), /JSON is not get-account-authorization-details/);
  assert.throws(() => detectIamInput('hello', 'x.txt'), /not recognised/);

  const { summary } = await importIamInputs([...inputs, scps], repo);
  assert.equal(summary.snapshots.length, 1);
  const raw = JSON.parse(readFileSync(`${DEMO}/iam-get-account-authorization-details.json`, 'utf8'));
  assert.deepEqual(
    [summary.snapshots[0]!.users, summary.snapshots[0]!.roles, summary.snapshots[0]!.groups],
    [raw.UserDetailList.length, raw.RoleDetailList.length, raw.GroupDetailList.length],
  );
  assert.deepEqual(summary.credentialReports.map((c) => [c.accountId, c.users]), [['123456789012', 2]]);
  assert.deepEqual((await store.accounts()), ['123456789012']);

  const model = await repo.loadModel();
  assert.equal(model.accounts.size, 1);
  assert.equal(model.scpChains.get('123456789012')?.levels.length, 1);
  const user = model.accounts.get('123456789012')!.users.find((u) => u.name === 'USER')!;
  assert.equal(user.hasConsolePassword, true, 'credential report merged into the model');
  const ev = await createPermissionEvaluator(model);
  for (const arn of model.identities.keys()) assert.ok(ev.effective(arn).granted.size >= 0);
});

test('re-import replaces the latest snapshot of the account and keeps the previous one', async () => {
  const store = new MemoryIamStore();
  const repo = new IamRepository(store);
  const raw = JSON.parse(readFileSync(CS('example-authz-details.json'), 'utf8'));
  await importIamInputs([detectIamInput(JSON.stringify(raw), 'day1.json')], repo, { importedAt: '2026-01-01T00:00:00.000Z' });
  const changed = structuredClone(raw);
  changed.UserDetailList = changed.UserDetailList.slice(1);
  await importIamInputs([detectIamInput(JSON.stringify(changed), 'day2.json')], repo, { importedAt: '2026-01-02T00:00:00.000Z' });
  const latest = await repo.latestSnapshot('012345678901');
  assert.equal(latest?.users.length, raw.UserDetailList.length - 1);
  const history = await repo.snapshotHistory('012345678901');
  assert.deepEqual(history.map((h) => [h.importedAt, h.users.length]), [
    ['2026-01-02T00:00:00.000Z', raw.UserDetailList.length - 1],
    ['2026-01-01T00:00:00.000Z', raw.UserDetailList.length],
  ]);
  assert.equal((await repo.loadModel()).accounts.get('012345678901')?.users.length, raw.UserDetailList.length - 1);
});

test('several files of one account merge; files of two accounts make two snapshots', async () => {
  const raw = JSON.parse(readFileSync(CS('example-authz-details.json'), 'utf8'));
  const a = { ...raw, RoleDetailList: [], IsTruncated: true, Marker: 'm1' };
  const b = { UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: raw.RoleDetailList };
  const other = JSON.parse(readFileSync(CS('managed_policy_mismatch.json'), 'utf8'));
  const { summary } = await importIamInputs(
    [detectIamInput(JSON.stringify(a), 'p1.json'), detectIamInput(JSON.stringify(b), 'p2.json'), detectIamInput(JSON.stringify(other), 'o.json')],
    undefined,
  );
  const byAccount = new Map(summary.snapshots.map((s) => [s.accountId, s]));
  assert.equal(byAccount.get('012345678901')?.roles, raw.RoleDetailList.length);
  assert.equal(byAccount.get('012345678901')?.users, raw.UserDetailList.length);
  assert.deepEqual(byAccount.get('012345678901')?.sources, ['p1.json', 'p2.json']);
  assert.equal(byAccount.get('123456789012')?.groups, 1);
  assert.deepEqual(byAccount.get('012345678901')?.warnings, []);

  // page 1 alone: its IsTruncated says more was to come
  const alone = await importIamInputs([detectIamInput(JSON.stringify(a), 'p1.json')], undefined);
  assert.match(alone.summary.snapshots[0]!.warnings.join(), /incomplete/);
});
