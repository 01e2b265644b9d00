import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScpExport, toScpChain } from './scps.js';

const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const denyS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };

const exportDoc = {
  managementAccountId: '111111111111',
  policies: [
    { id: 'p-FullAWSAccess', name: 'FullAWSAccess', document: allowAll, targets: ['r-root', 'ou-prod', 'ou-team', '111111111111', '222222222222', '333333333333'] },
    { id: 'p-denys3', name: 'DenyS3', document: encodeURIComponent(JSON.stringify(denyS3)), targets: ['ou-team'] },
  ],
  accounts: [
    { id: '111111111111', parents: ['r-root'] },
    { id: '222222222222', parents: ['ou-team', 'ou-prod', 'r-root'] },
    { id: '333333333333', parents: ['r-root', 'ou-prod'] },
  ],
};

test('chains run root → OUs → account; the management account is exempt', () => {
  const chains = parseScpExport(exportDoc);
  const byId = new Map(chains.map((c) => [c.accountId, c]));
  const mgmt = byId.get('111111111111')!;
  assert.equal(mgmt.isManagementAccount, true);
  assert.deepEqual(mgmt.levels, []);

  const team = toScpChain(byId.get('222222222222')!);
  assert.deepEqual(team.targets, ['r-root', 'ou-prod', 'ou-team', '222222222222']);
  assert.equal(team.levels.length, 4);
  assert.deepEqual(team.policyNames![2], ['FullAWSAccess', 'DenyS3']);
  assert.deepEqual(team.levels[2]![1], denyS3, 'URL-encoded SCP content decoded');

  // a parents list already starting at the root is kept in that order
  assert.deepEqual(toScpChain(byId.get('333333333333')!).targets, ['r-root', 'ou-prod', '333333333333']);
});

test('incomplete exports: levels without SCPs are skipped, deny-only levels assume FullAWSAccess, with warnings', () => {
  const chains = parseScpExport({
    policies: [
      { id: 'p-full', name: 'FullAWSAccess', document: allowAll, targets: ['r-root'] },
      { id: 'p-deny', name: 'DenyS3', document: denyS3, targets: ['ou-a'] },
    ],
    accounts: [{ id: '444444444444', parents: ['ou-a', 'r-root'], isManagement: false }],
  });
  const c = chains[0]!;
  assert.deepEqual(c.levels.map((l) => l.target), ['r-root', 'ou-a']);
  assert.deepEqual(c.levels[1]!.policies.map((p) => p.name), ['FullAWSAccess (assumed)', 'DenyS3']);
  assert.equal(c.warnings.length, 2);
  assert.match(c.warnings.join('\n'), /only deny/);
  assert.match(c.warnings.join('\n'), /no SCP listed for 444444444444/);
});

test('a wrong shape is refused with the expected shape in the message', () => {
  assert.throws(() => parseScpExport({ policies: [], accounts: [{ id: 'abc' }] }), /12 digits/);
  assert.throws(() => parseScpExport({ policies: {} }), /expected \{"policies"/);
});
