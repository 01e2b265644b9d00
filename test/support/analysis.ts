/**
 * Test state for analysis, built through the real pieces: a SQLite store on a temp file, the
 * IAM import API (authorization details, credential report) and raw CloudTrail records
 * normalised by the real parser. Only the inputs are hand-written, never the analysis state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { detectIamInput, importIamInputs } from '../../src/iam/import.js';
import { IamRepository } from '../../src/iam/repository.js';
import { normalizeRecord } from '../../src/parse/normalize.js';
import type { PolicyDocument } from '../../src/iam/types.js';
import { insertEvents } from '../../src/store/testing/write.js';

export interface TempStore {
  store: Store;
  path: string;
  close(): Promise<void>;
}

export async function tempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-analysis-'));
  const path = join(dir, 'test.db');
  const store = await openStore(path);
  return {
    store,
    path,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const ACCOUNT = '111122223333';

/** When importIam's snapshots count as taken: before every asOf the tests use. */
export const FIXTURE_TAKEN_AT = '2000-01-01T00:00:00Z';

export function allowAll(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
}

export function allow(actions: string[], resource: string | string[] = '*'): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] };
}

export interface UserSpec {
  name: string;
  created: string;
  inline?: PolicyDocument[];
  managed?: string[];
  boundary?: string;
  groups?: string[];
  account?: string;
}

export interface RoleSpec extends Omit<UserSpec, 'groups'> {
  path?: string;
  trust?: PolicyDocument;
}

export interface PolicySpec {
  name: string;
  document: PolicyDocument;
  account?: string;
}

