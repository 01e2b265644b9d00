import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { mockClient } from 'aws-sdk-client-mock';
import { GenerateCredentialReportCommand, GetAccountAuthorizationDetailsCommand, GetCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { sharedData } from '../../test/support/paths.js';
import { openStore } from '../store/index.js';
import { IamRepository } from '../iam/repository.js';
import { registerIam } from './iam.js';

const DEMO = sharedData('cloudmapper-demo', 'account-data', 'demo', 'us-east-1');
const CS = sharedData('cloudsplaining', 'test', 'files', 'example-authz-details.json');

async function run(args: string[], deps: Parameters<typeof registerIam>[1] = {}) {
  const lines: string[] = [];
  const program = new Command('trailscope').exitOverride();
  registerIam(program, { ...deps, out: (l) => lines.push(l) });
  await program.parseAsync(['node', 'trailscope', ...args]);
  return lines;
}

test('iam import: detects kinds, prints per-account counts, stores; re-import keeps history', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-iam-'));
  try {
    const db = join(dir, 't.db');
    const scps = join(dir, 'scps.json');
    writeFileSync(
      scps,
      JSON.stringify({
        policies: [{ id: 'p-full', name: 'FullAWSAccess', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, targets: ['r-1', '123456789012'] }],
        accounts: [{ id: '123456789012', parents: ['r-1'] }],
      }),
    );
    const lines = await run(['iam', 'import', '--db', db, `${DEMO}/iam-get-account-authorization-details.json`, CS, '--credential-report', `${DEMO}/iam-get-credential-report.json`, '--scps', scps]);
    const raw = JSON.parse(readFileSync(CS, 'utf8'));
    assert.ok(lines.includes(`account 012345678901: ${raw.UserDetailList.length} users, ${raw.RoleDetailList.length} roles, ${raw.GroupDetailList.length} groups, ${raw.Policies.length} managed policies`), lines.join('\n'));
    assert.ok(lines.some((l) => /^account 123456789012: credential report with 2 users$/.test(l)));
    assert.ok(lines.some((l) => /^SCPs for 1 accounts/.test(l)));
    await run(['iam', 'import', '--db', db, CS]);
    const store = await openStore(db);
    try {
      const repo = new IamRepository(store.iam);
      assert.equal((await repo.snapshotHistory('012345678901')).length, 2);
      const model = await repo.loadModel();
      assert.deepEqual([...model.accounts.keys()].sort(), ['012345678901', '123456789012']);
      assert.equal(model.scpChains.get('123456789012')?.levels.length, 2);
    } finally {
      await store.close();
    }
    await assert.rejects(run(['iam', 'import', '--db', db, join(dir, 'scps.json'), '--credential-report', scps]), /not an IAM credential report|JSON is not credential-report/);
    await assert.rejects(run(['iam', 'import', '--db', db]), /nothing to import/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('iam sync: injected clients; Organizations denied → warning, the rest stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-iam-'));
  try {
    const db = join(dir, 't.db');
    const iam = mockClient(IAMClient);
    const raw = JSON.parse(readFileSync(CS, 'utf8'));
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(raw);
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
    const csv = (JSON.parse(readFileSync(`${DEMO}/iam-get-credential-report.json`, 'utf8')) as { Content: string }).Content.replaceAll('123456789012', '012345678901');
    iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode(csv) });
    const org = mockClient(OrganizationsClient);
    org.on(DescribeOrganizationCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const seen: unknown[] = [];
    const lines = await run(['iam', 'sync', '--db', db, '--role-arn', 'arn:aws:iam::012345678901:role/Audit', '--external-id', 'x1'], {
      syncClients: (opts) => {
        seen.push(opts);
        return { iam: iam as unknown as IAMClient, organizations: org as unknown as OrganizationsClient };
      },
    });
    assert.deepEqual(seen, [{ roleArn: 'arn:aws:iam::012345678901:role/Audit', externalId: 'x1' }]);
    assert.ok(lines[0]!.startsWith('account 012345678901: 3 users'));
    assert.ok(lines.some((l) => l.startsWith('warning: scps: Organizations access was denied')));
    const store = await openStore(db);
    try {
      const model = await new IamRepository(store.iam).loadModel();
      assert.equal(model.credentialReports.get('012345678901')?.rows.length, 3);
    } finally {
      await store.close();
    }
    await assert.rejects(run(['iam', 'sync', '--db', db, '--external-id', 'x']), /--external-id needs --role-arn/);
    await assert.rejects(run(['iam', 'sync', '--db', db, '--org-role-name', 'Audit', '--no-scps']), /--org-role-name needs/);

    // --org-role-name: Organizations denied here, so only the caller's account, with the reason
    const orgLines = await run(['iam', 'sync', '--db', db, '--org-role-name', 'Audit', '--region', 'eu-west-1'], {
      syncClients: () => ({ iam: iam as unknown as IAMClient, organizations: org as unknown as OrganizationsClient }),
    });
    assert.ok(orgLines.some((l) => l.startsWith('warning: member-account: member accounts were not pulled')), orgLines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('iam import: a file merging several accounts is split, one snapshot and line per account, with a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-iam-'));
  try {
    // a published export and the same account's export renumbered, merged into one file as tools publish them
    const text = readFileSync(CS, 'utf8');
    const other = join(dir, 'other.json');
    writeFileSync(other, text.replaceAll('012345678901', '210987654321'));
    const a = JSON.parse(text) as Record<string, unknown[]>;
    const b = JSON.parse(readFileSync(other, 'utf8')) as Record<string, unknown[]>;
    const lists = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'];
    const merged = Object.fromEntries(lists.map((k) => [k, [...(a[k] ?? []), ...(b[k] ?? [])]]));
    const file = join(dir, 'merged.json');
    writeFileSync(file, JSON.stringify(merged));

    const db = join(dir, 'merged.db');
    const lines = await run(['iam', 'import', '--db', db, file, '--taken-at', '2026-01-15T00:00:00Z']);
    // the same files imported one by one give the reference counts
    const single = await run(['iam', 'import', '--db', join(dir, 'single.db'), CS, other]);
    const accountLines = (ls: string[]) => ls.filter((l) => /^account \d{12}: /.test(l)).sort();
    assert.deepEqual(accountLines(lines), accountLines(single));
    assert.equal(accountLines(lines).length, 2);
    assert.ok(
      lines.some((l) => /^warning: .*merged\.json merged the authorization details of 2 accounts \(012345678901, 210987654321\): imported one snapshot per account/.test(l)),
      lines.join('\n'),
    );
    const store = await openStore(db);
    try {
      assert.deepEqual(await store.iam.accounts(), ['012345678901', '210987654321']);
      // --taken-at: in force from that time on, not before
      assert.equal((await store.iam.latestAt('authorization-details', '2026-01-14T00:00:00Z')).length, 0);
      const rows = await store.iam.latestAt('authorization-details', '2026-01-15T00:00:00Z');
      assert.deepEqual(rows.map((r) => [r.accountId, r.takenAt]), [
        ['012345678901', '2026-01-15T00:00:00.000Z'],
        ['210987654321', '2026-01-15T00:00:00.000Z'],
      ]);
    } finally {
      await store.close();
    }
    await assert.rejects(run(['iam', 'import', '--db', db, file, '--taken-at', 'soon']), /not a time/);
    await assert.rejects(run(['iam', 'import', '--db', db, file, '--account-id', '012345678901']), /merge accounts .*--account-id/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
