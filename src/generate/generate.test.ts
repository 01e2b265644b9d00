import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { generateOrganization, memorySink, DEFAULT_END, INACTIVITY_DAYS } from './index.js';
import type { GenerateSummary, ExpectedCase } from './index.js';
import { CREDENTIAL_REPORT_COLUMNS } from './iam-model.js';

const SMALL = { accounts: 2, days: 4, eventsPerDay: 300, identitiesPerAccount: 20 } as const;
const LOG_KEY =
  /^AWSLogs\/(o-[a-z0-9]{10})\/(\d{12})\/CloudTrail\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/\2_CloudTrail_\3_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[A-Za-z0-9]{16}\.json\.gz$/;
const DIGEST_KEY =
  /^AWSLogs\/(o-[a-z0-9]{10})\/(\d{12})\/CloudTrail-Digest\/([a-z]{2}-[a-z]+-\d)\/\d{4}\/\d{2}\/\d{2}\/\2_CloudTrail-Digest_\3_[\w-]+_[a-z]{2}-[a-z]+-\d_\d{8}T\d{6}Z\.json\.gz$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Rec = Record<string, unknown> & {
  eventID: string;
  eventTime: string;
  eventVersion: string;
  eventName: string;
  eventSource: string;
  userIdentity: Record<string, unknown> & { type: string; arn?: string; sessionContext?: { sessionIssuer?: { arn?: string } } };
  errorCode?: string;
  requestParameters?: Record<string, unknown> | null;
};

interface Generated {
  summary: GenerateSummary;
  files: Map<string, Uint8Array | string>;
  /** Every record with the file it came from. */
  records: { rec: Rec; file: string }[];
  expected: { cases: ExpectedCase[]; window: { start: string; end: string }; counts: Record<string, number> };
  snapshot: (account: string) => Record<string, unknown[]>;
}

async function generate(seed: string, opts: Record<string, unknown> = SMALL): Promise<Generated> {
  const sink = memorySink();
  const summary = await generateOrganization({ ...opts, seed }, sink);
  const records: { rec: Rec; file: string }[] = [];
  for (const [path, data] of sink.files) {
    if (!path.includes('/CloudTrail/')) continue;
    const body = JSON.parse(gunzipSync(data as Uint8Array).toString('utf8')) as { Records: Rec[] };
    for (const rec of body.Records) records.push({ rec, file: path });
  }
  const text = (p: string): string => {
    const d = sink.files.get(p);
    assert.ok(d !== undefined, `missing ${p}`);
    return typeof d === 'string' ? d : Buffer.from(d).toString('utf8');
  };
  return {
    summary,
    files: sink.files,
    records,
    expected: JSON.parse(text('expected.json')),
    snapshot: (account) => JSON.parse(text(`iam/${account}.authorization-details.json`)),
  };
}

function fingerprint(files: Map<string, Uint8Array | string>): string {
  const h = createHash('sha256');
  for (const p of [...files.keys()].sort()) h.update(p).update('\0').update(files.get(p)!).update('\0');
  return h.digest('hex');
}

function principalOf(rec: Rec): string | undefined {
  const id = rec.userIdentity;
  if (id.type === 'AssumedRole') return id.sessionContext?.sessionIssuer?.arn;
  return id.arn;
}

function decodeDoc(d: unknown): { Statement: Record<string, unknown>[] } {
  return typeof d === 'string' ? JSON.parse(decodeURIComponent(d)) : (d as { Statement: Record<string, unknown>[] });
}