/** A get-account-authorization-details document (the AWS CLI's JSON shape). */
export function authorizationDetails(spec: { users?: UserSpec[]; roles?: RoleSpec[]; policies?: PolicySpec[] }): Record<string, unknown> {
  const acct = (a?: string) => a ?? ACCOUNT;
  const inline = (docs: PolicyDocument[] | undefined) =>
    (docs ?? []).map((d, i) => ({ PolicyName: `inline${i}`, PolicyDocument: d }));
  const attached = (arns: string[] | undefined) => (arns ?? []).map((a) => ({ PolicyArn: a, PolicyName: a.split('/').pop() }));
  return {
    UserDetailList: (spec.users ?? []).map((u) => ({
      Path: '/',
      UserName: u.name,
      UserId: `AIDA${u.name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
      Arn: `arn:aws:iam::${acct(u.account)}:user/${u.name}`,
      CreateDate: u.created,
      UserPolicyList: inline(u.inline),
      GroupList: u.groups ?? [],
      AttachedManagedPolicies: attached(u.managed),
      ...(u.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: u.boundary } } : {}),
      Tags: [],
    })),
    GroupDetailList: [],
    RoleDetailList: (spec.roles ?? []).map((r) => ({
      Path: r.path ?? '/',
      RoleName: r.name,
      RoleId: `AROA${r.name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
      Arn: `arn:aws:iam::${acct(r.account)}:role${r.path ?? '/'}${r.name}`,
      CreateDate: r.created,
      AssumeRolePolicyDocument: r.trust ?? {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      InstanceProfileList: [],
      RolePolicyList: inline(r.inline),
      AttachedManagedPolicies: attached(r.managed),
      ...(r.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.boundary } } : {}),
      Tags: [],
      RoleLastUsed: {},
    })),
    Policies: (spec.policies ?? []).map((p) => ({
      PolicyName: p.name,
      PolicyId: `ANPA${p.name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
      Arn: `arn:aws:iam::${acct(p.account)}:policy/${p.name}`,
      Path: '/',
      DefaultVersionId: 'v1',
      AttachmentCount: 1,
      IsAttachable: true,
      CreateDate: '2020-01-01T00:00:00Z',
      UpdateDate: '2020-01-01T00:00:00Z',
      PolicyVersionList: [{ Document: p.document, VersionId: 'v1', IsDefaultVersion: true, CreateDate: '2020-01-01T00:00:00Z' }],
    })),
  };
}

/** Imports IAM inputs (authorization-details objects, credential report CSV texts) through the real import API. */
export async function importIam(store: Store, inputs: { authz?: Record<string, unknown>[]; credentialReports?: string[] }): Promise<void> {
  const detected = [
    ...(inputs.authz ?? []).map((d, i) => detectIamInput(JSON.stringify(d), `authz${i}.json`)),
    ...(inputs.credentialReports ?? []).map((c, i) => detectIamInput(c, `report${i}.csv`)),
  ];
  // The fixtures stand for the configuration over the whole test period: taken before any asOf a
  // test uses (--as-of selects the snapshots taken at or before it).
  await importIamInputs(detected, new IamRepository(store.iam), { importedAt: '2026-06-01T00:00:00Z', takenAt: FIXTURE_TAKEN_AT });
}

const REPORT_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

export interface ReportRow {
  user: string;
  created: string;
  password?: { lastUsed: string | null };
  key1?: { active: boolean; rotated: string; lastUsed: string | null };
  key2?: { active: boolean; rotated: string; lastUsed: string | null };
  account?: string;
}

/** An IAM credential report CSV, as GetCredentialReport returns it. */
export function credentialReport(rows: ReportRow[]): string {
  const lines = [REPORT_HEADER];
  const key = (k: ReportRow['key1']) =>
    k ? [String(k.active), k.rotated, k.lastUsed ?? 'N/A', k.lastUsed ? 'us-east-1' : 'N/A', k.lastUsed ? 'sts' : 'N/A'] : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  for (const r of rows) {
    lines.push(
      [
        r.user,
        `arn:aws:iam::${r.account ?? ACCOUNT}:user/${r.user}`,
        r.created,
        String(r.password !== undefined),
        r.password ? (r.password.lastUsed ?? 'no_information') : 'N/A',
        r.password ? r.created : 'N/A',
        'N/A',
        'false',
        ...key(r.key1),
        ...key(r.key2),
        'false',
        'N/A',
        'false',
        'N/A',
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export type Actor =
  | { user: string; account?: string }
  | { role: string; session: string; path?: string; account?: string };

let seq = 0;

/** A CloudTrail record as AWS writes it. */
export function record(
  actor: Actor,
  call: string,
  time: string,
  opts: { error?: string; requestParameters?: Record<string, unknown>; responseElements?: Record<string, unknown>; resources?: { ARN: string; type?: string }[]; id?: string } = {},
): Record<string, unknown> {
  const [source, name] = call.split(':') as [string, string];
  const account = actor.account ?? ACCOUNT;
  const userIdentity =
    'user' in actor
      ? { type: 'IAMUser', principalId: `AIDA${actor.user.toUpperCase()}`, arn: `arn:aws:iam::${account}:user/${actor.user}`, accountId: account, accessKeyId: 'AKIAEXAMPLE', userName: actor.user }
      : {
          type: 'AssumedRole',
          principalId: `AROA${actor.role.toUpperCase()}:${actor.session}`,
          arn: `arn:aws:sts::${account}:assumed-role/${actor.role}/${actor.session}`,
          accountId: account,
          accessKeyId: 'ASIAEXAMPLE',
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: `AROA${actor.role.toUpperCase()}`, arn: `arn:aws:iam::${account}:role${actor.path ?? '/'}${actor.role}`, accountId: account, userName: actor.role },
            attributes: { creationDate: time, mfaAuthenticated: 'false' },
          },
        };
  return {
    eventVersion: '1.08',
    userIdentity,
    eventTime: time,
    eventSource: `${source}.amazonaws.com`,
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.0',
    requestParameters: opts.requestParameters ?? null,
    responseElements: opts.responseElements ?? null,
    ...(opts.error ? { errorCode: opts.error, errorMessage: 'denied' } : {}),
    ...(opts.resources ? { resources: opts.resources.map((r) => ({ ARN: r.ARN, accountId: account, type: r.type ?? 'AWS::Unknown' })) } : {}),
    requestID: `req-${++seq}`,
    eventID: opts.id ?? `evt-${String(++seq).padStart(6, '0')}`,
    readOnly: /^(Get|List|Describe)/.test(name),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}

/** Normalises records with the real parser and stores them. */
export async function addRecords(store: Store, records: Record<string, unknown>[]): Promise<void> {
  await insertEvents(store.events, records.map((r) => normalizeRecord(r)));
}

/** ISO time `days` before `iso`. */
export function daysBefore(iso: string, days: number): string {
  return new Date(Date.parse(iso) - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Marks CloudTrail coverage (store.coverage.add), by default of ACCOUNT in us-east-1 over all of
 * 2025-2026: the tests of rules that judge an absence of activity need a window CloudTrail watched.
 */
export async function cover(
  store: Store,
  opts: { accounts?: string[]; regions?: string[]; since?: string; until?: string } = {},
): Promise<void> {
  const ranges = (opts.accounts ?? [ACCOUNT]).flatMap((accountId) =>
    (opts.regions ?? ['us-east-1']).map((region) => ({ accountId, region, since: opts.since ?? '2025-01-01T00:00:00Z', until: opts.until ?? '2027-01-01T00:00:00Z' })),
  );
  await store.coverage.add(ranges);
}
