import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedData } from '../../../test/support/paths.js';
import {
  SnapshotError,
  buildAccountSnapshot,
  parseAuthorizationDetails,
  parseAuthorizationDetailsPage,
  splitPageByAccount,
} from './authorization-details.js';
import { decodePolicyDocument } from './policy-document.js';

const CLOUDSPLAINING = (name: string) => sharedData('cloudsplaining', 'test', 'files', name);
const CLOUDMAPPER = sharedData('cloudmapper-demo', 'account-data', 'demo', 'us-east-1', 'iam-get-account-authorization-details.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;
const readJson = (path: string): Raw => JSON.parse(readFileSync(path, 'utf8'));

/** The form the IAM API returns through the AWS SDK for JavaScript: every document URL-encoded. */
function urlEncodeDocuments(raw: Raw): Raw {
  const copy = structuredClone(raw);
  const enc = (d: unknown) => encodeURIComponent(JSON.stringify(d));
  for (const u of copy.UserDetailList ?? []) for (const p of u.UserPolicyList ?? []) p.PolicyDocument = enc(p.PolicyDocument);
  for (const g of copy.GroupDetailList ?? []) for (const p of g.GroupPolicyList ?? []) p.PolicyDocument = enc(p.PolicyDocument);
  for (const r of copy.RoleDetailList ?? []) {
    r.AssumeRolePolicyDocument = enc(r.AssumeRolePolicyDocument);
    for (const p of r.RolePolicyList ?? []) p.PolicyDocument = enc(p.PolicyDocument);
  }
  for (const p of copy.Policies ?? []) for (const v of p.PolicyVersionList ?? []) v.Document = enc(v.Document);
  return copy;
}

const AT = '2026-01-01T00:00:00.000Z';

test('cloudsplaining example: counts, identities and documents match the file', () => {
  const raw = readJson(CLOUDSPLAINING('example-authz-details.json'));
  const snap = parseAuthorizationDetails(raw, { importedAt: AT });
  assert.equal(snap.accountId, '012345678901');
  assert.equal(snap.users.length, raw.UserDetailList.length);
  assert.equal(snap.roles.length, raw.RoleDetailList.length);
  assert.equal(snap.groups.length, raw.GroupDetailList.length);
  assert.equal(snap.policies.size, raw.Policies.length);
  assert.deepEqual(snap.unresolvedPolicyArns, []);
  for (const u of raw.UserDetailList) {
    const mine = snap.users.find((x) => x.arn === u.Arn);
    assert.ok(mine, u.Arn);
    assert.deepEqual(mine.groupNames, u.GroupList);
    assert.deepEqual(mine.attachedPolicyArns, u.AttachedManagedPolicies.map((a: Raw) => a.PolicyArn));
    assert.equal(mine.inlinePolicies.length, (u.UserPolicyList ?? []).length);
    assert.equal(mine.createdAt, new Date(u.CreateDate.replace(' ', 'T')).toISOString());
  }
  for (const r of raw.RoleDetailList) {
    const mine = snap.roles.find((x) => x.arn === r.Arn)!;
    assert.deepEqual(mine.trustPolicy.Statement, r.AssumeRolePolicyDocument.Statement);
    assert.equal(mine.instanceProfileArns.length, r.InstanceProfileList.length);
  }
});

test('URL-encoded documents (AWS SDK for JavaScript form) give the same snapshot as JSON objects', () => {
  const raw = readJson(CLOUDSPLAINING('example-authz-details.json'));
  const encoded = urlEncodeDocuments(raw);
  assert.equal(typeof encoded.Policies[0].PolicyVersionList[0].Document, 'string');
  const a = parseAuthorizationDetails(raw, { importedAt: AT });
  const b = parseAuthorizationDetails(encoded, { importedAt: AT });
  assert.deepEqual(b, a);
});

test('the default policy version applies, other versions are ignored', () => {
  const raw = readJson(CLOUDSPLAINING('example-authz-details.json'));
  const withVersions = raw.Policies.find((p: Raw) => p.PolicyVersionList.length > 1);
  assert.ok(withVersions, 'the file has a policy with several versions');
  const def = withVersions.PolicyVersionList.find((v: Raw) => v.IsDefaultVersion);
  // make the non-default version clearly different
  const copy = structuredClone(raw);
  const p = copy.Policies.find((x: Raw) => x.Arn === withVersions.Arn);
  for (const v of p.PolicyVersionList) if (!v.IsDefaultVersion) v.Document = { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };
  const snap = parseAuthorizationDetails(copy);
  const mine = snap.policies.get(withVersions.Arn)!;
  assert.equal(mine.versionId, def.VersionId);
  assert.deepEqual(mine.document, decodePolicyDocument(def.Document));
  assert.ok(!JSON.stringify(mine.document).includes('iam:*'));
});

test('AWS-managed policies missing from the snapshot resolve from shipped data', () => {
  const raw = readJson(CLOUDSPLAINING('example_authz_v2.json'));
  const arn = 'arn:aws:iam::aws:policy/AdministratorAccess';
  assert.ok(!raw.Policies.some((p: Raw) => p.Arn === arn), 'the file omits AdministratorAccess');
  const snap = parseAuthorizationDetails(raw);
  const admin = snap.policies.get(arn);
  assert.ok(admin);
  assert.equal(admin.resolvedFrom, 'aws-managed-data');
  assert.equal(admin.awsManaged, true);
  assert.deepEqual(admin.document.Statement.map((s) => [s.Effect, s.Action, s.Resource]), [['Allow', ['*'], '*']]);
  assert.deepEqual(snap.unresolvedPolicyArns, []);

  const off = parseAuthorizationDetails(raw, { resolveAwsManaged: false });
  assert.deepEqual(off.unresolvedPolicyArns, [arn]);
});

test('policies found neither in the snapshot nor in shipped data are listed as unresolved', () => {
  const raw = readJson(CLOUDSPLAINING('managed_policy_mismatch.json'));
  const copy = structuredClone(raw);
  copy.GroupDetailList[0].AttachedManagedPolicies.push(
    { PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicyEver', PolicyName: 'NoSuchPolicyEver' },
    { PolicyArn: 'arn:aws:iam::123456789012:policy/Gone', PolicyName: 'Gone' },
  );
  const snap = parseAuthorizationDetails(copy);
  assert.deepEqual(snap.unresolvedPolicyArns, ['arn:aws:iam::123456789012:policy/Gone', 'arn:aws:iam::aws:policy/NoSuchPolicyEver']);
  assert.ok(snap.policies.has('arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess'));
});

test('cloudmapper demo account imports with counts from the file', () => {
  const raw = readJson(CLOUDMAPPER);
  const snap = parseAuthorizationDetails(raw);
  assert.equal(snap.accountId, '123456789012');
  assert.equal(snap.users.length, raw.UserDetailList.length);
  assert.equal(snap.roles.length, raw.RoleDetailList.length);
  assert.equal(snap.groups.length, raw.GroupDetailList.length);
  const referenced = new Set<string>();
  for (const list of [raw.UserDetailList, raw.GroupDetailList, raw.RoleDetailList])
    for (const x of list) for (const a of x.AttachedManagedPolicies ?? []) referenced.add(a.PolicyArn);
  for (const p of raw.Policies) referenced.add(p.Arn);
  assert.equal(snap.policies.size + snap.unresolvedPolicyArns.length, referenced.size);
  const tagged = raw.UserDetailList.find((u: Raw) => (u.Tags ?? []).length > 0);
  if (tagged) {
    const u = snap.users.find((x) => x.arn === tagged.Arn)!;
    assert.equal(Object.keys(u.tags).length, tagged.Tags.length);
  }
});

test('several pages (Marker/IsTruncated) or files of one account merge into one snapshot', () => {
  const raw = readJson(CLOUDSPLAINING('example-authz-details.json'));
  const page1 = { UserDetailList: raw.UserDetailList.slice(0, 1), GroupDetailList: raw.GroupDetailList, RoleDetailList: [], Policies: raw.Policies.slice(0, 10), IsTruncated: true, Marker: 'abc' };
  const page2 = { UserDetailList: raw.UserDetailList.slice(1), GroupDetailList: [], RoleDetailList: raw.RoleDetailList, Policies: raw.Policies.slice(10), IsTruncated: false };
  const merged = buildAccountSnapshot([parseAuthorizationDetailsPage(page1), parseAuthorizationDetailsPage(urlEncodeDocuments(page2))], { importedAt: AT });
  assert.deepEqual(merged, parseAuthorizationDetails(raw, { importedAt: AT }));
});

test('a file mixing accounts, or naming none, is refused with a clear message', () => {
  const raw = readJson(CLOUDSPLAINING('example-authz-details.json'));
  const mixed = structuredClone(raw);
  mixed.RoleDetailList[0].Arn = 'arn:aws:iam::999999999999:role/Other';
  assert.throws(() => parseAuthorizationDetails(mixed), (e: Error) => e instanceof SnapshotError && /012345678901, 999999999999/.test(e.message));
  const none = { UserDetailList: [], RoleDetailList: [], GroupDetailList: [], Policies: [] };
  assert.throws(() => parseAuthorizationDetails(none), /name no account/);
  assert.equal(parseAuthorizationDetails(none, { accountId: '111122223333' }).accountId, '111122223333');
  assert.throws(() => parseAuthorizationDetails({ UserDetailList: [{ Arn: 5 }] }), /not get-account-authorization-details/);
});

test('boundaries and RoleLastUsed are read', () => {
  const raw = readJson(CLOUDSPLAINING('example-authz-details.json'));
  const copy = structuredClone(raw);
  copy.RoleDetailList[0].PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
  copy.RoleDetailList[0].RoleLastUsed = { LastUsedDate: '2026-02-03T04:05:06Z', Region: 'eu-west-1' };
  copy.UserDetailList[0].PermissionsBoundary = { PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
  const snap = parseAuthorizationDetails(copy);
  const role = snap.roles.find((r) => r.arn === copy.RoleDetailList[0].Arn)!;
  assert.equal(role.permissionsBoundaryArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
  assert.equal(role.lastUsed, '2026-02-03T04:05:06.000Z');
  assert.equal(snap.users.find((u) => u.arn === copy.UserDetailList[0].Arn)!.permissionsBoundaryArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
  // the boundary policy is resolved like an attached one
  assert.equal(snap.policies.get('arn:aws:iam::aws:policy/ReadOnlyAccess')?.resolvedFrom, 'aws-managed-data');
});

test('policy documents: single statement objects, bad strings', () => {
  const d = decodePolicyDocument(encodeURIComponent('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}'));
  assert.equal(d.Statement.length, 1);
  assert.equal(d.Statement[0]!.Action, 's3:GetObject');
  assert.throws(() => decodePolicyDocument('%E0%A4%A'), /neither JSON nor URL-encoded/);
  assert.throws(() => decodePolicyDocument({ Statement: [{ Effect: 'Maybe' }] }), /Effect must be Allow or Deny/);
});

test('splitPageByAccount: entities by the account in their ARN, AWS-managed policies with the accounts attaching them', () => {
  const managed = (arn: string) => ({ PolicyName: arn.split('/').pop()!, Arn: arn, PolicyVersionList: [{ Document: { Statement: [] }, IsDefaultVersion: true }] });
  const page = parseAuthorizationDetailsPage({
    UserDetailList: [
      { UserName: 'a', Arn: 'arn:aws:iam::111111111111:user/a', AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] },
      { UserName: 'b', Arn: 'arn:aws:iam::222222222222:user/b' },
      { UserName: 'anon', Arn: 'arn:aws:iam::aws:user/anon' },
    ],
    RoleDetailList: [{ RoleName: 'r', Arn: 'arn:aws:iam::222222222222:role/r' }],
    Policies: [managed('arn:aws:iam::aws:policy/ReadOnlyAccess'), managed('arn:aws:iam::aws:policy/Unattached'), managed('arn:aws:iam::222222222222:policy/own')],
  });
  const { pages, unassigned } = splitPageByAccount(page);
  assert.deepEqual([...pages.keys()], ['111111111111', '222222222222']);
  const names = (acct: string) => {
    const p = pages.get(acct)!;
    return [...(p.UserDetailList ?? []), ...(p.RoleDetailList ?? []), ...(p.Policies ?? [])].map((e) => e.Arn.split(':').pop());
  };
  assert.deepEqual(names('111111111111'), ['user/a', 'policy/ReadOnlyAccess', 'policy/Unattached']);
  assert.deepEqual(names('222222222222'), ['user/b', 'role/r', 'policy/Unattached', 'policy/own']);
  assert.deepEqual(unassigned, ['arn:aws:iam::aws:user/anon']);
  // each part now builds as a single-account snapshot
  assert.equal(buildAccountSnapshot([pages.get('222222222222')!], { resolveAwsManaged: false }).accountId, '222222222222');
});