describe('generateOrganization', () => {
  let g: Generated;
  before(async () => {
    g = await generate('unit');
  });

  test('same seed gives identical files; another seed differs', async () => {
    const again = await generate('unit');
    assert.deepEqual([...again.files.keys()].sort(), [...g.files.keys()].sort());
    assert.equal(fingerprint(again.files), fingerprint(g.files));
    const other = await generate('other');
    assert.notEqual(fingerprint(other.files), fingerprint(g.files));
    assert.notEqual(other.summary.organizationId, g.summary.organizationId);
  });

  test('default window ends at the fixed DEFAULT_END, not at the clock', () => {
    assert.equal(g.summary.end, DEFAULT_END);
    assert.equal(Date.parse(g.summary.end) - Date.parse(g.summary.start), SMALL.days * 86_400_000);
  });

  test('--start moves the window', async () => {
    const s = await generateOrganization({ accounts: 1, days: 1, eventsPerDay: 20, identitiesPerAccount: 10, start: '2025-01-10T00:00:00Z' }, memorySink());
    assert.equal(s.start, '2025-01-10T00:00:00Z');
    assert.equal(s.end, '2025-01-11T00:00:00Z');
  });

  test('log and digest keys follow the organization-trail layout; delivery times are in 5-minute steps', () => {
    let logs = 0;
    let digests = 0;
    const regions = new Set<string>();
    for (const path of g.files.keys()) {
      if (path.includes('/CloudTrail/')) {
        const m = LOG_KEY.exec(path);
        assert.ok(m, `bad log key ${path}`);
        assert.equal(m[1], g.summary.organizationId);
        assert.deepEqual([m[7], m[8], m[9]], [m[4], m[5], m[6]], 'folder date is the delivery date');
        assert.equal(Number(m[11]) % 5, 0, `not a 5-minute delivery window: ${path}`);
        regions.add(m[3]!);
        logs++;
      } else if (path.includes('/CloudTrail-Digest/')) {
        assert.match(path, DIGEST_KEY);
        digests++;
      } else {
        assert.match(path, /^(iam\/\d{12}\.(authorization-details\.json|credential-report\.csv)|organizations\/scps\.json|expected\.json)$/);
      }
    }
    assert.equal(logs, g.summary.logFiles);
    assert.equal(digests, g.summary.digestFiles);
    assert.ok(digests > 0);
    assert.ok(regions.size >= 3, `only ${[...regions]}`);
  });

  test('every record has the fields CloudTrail always sends and sits in its account folder', () => {
    for (const { rec, file } of g.records) {
      assert.match(rec.eventID, UUID);
      assert.match(rec.eventTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(rec.eventTime >= g.summary.start && rec.eventTime < g.summary.end, rec.eventTime);
      assert.match(rec.eventVersion, /^1\.(05|08|09|10|11)$/);
      assert.match(rec.eventSource, /^[a-z0-9-]+\.amazonaws\.com$/);
      assert.ok(rec.eventName && typeof rec.awsRegion === 'string');
      assert.ok(typeof rec.userIdentity.type === 'string');
      assert.ok('requestParameters' in rec && 'responseElements' in rec);
      assert.equal(rec.recipientAccountId, file.split('/')[2]);
      if (rec.eventVersion === '1.05') assert.equal(rec.eventCategory, undefined);
      else assert.ok(rec.eventCategory === 'Management' || rec.eventCategory === 'Data');
      if (rec.eventCategory === 'Data') assert.equal(rec.managementEvent, false);
    }
  });

  test('records are realistic in mix and size', () => {
    const types = new Set(g.records.map((r) => r.rec.userIdentity.type));
    for (const t of ['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'SAMLUser', 'WebIdentityUser']) assert.ok(types.has(t), `no ${t}`);
    const versions = new Set(g.records.map((r) => r.rec.eventVersion));
    assert.ok(versions.size >= 4);
    const n = g.records.length;
    const data = g.records.filter((r) => r.rec.eventCategory === 'Data').length;
    const errors = g.records.filter((r) => r.rec.errorCode).length;
    assert.ok(data / n > 0.05 && data / n < 0.6, `data share ${data / n}`);
    assert.ok(errors / n > 0.005 && errors / n < 0.1, `error share ${errors / n}`);
    const denied = g.records.find((r) => r.rec.errorCode === 'AccessDenied');
    assert.match(String(denied?.rec.errorMessage), /is not authorized to perform: \w+:\w+/);
    const avg = g.records.reduce((s, r) => s + JSON.stringify(r.rec).length, 0) / n;
    assert.ok(avg > 900 && avg < 2200, `average record ${avg} bytes`);
    const agents = new Set(g.records.map((r) => r.rec.userAgent));
    assert.ok(agents.has('<script>alert(1)</script>'));
    assert.ok(agents.has("'; DROP TABLE events;--"));
    const sso = g.records.find((r) => String(principalOf(r.rec)).includes('/AWSReservedSSO_'));
    assert.match(String(sso?.rec.userIdentity.arn), /assumed-role\/AWSReservedSSO_[^/]+\/[^@/]+@acme-corp\.com$/);
    const create = g.records.find((r) => r.rec.eventName === 'CreateFunction20150331');
    assert.match(String(create?.rec.requestParameters?.role), /^arn:aws:iam::\d{12}:role\//);
  });

  test('summary counts equal what was written; duplicates are extra copies in other files', () => {
    const byId = new Map<string, string[]>();
    for (const { rec, file } of g.records) byId.set(rec.eventID, [...(byId.get(rec.eventID) ?? []), file]);
    assert.equal(byId.size, g.summary.events);
    assert.equal(g.records.length, g.summary.records);
    assert.equal(g.summary.records, g.summary.events + g.summary.duplicateRecords);
    const dups = [...byId.entries()].filter(([, files]) => files.length > 1);
    assert.equal(dups.length, g.summary.duplicateRecords);
    assert.ok(dups.length > 0);
    for (const [id, files] of dups) {
      assert.equal(files.length, 2);
      assert.notEqual(files[0], files[1], `duplicate ${id} in the same file`);
      const copies = g.records.filter((r) => r.rec.eventID === id).map((r) => JSON.stringify(r.rec));
      assert.equal(copies[0], copies[1], 'duplicates are exact copies');
    }
    assert.equal(g.summary.accounts.reduce((s, a) => s + a.events, 0), g.summary.events);
    assert.deepEqual(g.expected.counts.events, g.summary.events);
  });

  test('digest files are valid digests that list real log files with their SHA-256', () => {
    let checked = 0;
    for (const [path, data] of g.files) {
      if (!path.includes('/CloudTrail-Digest/')) continue;
      const d = JSON.parse(gunzipSync(data as Uint8Array).toString('utf8'));
      assert.equal(d.digestS3Object, path);
      assert.ok(d.digestStartTime < d.digestEndTime);
      assert.equal(d.digestSignatureAlgorithm, 'SHA256withRSA');
      for (const lf of d.logFiles) {
        const content = g.files.get(lf.s3Object);
        assert.ok(content, `digest lists missing ${lf.s3Object}`);
        assert.equal(createHash('sha256').update(gunzipSync(content as Uint8Array)).digest('hex'), lf.hashValue);
        checked++;
      }
    }
    assert.ok(checked > 0);
  });

  test('IAM snapshots parse in both forms; URL-encoded documents decode', () => {
    const forms = new Set<string>();
    for (const a of g.summary.accounts) {
      const snap = g.snapshot(a.id);
      for (const k of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']) assert.ok(Array.isArray(snap[k]), k);
      for (const r of snap.RoleDetailList as Record<string, unknown>[]) {
        forms.add(typeof r.AssumeRolePolicyDocument);
        const trust = decodeDoc(r.AssumeRolePolicyDocument);
        assert.ok(Array.isArray(trust.Statement) && trust.Statement.length > 0);
        assert.ok(Array.isArray(r.InstanceProfileList));
      }
      for (const p of snap.Policies as { PolicyVersionList: { Document: unknown; IsDefaultVersion: boolean }[]; DefaultVersionId: string }[]) {
        assert.equal(p.PolicyVersionList.filter((v) => v.IsDefaultVersion).length, 1);
        for (const v of p.PolicyVersionList) assert.ok(Array.isArray(decodeDoc(v.Document).Statement));
      }
      for (const p of snap.Policies as { Arn: string }[]) assert.ok(!p.Arn.startsWith('arn:aws:iam::aws:'), 'AWS-managed policies are referenced, not included');
      const csv = String(g.files.get(`iam/${a.id}.credential-report.csv`));
      const [header, ...rows] = csv.trim().split('\n');
      assert.equal(header, CREDENTIAL_REPORT_COLUMNS.join(','));
      assert.ok(rows[0]!.startsWith('<root_account>,'));
      for (const row of rows) assert.equal(row.split(',').length, CREDENTIAL_REPORT_COLUMNS.length);
      assert.equal(rows.length - 1, (snap.UserDetailList as unknown[]).length);
    }
    assert.deepEqual([...forms].sort(), ['object', 'string']);
    const referenced = new Set<string>();
    for (const a of g.summary.accounts) {
      const snap = g.snapshot(a.id);
      for (const list of ['UserDetailList', 'GroupDetailList', 'RoleDetailList'])
        for (const e of snap[list] as { AttachedManagedPolicies: { PolicyArn: string }[] }[]) for (const p of e.AttachedManagedPolicies) referenced.add(p.PolicyArn);
    }
    for (const name of ['AdministratorAccess', 'ReadOnlyAccess', 'AmazonS3ReadOnlyAccess']) assert.ok(referenced.has(`arn:aws:iam::aws:policy/${name}`), name);
  });

  test('SCP export names every account with its parents and valid targets', () => {
    const scps = JSON.parse(String(g.files.get('organizations/scps.json')));
    const ids = new Set<string>([scps.rootId, ...scps.organizationalUnits.map((o: { id: string }) => o.id), ...g.summary.accounts.map((a) => a.id)]);
    assert.equal(scps.accounts.length, SMALL.accounts);
    for (const p of scps.policies) {
      assert.ok(Array.isArray(p.document.Statement));
      for (const t of p.targets) assert.ok(ids.has(t), `unknown target ${t}`);
    }
    for (const a of scps.accounts) assert.equal(a.parents[a.parents.length - 1], scps.rootId);
  });

  describe('planted cases agree with the snapshot and the trail', () => {
    const byId = (id: string): ExpectedCase => {
      const c = g.expected.cases.find((x) => x.id === id);
      assert.ok(c, `case ${id} missing`);
      return c;
    };
    const entity = (c: ExpectedCase): Record<string, unknown> => {
      const snap = g.snapshot(c.accountId);
      const all = [...(snap.UserDetailList as Record<string, unknown>[]), ...(snap.RoleDetailList as Record<string, unknown>[])];
      const e = all.find((x) => x.Arn === c.arn);
      assert.ok(e, `${c.arn} not in the snapshot of ${c.accountId}`);
      return e;
    };
    const eventsOf = (arn: string) => g.records.filter((r) => principalOf(r.rec) === arn).map((r) => r.rec);
    const reportRow = (c: ExpectedCase): Record<string, string> => {
      const [header, ...rows] = String(g.files.get(`iam/${c.accountId}.credential-report.csv`)).trim().split('\n');
      const row = rows.map((r) => r.split(',')).find((r) => r[1] === c.arn);
      assert.ok(row, `no report row for ${c.arn}`);
      return Object.fromEntries(header!.split(',').map((k, i) => [k, row[i]!]));
    };

    test('every case names an identity in the snapshot', () => {
      assert.ok(g.expected.cases.length >= 20);
      for (const c of g.expected.cases) entity(c);
    });

    test('super identities and their counter-examples', () => {
      const direct = entity(byId('super-user-direct')) as { AttachedManagedPolicies: { PolicyArn: string }[] };
      assert.ok(direct.AttachedManagedPolicies.some((p) => p.PolicyArn === 'arn:aws:iam::aws:policy/AdministratorAccess'));
      const bound = byId('boundary-limits-admin');
      const bu = entity(bound) as { PermissionsBoundary?: { PermissionsBoundaryArn: string }; AttachedManagedPolicies: { PolicyArn: string }[] };
      assert.equal(bound.expect.super, false);
      assert.equal(bu.PermissionsBoundary?.PermissionsBoundaryArn, bound.expect.boundary);
      assert.ok(bu.AttachedManagedPolicies.some((p) => p.PolicyArn.endsWith('/AdministratorAccess')));
      const deny = entity(byId('explicit-deny-limits-admin')) as { UserPolicyList: { PolicyDocument: unknown }[] };
      assert.ok(deny.UserPolicyList.some((p) => decodeDoc(p.PolicyDocument).Statement.some((s) => s.Effect === 'Deny')));
      const group = entity(byId('super-user-via-group')) as { GroupList: string[] };
      assert.deepEqual(group.GroupList, ['Admins']);
    });

    test('inactivity cases', () => {
      const inactive = byId('inactive-user');
      assert.equal(inactive.expect.status, 'inactive');
      assert.equal(eventsOf(inactive.arn).length, 0);
      const created = Date.parse(String((entity(inactive) as { CreateDate: string }).CreateDate));
      assert.ok(Date.parse(g.summary.end) - created > INACTIVITY_DAYS * 86_400_000);
      const nina = byId('new-user-not-judged');
      assert.equal(nina.expect.status, 'not-judged');
      const ninaCreated = Date.parse(String((entity(nina) as { CreateDate: string }).CreateDate));
      assert.ok(Date.parse(g.summary.end) - ninaCreated < INACTIVITY_DAYS * 86_400_000);
      assert.ok(g.records.some((r) => r.rec.eventName === 'CreateUser' && r.rec.requestParameters?.userName === 'nina.newhire'));
      const slr = byId('service-linked-role-not-judged');
      assert.match(slr.arn, /:role\/aws-service-role\//);
      assert.equal(eventsOf(slr.arn).length, 0);
      const failed = byId('failed-calls-only');
      const failedEvents = eventsOf(failed.arn);
      assert.ok(failedEvents.length > 0 && failedEvents.every((e) => e.errorCode === 'AccessDenied'));
      assert.equal(failed.expect.status, 'inactive');
      const sessions = byId('role-used-through-sessions');
      const used = eventsOf(sessions.arn);
      assert.ok(used.length > 0 && used.every((e) => e.userIdentity.type === 'AssumedRole' && !e.errorCode));
      const sso = byId('identity-center-people');
      const names = new Set(eventsOf(sso.arn).map((e) => String(e.userIdentity.arn).split('/').pop()));
      assert.deepEqual([...names].sort(), [...(sso.expect.people as string[])].sort());
    });

    test('over-provisioned role uses exactly its listed actions', () => {
      const c = byId('over-provisioned-role');
      const names = new Set(eventsOf(c.arn).map((e) => `${e.eventSource.split('.')[0]}:${e.eventName}`));
      assert.deepEqual([...names].sort(), c.expect.usedActions);
    });

    test('unused credentials show in the credential report', () => {
      const key = reportRow(byId('unused-access-key'));
      assert.equal(key.access_key_1_active, 'true');
      assert.equal(key.access_key_1_last_used_date, 'N/A');
      assert.notEqual(key.password_last_used, 'no_information');
      const pw = reportRow(byId('unused-console-password'));
      assert.equal(pw.password_enabled, 'true');
      assert.equal(pw.password_last_used, 'no_information');
      assert.notEqual(pw.access_key_1_last_used_date, 'N/A');
    });

    test('privilege escalation: possible, exercised, attempted', () => {
      const possible = byId('privesc-possible-create-policy-version');
      assert.equal(eventsOf(possible.arn).filter((e) => e.eventName === 'CreatePolicyVersion').length, 0);
      const ex = byId('privesc-exercised-passrole-lambda');
      const [createId, invokeId] = ex.expect.eventIDs as string[];
      const create = g.records.find((r) => r.rec.eventID === createId)?.rec;
      const invoke = g.records.find((r) => r.rec.eventID === invokeId)?.rec;
      assert.equal(create?.eventName, 'CreateFunction20150331');
      assert.equal(create?.requestParameters?.role, ex.expect.passedRole);
      assert.equal(create?.errorCode, undefined);
      assert.equal(invoke?.eventName, 'Invoke');
      const attempted = byId('privesc-attempted-attach-user-policy');
      for (const id of attempted.expect.eventIDs as string[]) {
        const e = g.records.find((r) => r.rec.eventID === id)?.rec;
        assert.equal(e?.eventName, 'AttachUserPolicy');
        assert.equal(e?.errorCode, 'AccessDenied');
      }
    });

    test('role trusts match their trust policies', () => {
      const trustOf = (id: string) => decodeDoc((entity(byId(id)) as { AssumeRolePolicyDocument: unknown }).AssumeRolePolicyDocument).Statement[0]!;
      assert.deepEqual(trustOf('trust-public').Principal, { AWS: '*' });
      assert.equal(trustOf('trust-public').Condition, undefined);
      assert.equal(trustOf('trust-external-without-external-id').Condition, undefined);
      assert.ok(JSON.stringify(trustOf('trust-external-with-external-id').Condition).includes('sts:ExternalId'));
      const oidc = JSON.stringify(trustOf('trust-oidc-without-sub').Condition);
      assert.ok(oidc.includes(':aud') && !oidc.includes(':sub'));
      assert.ok(JSON.stringify(trustOf('trust-oidc-with-sub').Condition).includes(':sub'));
    });

    test('cross-account path: user in A assumes an admin role in B, logged in both accounts', () => {
      const c = byId('cross-account-admin-path');
      const target = String(c.expect.canAssume);
      const b = String(c.expect.targetAccountId);
      assert.notEqual(b, c.accountId);
      const role = (g.snapshot(b).RoleDetailList as { Arn: string; AttachedManagedPolicies: { PolicyArn: string }[] }[]).find((r) => r.Arn === target);
      assert.ok(role?.AttachedManagedPolicies.some((p) => p.PolicyArn.endsWith('/AdministratorAccess')));
      const copies = g.records.filter((r) => r.rec.eventName === 'AssumeRole' && r.rec.requestParameters?.roleArn === target);
      assert.ok(copies.some((r) => r.rec.recipientAccountId === c.accountId) && copies.some((r) => r.rec.recipientAccountId === b));
      assert.ok(eventsOf(target).length > 0);
    });
  });
});
