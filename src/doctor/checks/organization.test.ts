import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeOrganizationCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/index.js';
import { ACCOUNT, MEMBER, NOW, ORG_ID, denied, healthyWorld } from '../doctor.test-helpers.js';

let fx: FauxqsFixture;
let dir: string;
let n = 0;
before(async () => {
  fx = await startFauxqsForTest();
  dir = mkdtempSync(join(tmpdir(), 'doctor-org-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fx.stop();
});

async function storeWith(lastHours: Record<string, number>): Promise<Store> {
  const store = await openStore(join(dir, `s${++n}.sqlite`));
  await store.coverage.add(
    Object.entries(lastHours).map(([accountId, h]) => {
      const at = new Date(NOW.getTime() - h * 3_600_000).toISOString();
      return { accountId, region: 'us-east-1', since: at, until: at };
    }),
  );
  return store;
}

test('organization-accounts: an active account without a folder fails, naming it, with the organization-trail fix', async () => {
  const w = await healthyWorld(fx, 'organization');
  w.organizations.on(ListAccountsCommand).resolves({
    Accounts: [
      { Id: ACCOUNT, Name: 'management', State: 'ACTIVE' },
      { Id: MEMBER, Name: 'workloads', State: 'ACTIVE' },
      { Id: '222233334444', Name: 'new-team', Status: 'ACTIVE' },
    ],
  });
  const r = await w.check('organization-accounts');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `1 of 3 active accounts have no folder under s3://${w.bucket}/AWSLogs/${ORG_ID}/: 222233334444 (new-team)`);
  assert.match(r.fix!, /aws cloudtrail update-trail --name arn:aws:cloudtrail:us-east-1:111122223333:trail\/main --is-organization-trail/);
  assert.match(r.fix!, new RegExp(`"Resource":"arn:aws:s3:::${w.bucket}/AWSLogs/${ORG_ID}/\\*"`));
});

test('organization-accounts: ListAccounts denied outside the management account warns and says where it works', async () => {
  const w = await healthyWorld(fx, 'organization');
  w.organizations.on(ListAccountsCommand).rejects(denied('plain', 'You don\'t have permissions to access this resource.', 'AccessDeniedException'));
  const r = await w.check('organization-accounts');
  assert.equal(r.status, 'warn');
  assert.match(r.found, /^organizations:ListAccounts was denied: the account list is readable only from the management account or a delegated administrator/);
});

test('organization-accounts: a connector configured for another organization fails', async () => {
  const w = await healthyWorld(fx, 'organization');
  w.organizations.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-zzzzzzzzzz' } });
  const r = await w.check('organization-accounts');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `the reader is in organization o-zzzzzzzzzz, but the connector reads ${ORG_ID}`);
});

test('account-files-recent: an organization account with no file in the store for a day warns, with the backfill command', async () => {
  const w = await healthyWorld(fx, 'organization');
  const store = await storeWith({ [ACCOUNT]: 1, [MEMBER]: 30 });
  try {
    const r = await w.check('account-files-recent', { store });
    assert.equal(r.status, 'warn');
    const last = new Date(Math.floor((NOW.getTime() - 30 * 3_600_000) / 3_600_000) * 3_600_000 + 3_600_000).toISOString();
    assert.equal(r.found, `1 of 2 accounts have no file in the store from the last 24 h: ${MEMBER} (last ${last})`);
    assert.equal(r.fix, `check that trailscope ingest runs for this connector (trailscope status), then fill the hole: trailscope backfill --connector ${w.connector.name} --since ${last} --account ${MEMBER}`);
  } finally {
    await store.close();
  }
});

test('account-files-recent: an account never seen in the store warns as "never"; without a store the check is skipped', async () => {
  const w = await healthyWorld(fx);
  const store = await storeWith({ '999999999999': 1 });
  try {
    const r = await w.check('account-files-recent', { store });
    assert.equal(r.status, 'warn');
    assert.match(r.found, new RegExp(`${ACCOUNT} \\(last never\\)`));
  } finally {
    await store.close();
  }
  const s = await w.check('account-files-recent');
  assert.equal(s.status, 'skip');
  assert.equal(s.found, 'no store was given');
});
