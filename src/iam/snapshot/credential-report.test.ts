import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedData } from '../../../test/support/paths.js';
import { credentialReportCsvFromJson, mergeCredentialReport, parseCredentialReport, parseCsv } from './credential-report.js';
import { parseAuthorizationDetails } from './authorization-details.js';

const DEMO = sharedData('cloudmapper-demo', 'account-data', 'demo', 'us-east-1');
const reportJson = JSON.parse(readFileSync(`${DEMO}/iam-get-credential-report.json`, 'utf8')) as { Content: string; GeneratedTime: string };

test('credential report of the cloudmapper demo: every row, root included, with the real columns', () => {
  const parsed = credentialReportCsvFromJson(reportJson);
  assert.ok(parsed);
  const report = parseCredentialReport(parsed.csv, { generatedAt: parsed.generatedAt });
  const lines = reportJson.Content.trim().split('\n');
  assert.equal(report.rows.length, lines.length - 1);
  assert.equal(report.accountId, '123456789012');
  assert.equal(report.generatedAt, new Date(reportJson.GeneratedTime).toISOString());

  const root = report.rows.find((r) => r.isRoot)!;
  assert.equal(root.passwordEnabled, null, 'not_supported for root');
  assert.equal(root.mfaActive, true);
  assert.equal(root.accessKeys.length, 1);
  assert.equal(root.accessKeys[0]!.lastUsedService, 'ecr');

  const auditor = report.rows.find((r) => r.user === 'auditor_tmp')!;
  assert.equal(auditor.passwordEnabled, false);
  assert.equal(auditor.passwordLastUsed, null);
  assert.deepEqual(auditor.accessKeys.map((k) => [k.slot, k.active, k.lastUsed]), [[1, true, null]]);

  const user = report.rows.find((r) => r.user === 'user')!;
  assert.equal(user.passwordEnabled, true);
  assert.equal(user.passwordLastUsed, '2018-05-07T15:35:54.000Z');
  assert.deepEqual(user.accessKeys.map((k) => k.slot), [1, 2]);
  assert.equal(user.accessKeys[1]!.lastUsed, '2018-05-07T15:35:54.000Z');
  assert.equal(user.accessKeys[1]!.lastUsedRegion, 'us-east-1');
});

test('the API form (base64 Content) and a plain CSV give the same report', () => {
  const b64 = { ...reportJson, Content: Buffer.from(reportJson.Content).toString('base64') };
  const a = credentialReportCsvFromJson(b64)!;
  const b = credentialReportCsvFromJson(reportJson)!;
  assert.equal(a.csv, b.csv);
  assert.deepEqual(parseCredentialReport(a.csv), parseCredentialReport(reportJson.Content));
  assert.equal(credentialReportCsvFromJson({ Content: Buffer.from('hello').toString('base64') }), undefined);
});

test('merged into IamUser fields of the snapshot by ARN, else by user name', () => {
  const snap = parseAuthorizationDetails(JSON.parse(readFileSync(`${DEMO}/iam-get-account-authorization-details.json`, 'utf8')));
  const report = parseCredentialReport(reportJson.Content);
  const users = mergeCredentialReport(snap.users, report);
  // the demo snapshot's user ARNs are anonymised to account "aws"; names still match ("USER" is "user")
  const rowOf = (u: { arn: string; name: string }) =>
    report.rows.find((r) => r.arn === u.arn) ?? report.rows.find((r) => !r.isRoot && r.user.toLowerCase() === u.name.toLowerCase());
  const inReport = users.filter((u) => rowOf(u));
  assert.deepEqual(inReport.map((u) => u.name), ['USER']);
  for (const u of inReport) {
    const row = rowOf(u)!;
    assert.equal(u.hasConsolePassword, row.passwordEnabled === true);
    assert.equal(u.mfaActive, row.mfaActive);
    assert.equal(u.accessKeys?.length, row.accessKeys.length);
  }
  // users absent from the report keep unknown (undefined) credential fields
  for (const u of users.filter((x) => !inReport.includes(x))) assert.equal(u.hasConsolePassword, undefined);
  // the input is not mutated
  assert.ok(snap.users.every((u) => u.hasConsolePassword === undefined));
});

test('CSV quoting and a report mixing accounts', () => {
  assert.deepEqual(parseCsv('a,"b,c","d""e"\r\n1,2,3\n'), [['a', 'b,c', 'd"e'], ['1', '2', '3']]);
  const header = reportJson.Content.split('\n')[0];
  const row = (arn: string) => `x,${arn},N/A,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
  assert.throws(() => parseCredentialReport([header, row('arn:aws:iam::111111111111:user/x'), row('arn:aws:iam::222222222222:user/y')].join('\n')), /mixes accounts/);
  assert.throws(() => parseCredentialReport('user,arn\nx,y'), /not an IAM credential report/);
});

test('a report without the usage columns is refused, naming them, rather than read as "never used"', () => {
  const [header, ...rows] = reportJson.Content.trim().split('\n');
  const drop = new Set(['password_last_used', 'access_key_1_last_used_date']);
  const cols = header!.split(',');
  const keep = cols.map((c, i) => (drop.has(c) ? -1 : i)).filter((i) => i >= 0);
  const cut = (line: string) => keep.map((i) => line.split(',')[i]).join(',');
  assert.throws(
    () => parseCredentialReport([cut(header!), ...rows.map(cut)].join('\n')),
    /lacks the column\(s\) password_last_used, access_key_1_last_used_date: without them every user would look as if it never used/,
  );
});

test('ragged rows and unparseable dates are skipped with a warning naming the row and user; the other rows are read', () => {
  const [header, ...rows] = reportJson.Content.trim().split('\n');
  const cols = header!.split(',');
  const userRow = rows.findIndex((r) => r.startsWith('user,'));
  const auditorRow = rows.findIndex((r) => r.startsWith('auditor_tmp,'));
  const damaged = [...rows];
  damaged[userRow] = damaged[userRow]!.split(',').slice(0, -3).join(',');
  const auditorFields = damaged[auditorRow]!.split(',');
  auditorFields[cols.indexOf('password_last_used')] = 'yesterday-ish';
  damaged[auditorRow] = auditorFields.join(',');
  const warnings: string[] = [];
  const report = parseCredentialReport([header, ...damaged].join('\n'), { onWarning: (w) => warnings.push(w) });
  assert.equal(report.rows.length, rows.length - 2);
  assert.ok(!report.rows.some((r) => r.user === 'user' || r.user === 'auditor_tmp'));
  assert.deepEqual(warnings, [
    `row ${auditorRow + 2} (user "auditor_tmp"): password_last_used "yesterday-ish" is not a date: skipped, so this user's credential use is unknown`,
    `row ${userRow + 2} (user "user") has ${cols.length - 3} field(s) where the header has ${cols.length}: skipped, so this user's credential use is unknown`,
  ].sort((a, b) => Number(/row (\d+)/.exec(a)![1]) - Number(/row (\d+)/.exec(b)![1])));
});
