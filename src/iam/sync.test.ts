import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  AccessDeniedException,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { sharedData } from '../../test/support/paths.js';
import { syncIam, syncOrganization } from './sync.js';
import { importIamInputs } from './import.js';
import { parseAuthorizationDetails } from './snapshot/authorization-details.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;
const raw: Raw = JSON.parse(readFileSync(sharedData('cloudsplaining', 'test', 'files', 'example-authz-details.json'), 'utf8'));
const reportCsv: string = JSON.parse(
  readFileSync(sharedData('cloudmapper-demo', 'account-data', 'demo', 'us-east-1', 'iam-get-credential-report.json'), 'utf8'),
).Content.replaceAll('123456789012', '012345678901');

/** What the IAM API returns through SDK v3: URL-encoded documents, Date objects. */
function sdkForm(page: Raw): Raw {
  const enc = (d: unknown) => encodeURIComponent(JSON.stringify(d));
  const c = structuredClone(page);
  for (const u of c.UserDetailList ?? []) {
    u.CreateDate = new Date(u.CreateDate.replace(' ', 'T'));
    for (const p of u.UserPolicyList ?? []) p.PolicyDocument = enc(p.PolicyDocument);
  }
  for (const g of c.GroupDetailList ?? []) for (const p of g.GroupPolicyList ?? []) p.PolicyDocument = enc(p.PolicyDocument);
  for (const r of c.RoleDetailList ?? []) {
    r.AssumeRolePolicyDocument = enc(r.AssumeRolePolicyDocument);
    for (const p of r.RolePolicyList ?? []) p.PolicyDocument = enc(p.PolicyDocument);
  }
  for (const p of c.Policies ?? []) for (const v of p.PolicyVersionList ?? []) v.Document = enc(v.Document);
  return c;
}

function mockIam() {
  const iam = mockClient(IAMClient);
  const page1 = sdkForm({ UserDetailList: raw.UserDetailList, GroupDetailList: raw.GroupDetailList, RoleDetailList: [], Policies: raw.Policies.slice(0, 16) });
  const page2 = sdkForm({ UserDetailList: [], GroupDetailList: [], RoleDetailList: raw.RoleDetailList, Policies: raw.Policies.slice(16) });
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({ ...page1, IsTruncated: true, Marker: 'page-2' });
  iam.on(GetAccountAuthorizationDetailsCommand, { Marker: 'page-2' }).resolves({ ...page2, IsTruncated: false });
  iam
    .on(GenerateCredentialReportCommand)
    .resolvesOnce({ State: 'STARTED' })
    .resolvesOnce({ State: 'INPROGRESS' })
    .resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode(reportCsv), GeneratedTime: new Date('2026-03-01T00:00:00Z'), ReportFormat: 'text/csv' });
  return iam;
}

test('sync: every authorization-details page, the credential report after waiting, and SCPs', async () => {
  const iam = mockIam();
  const org = mockClient(OrganizationsClient);
  org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-1', MasterAccountId: '999999999999' } });
  org.on(ListPoliciesCommand).resolves({ Policies: [{ Id: 'p-full', Name: 'FullAWSAccess' }], NextToken: 't2' });
  org.on(ListPoliciesCommand, { Filter: 'SERVICE_CONTROL_POLICY', NextToken: 't2' }).resolves({ Policies: [{ Id: 'p-nos3', Name: 'NoS3' }] });
  org.on(DescribePolicyCommand, { PolicyId: 'p-full' }).resolves({ Policy: { Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) } });
  org.on(DescribePolicyCommand, { PolicyId: 'p-nos3' }).resolves({ Policy: { Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] }) } });
  org.on(ListTargetsForPolicyCommand, { PolicyId: 'p-full' }).resolves({ Targets: [{ TargetId: 'r-1' }, { TargetId: 'ou-1' }, { TargetId: '012345678901' }] });
  org.on(ListTargetsForPolicyCommand, { PolicyId: 'p-nos3' }).resolves({ Targets: [{ TargetId: 'ou-1' }] });
  org.on(ListAccountsCommand).resolves({ Accounts: [{ Id: '012345678901', Name: 'prod' }, { Id: '999999999999', Name: 'mgmt' }] });
  org.on(ListParentsCommand, { ChildId: '012345678901' }).resolves({ Parents: [{ Id: 'ou-1', Type: 'ORGANIZATIONAL_UNIT' }] });
  org.on(ListParentsCommand, { ChildId: 'ou-1' }).resolves({ Parents: [{ Id: 'r-1', Type: 'ROOT' }] });
  org.on(ListParentsCommand, { ChildId: '999999999999' }).resolves({ Parents: [{ Id: 'r-1', Type: 'ROOT' }] });

  const sleeps: number[] = [];
  const result = await syncIam({ iam: iam as unknown as IAMClient, organizations: org as unknown as OrganizationsClient }, { sleep: async (ms) => void sleeps.push(ms) });
  assert.deepEqual(result.problems, []);
  assert.equal(result.pages, 2);
  assert.equal(iam.commandCalls(GetAccountAuthorizationDetailsCommand).length, 2);
  assert.equal(iam.commandCalls(GenerateCredentialReportCommand).length, 3);
  assert.equal(sleeps.length, 2, 'waited twice before COMPLETE');
  assert.equal(org.commandCalls(ListParentsCommand).length, 3, 'OU parents looked up once');

  const { summary, snapshots } = await importIamInputs(result.inputs, undefined, { importedAt: '2026-01-01T00:00:00.000Z' });
  assert.deepEqual(snapshots[0], parseAuthorizationDetails(raw, { importedAt: '2026-01-01T00:00:00.000Z' }), 'SDK pages equal the CLI file');
  assert.deepEqual(summary.credentialReports.map((c) => c.accountId), ['012345678901']);
  const scps = result.inputs.find((i) => i.kind === 'scps');
  assert.ok(scps && scps.kind === 'scps');
  const prod = scps.chains.find((c) => c.accountId === '012345678901')!;
  assert.deepEqual(prod.levels.map((l) => [l.target, l.policies.map((p) => p.name)]), [
    ['r-1', ['FullAWSAccess']],
    ['ou-1', ['FullAWSAccess', 'NoS3']],
    ['012345678901', ['FullAWSAccess']],
  ]);
  assert.equal(scps.chains.find((c) => c.accountId === '999999999999')!.isManagementAccount, true);
});

