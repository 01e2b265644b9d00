/**
 * Scope and time mean the same everywhere: --account narrows the report, never the model;
 * --as-of picks the IAM snapshots in force then; what is missing comes back as notices.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectIamInput, importIamInputs } from '../iam/import.js';
import { IamRepository } from '../iam/repository.js';
import { addRecords, allow, authorizationDetails, credentialReport, daysBefore, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { loadAnalysis } from './load.js';
import { runRules } from './engine.js';
import { builtinRules } from './rules/index.js';
import { missingData } from './notices.js';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const AS_OF = '2026-06-01T00:00:00Z';
const stores: TempStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

async function importAt(t: TempStore, docs: { json: unknown; name: string }[], takenAt: string): Promise<void> {
  const inputs = docs.map((d) => detectIamInput(typeof d.json === 'string' ? d.json : JSON.stringify(d.json), d.name));
  await importIamInputs(inputs, new IamRepository(t.store.iam), { importedAt: '2026-12-01T00:00:00Z', takenAt });
}

describe('--account narrows the report, not what is known', () => {
  it('a member role trusting the management account is not "external", with or without --account', async () => {
    const t = await tempStore();
    stores.push(t);
    const scps = {
      managementAccountId: MGMT,
      policies: [{ id: 'p-full', name: 'FullAWSAccess', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, targets: ['r-1'] }],
      accounts: [
        { id: MGMT, parents: ['r-1'] },
        { id: MEMBER, parents: ['r-1'] },
      ],
    };
    const member = authorizationDetails({
      roles: [
        {
          name: 'org-admin-access',
          account: MEMBER,
          created: '2025-01-01T00:00:00Z',
          trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MGMT}:root` }, Action: 'sts:AssumeRole' }] },
          inline: [allow(['s3:ListAllMyBuckets'])],
        },
        {
          name: 'vendor-access',
          account: MEMBER,
          created: '2025-01-01T00:00:00Z',
          trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' }] },
          inline: [allow(['s3:ListAllMyBuckets'])],
        },
      ],
    });
    await importAt(t, [{ json: scps, name: 'scps.json' }, { json: member, name: 'member.json' }], '2026-01-01T00:00:00Z');
    const rule = builtinRules.filter((r) => r.id === 'role-trust-external-without-externalid');
    const trusted = async (accountId?: string) => {
      const { ctx } = await loadAnalysis(t.store, { asOf: AS_OF, ...(accountId ? { accountId } : {}) });
      return runRules(rule, ctx, accountId ? { accountId } : {}).findings.map((f) => `${f.resource} -> ${String(f.details.trustedAccount)}`);
    };
    const expected = [`arn:aws:iam::${MEMBER}:role/vendor-access -> 999988887777`];
    assert.deepEqual(await trusted(), expected);
    assert.deepEqual(await trusted(MEMBER), expected, 'the organization is still known with --account');
    assert.deepEqual(await trusted(MGMT), [], 'findings of other accounts are filtered out');
  });

  it('identities are filtered to the account; usage of every account is still loaded', async () => {
    const t = await tempStore();
    stores.push(t);
    await importAt(
      t,
      [
        { json: authorizationDetails({ users: [{ name: 'a', account: MGMT, created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] }] }), name: 'm.json' },
        { json: authorizationDetails({ users: [{ name: 'b', account: MEMBER, created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] }] }), name: 'b.json' },
      ],
      '2026-01-01T00:00:00Z',
    );
    await addRecords(t.store, [record({ user: 'b', account: MEMBER }, 's3:ListBuckets', daysBefore(AS_OF, 3))]);
    const all = await loadAnalysis(t.store, { asOf: AS_OF });
    const member = await loadAnalysis(t.store, { asOf: AS_OF, accountId: MEMBER });
    assert.deepEqual(all.ctx.identities.map((i) => i.summary.name), ['a', 'b']);
    assert.deepEqual(member.ctx.identities.map((i) => i.summary.name), ['b']);
    assert.deepEqual(member.ctx.identities[0]!.summary.usedActions, ['s3:ListAllMyBuckets']);
    assert.deepEqual(member.ctx.snapshots.map((s) => s.accountId), [MGMT, MEMBER], 'the model spans the organization');
  });
});

describe('--as-of picks the IAM snapshot in force then', () => {
  it('the latest taken at or before --as-of, not the newest; none before the first', async () => {
    const t = await tempStore();
    stores.push(t);
    const user = (name: string) => ({ name, account: MGMT, created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] });
    await importAt(t, [{ json: authorizationDetails({ users: [user('early')] }), name: 'march.json' }], '2026-03-01T00:00:00Z');
    await importAt(t, [{ json: authorizationDetails({ users: [user('early'), user('late')] }), name: 'may.json' }], '2026-05-01T00:00:00Z');
    const names = async (asOf: string) => {
      const { ctx, notices } = await loadAnalysis(t.store, { asOf });
      return { names: ctx.identities.filter((i) => i.summary.inSnapshot).map((i) => i.summary.name), notices: notices.map((n) => n.kind) };
    };
    assert.deepEqual((await names('2026-04-01T00:00:00Z')).names, ['early']);
    assert.deepEqual((await names('2026-06-01T00:00:00Z')).names, ['early', 'late']);
    const before = await names('2026-02-01T00:00:00Z');
    assert.deepEqual(before.names, []);
    assert.ok(before.notices.includes('no-iam-snapshot-at'), before.notices.join());
    const { notices } = await loadAnalysis(t.store, { asOf: '2026-02-01T00:00:00Z' });
    assert.match(notices.find((n) => n.kind === 'no-iam-snapshot-at')!.message, /no IAM snapshot was in force at 2026-02-01T00:00:00Z: the earliest was taken at 2026-03-01T00:00:00.000Z/);
  });

  it('a credential report is taken when AWS generated it', async () => {
    const t = await tempStore();
    stores.push(t);
    const csv = credentialReport([{ user: 'early', account: MGMT, created: '2025-01-01T00:00:00Z' }]);
    const json = { Content: Buffer.from(csv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: '2026-04-10T00:00:00Z' };
    await importIamInputs([detectIamInput(JSON.stringify(json), 'report.json')], new IamRepository(t.store.iam), { importedAt: '2026-12-01T00:00:00Z' });
    const [row] = await t.store.iam.latest('credential-report');
    assert.equal(row!.takenAt, '2026-04-10T00:00:00.000Z');
    assert.equal((await t.store.iam.latestAt('credential-report', '2026-04-09T00:00:00Z')).length, 0);
  });
});

describe('notices: what is missing and the command that brings it in', () => {
  const none = { oldestEventTime: null, newestEventTime: null };
  it('an empty store lacks a snapshot and events', () => {
    const n = missingData({ asOf: AS_OF, windowStart: '2026-03-03T00:00:00Z', inventory: [], events: none, eventAccounts: new Set() });
    assert.deepEqual(n.map((x) => x.kind), ['no-iam-snapshot', 'no-events']);
    assert.ok(n[0]!.commands.some((c) => c.includes('trailscope iam import auth.json')));
    assert.ok(n[0]!.commands.includes('trailscope iam sync'));
    assert.ok(n[1]!.commands.some((c) => c.startsWith('trailscope import ')));
  });

  it('an unknown --account lists the known ones; a snapshot without credential report asks for one', () => {
    const inventory = [{ accountId: MGMT, kind: 'authorization-details', snapshots: 1, firstTakenAt: '2026-01-01T00:00:00.000Z', lastTakenAt: '2026-01-01T00:00:00.000Z' }];
    const events = { events: 5, oldestEventTime: '2026-05-01T00:00:00Z', newestEventTime: '2026-05-20T00:00:00Z' };
    const unknown = missingData({ asOf: AS_OF, windowStart: '2026-03-03T00:00:00Z', accountId: '333333333333', inventory, events, eventAccounts: new Set([MEMBER]) });
    assert.equal(unknown[0]!.kind, 'unknown-account');
    assert.match(unknown[0]!.message, new RegExp(`account 333333333333 .*known accounts are ${MGMT}, ${MEMBER}`));
    const known = missingData({ asOf: AS_OF, windowStart: '2026-03-03T00:00:00Z', inventory, events, eventAccounts: new Set() });
    assert.deepEqual(known.map((x) => x.kind), ['no-credential-report']);
    assert.match(known[0]!.commands[0]!, /aws iam get-credential-report .*trailscope iam import report\.csv/);
    const outside = missingData({ asOf: '2026-09-01T00:00:00Z', windowStart: '2026-08-01T00:00:00Z', inventory, events, eventAccounts: new Set() });
    assert.ok(outside.some((x) => x.kind === 'no-events-in-window'));
  });
});
