import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTrailsCommand, GetEventSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import { startFauxqsForTest } from '../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { ACCOUNT, MEMBER, NOW, healthyWorld, denied } from './doctor.test-helpers.js';
import { ALL_CHECKS, doctorExitCode } from './index.js';

let fx: FauxqsFixture;
let dir: string;
let store: Store;
before(async () => {
  fx = await startFauxqsForTest();
  dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  store = await openStore(join(dir, 'db.sqlite'));
  const hourAgo = new Date(NOW.getTime() - 3_600_000).toISOString();
  await store.coverage.add([
    { accountId: ACCOUNT, region: 'us-east-1', since: hourAgo, until: hourAgo },
    { accountId: MEMBER, region: 'eu-west-1', since: hourAgo, until: hourAgo },
  ]);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  await fx.stop();
});

test('a healthy account set-up passes every applicable check; exit code 0', async () => {
  const w = await healthyWorld(fx, 'account');
  const run = await w.run({ store });
  const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
  assert.deepEqual(
    run.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status}: ${r.found}`),
    ['organization-accounts: skip: the connector reads one account, not an organization'],
  );
  assert.equal(run.results.length, ALL_CHECKS.length);
  assert.equal(run.connector, w.connector.name);
  assert.equal(run.startedAt, NOW.toISOString());
  assert.equal(run.finishedAt, NOW.toISOString());
  assert.match(byId['recent-file-readable']!.found, new RegExp(`read s3://${w.bucket}/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/12/05/.*2 records`));
  for (const r of run.results) {
    assert.ok(r.title && r.why, `${r.id} has title and why`);
    assert.equal(r.fix, undefined, `${r.id} passes without a fix`);
  }
  assert.equal(doctorExitCode(run), 0);
});

test('a healthy organization set-up passes every check, organization-accounts included', async () => {
  const w = await healthyWorld(fx, 'organization');
  const run = await w.run({ store });
  assert.deepEqual(run.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.found}`), []);
  assert.match(run.results.find((r) => r.id === 'organization-accounts')!.found, /all 2 active accounts of o-a1b2c3d4e5 have a folder/);
});

test('check ids are unique and kebab-case (public contract)', () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  assert.deepEqual(ids, [
    'identity',
    'external-id-required',
    'trail-configured',
    'trail-logging',
    'management-events',
    'queue-notification',
    'bucket-queue-region',
    'queue-policy',
    'queue-settings',
    'queue-backlog',
    'recent-file-readable',
    'kms-key',
    'organization-accounts',
    'account-files-recent',
  ]);
});

test('an AccessDenied on a diagnostic call is a warn naming the missing read-only permission, not a crash', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(GetEventSelectorsCommand).rejects(denied('plain', 'User: x is not authorized to perform: cloudtrail:GetEventSelectors', 'AccessDeniedException'));
  const run = await w.run();
  const r = run.results.find((x) => x.id === 'management-events')!;
  assert.equal(r.status, 'warn');
  assert.match(r.found, /cloudtrail:GetEventSelectors was denied on arn:aws:cloudtrail:us-east-1:111122223333:trail\/main \(a read-only permission of the optional diagnostics policy\)/);
  assert.equal(r.fix, `add to the reader role's policy: {"Sid":"TrailscopeDiagnostics","Effect":"Allow","Action":["cloudtrail:GetEventSelectors"],"Resource":"*"}`);
  assert.deepEqual(r.details, { missingPermission: 'cloudtrail:GetEventSelectors' });
  assert.equal(run.results.find((x) => x.id === 'trail-logging')!.status, 'pass');
  assert.equal(doctorExitCode(run), 0, 'a warning alone does not fail the run');
});

test('a denied DescribeTrails warns on every trail check; the queue and file checks still run', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(DescribeTrailsCommand).rejects(denied('plain', 'denied', 'AccessDeniedException'));
  const run = await w.run();
  for (const id of ['trail-configured', 'trail-logging', 'management-events']) {
    const r = run.results.find((x) => x.id === id)!;
    assert.equal(r.status, 'warn', id);
    assert.match(r.found, /cloudtrail:DescribeTrails was denied/);
  }
  assert.equal(run.results.find((x) => x.id === 'queue-policy')!.status, 'pass');
  assert.equal(run.results.find((x) => x.id === 'kms-key')!.status, 'pass', 'the key comes from the connector');
});

test('doctorExitCode is 1 when any check fails, 0 for warnings and skips', () => {
  const r = (status: 'pass' | 'warn' | 'fail' | 'skip') => ({ id: 'x', title: 't', why: 'w', status, found: 'f' });
  assert.equal(doctorExitCode({ results: [r('pass'), r('warn'), r('skip')] }), 0);
  assert.equal(doctorExitCode({ results: [r('pass'), r('fail')] }), 1);
});

test('a DoctorRun is a plain JSON record the store keeps as it is (types and JSON round trip)', async () => {
  const w = await healthyWorld(fx, 'organization');
  w.canned.GetBucketNotificationConfiguration = () => ({});
  const run = await w.run({ store });
  // The store's DoctorRunRecord shape: compile-time proof that no mapping is needed.
  const record: { connector: string; startedAt: string; finishedAt: string; results: Record<string, unknown>[] } = run;
  assert.deepEqual(JSON.parse(JSON.stringify(record)), record);
  assert.equal(doctorExitCode(run), 1);
});