test('sync: AccessDenied on Organizations is explained and the rest is still imported', async () => {
  const iam = mockIam();
  const org = mockClient(OrganizationsClient);
  org.on(DescribeOrganizationCommand).rejects(new AccessDeniedException({ message: 'You don\'t have permissions to access this resource.', $metadata: {} }));
  const result = await syncIam({ iam: iam as unknown as IAMClient, organizations: org as unknown as OrganizationsClient }, { sleep: async () => {} });
  assert.deepEqual(result.inputs.map((i) => i.kind), ['authorization-details', 'authorization-details', 'credential-report']);
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0]!.part, 'scps');
  assert.match(result.problems[0]!.message, /management account or a delegated administrator/);
  assert.match(result.problems[0]!.message, /analysed without SCPs/);
});

test('sync: a credential report that never completes is reported, not awaited forever', async () => {
  const iam = mockClient(IAMClient);
  iam.on(GetAccountAuthorizationDetailsCommand).resolves(sdkForm({ UserDetailList: raw.UserDetailList, Policies: raw.Policies }));
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
  const result = await syncIam({ iam: iam as unknown as IAMClient }, { sleep: async () => {}, maxPolls: 4 });
  assert.equal(iam.commandCalls(GenerateCredentialReportCommand).length, 4);
  assert.deepEqual(result.problems.map((p) => p.part), ['credential-report']);
  assert.equal(result.inputs.length, 1);
});

test('syncOrganization: every member account through its role; an unreadable member is reported and skipped', async () => {
  const base = mockIam();
  const org = mockClient(OrganizationsClient);
  org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-1', MasterAccountId: '012345678901' } });
  org.on(ListPoliciesCommand).resolves({ Policies: [{ Id: 'p-full', Name: 'FullAWSAccess' }] });
  org.on(DescribePolicyCommand).resolves({ Policy: { Content: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) } });
  org.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: 'r-1' }] });
  org.on(ListAccountsCommand).resolves({ Accounts: [{ Id: '012345678901' }, { Id: '123456789012' }, { Id: '555555555555' }] });
  org.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-1', Type: 'ROOT' }] });

  const memberRaw: Raw = JSON.parse(readFileSync(sharedData('cloudsplaining', 'test', 'files', 'managed_policy_mismatch.json'), 'utf8'));
  const memberIam = new IAMClient({});
  const member = mockClient(memberIam);
  member.on(GetAccountAuthorizationDetailsCommand).resolves(sdkForm(memberRaw));
  member.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  member.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode(reportCsv.replaceAll('012345678901', '123456789012')) });
  const deniedIam = new IAMClient({});
  const denied = mockClient(deniedIam);
  denied.onAnyCommand().rejects(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));

  const asked: string[] = [];
  const result = await syncOrganization(
    { iam: base as unknown as IAMClient, organizations: org as unknown as OrganizationsClient },
    {
      sleep: async () => {},
      clientsFor: (accountId) => {
        asked.push(accountId);
        return { iam: accountId === '123456789012' ? memberIam : deniedIam };
      },
    },
  );
  assert.deepEqual(asked.sort(), ['123456789012', '555555555555'], 'the caller\'s own account is not pulled twice');
  const { summary } = await importIamInputs(result.inputs, undefined);
  assert.deepEqual(summary.snapshots.map((s) => s.accountId).sort(), ['012345678901', '123456789012']);
  assert.deepEqual(summary.credentialReports.map((c) => c.accountId).sort(), ['012345678901', '123456789012']);
  const memberProblems = result.problems.filter((p) => p.accountId === '555555555555');
  assert.deepEqual(memberProblems.map((p) => p.part).sort(), ['authorization-details', 'credential-report']);
  assert.match(memberProblems[0]!.message, /denied/);
  assert.equal(result.problems.filter((p) => p.accountId !== '555555555555').length, 0);
});

test('syncOrganization without Organizations access pulls the caller\'s account only and says why', async () => {
  const base = mockIam();
  const org = mockClient(OrganizationsClient);
  org.onAnyCommand().rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  let called = 0;
  const result = await syncOrganization(
    { iam: base as unknown as IAMClient, organizations: org as unknown as OrganizationsClient },
    { sleep: async () => {}, clientsFor: () => { called++; return { iam: new IAMClient({}) }; } },
  );
  assert.equal(called, 0);
  assert.deepEqual(result.problems.map((p) => p.part), ['scps', 'member-account']);
  assert.equal(result.inputs.filter((i) => i.kind === 'authorization-details').length, 2);
});
