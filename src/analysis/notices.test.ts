import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coverageNotice, DEFAULT_COVERAGE_OPTIONS, type AccountCoverage } from './coverage.js';
import { formatNotices } from './notices.js';

const uncovered = (accountId: string) => {
  const coverage: AccountCoverage = { accountId, coveredDays: 0, activity: 'unknown', spans: [], gaps: [], regions: [] };
  return coverageNotice(coverage, 90, DEFAULT_COVERAGE_OPTIONS);
};

test('a few accounts without coverage get one line each, with their own command', () => {
  const lines = formatNotices(['111111111111', '222222222222'].map(uncovered), 'my.db');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^trailscope: account 111111111111: activity not judged .*no CloudTrail logs in the window/);
  assert.match(lines[1]!, /trailscope backfill --db my\.db --bucket <trail-bucket> --account 222222222222 --days 90/);
});

test('many accounts without coverage fold into one line that names the first and counts the rest', () => {
  const accounts = Array.from({ length: 12 }, (_, i) => String(100000000000 + i));
  const other = { kind: 'no-credential-report' as const, message: 'no credential report', commands: ['trailscope iam import report.csv'] };
  const lines = formatNotices([other, ...accounts.map(uncovered)]);
  const coverage = lines.filter((l) => l.includes('activity not judged'));
  assert.equal(coverage.length, 1);
  assert.match(coverage[0]!, /^trailscope: 12 accounts: activity not judged/);
  assert.match(coverage[0]!, /in 100000000000, 100000000001, 100000000002, 100000000003, 100000000004 and 7 more;/);
  assert.match(coverage[0]!, /trailscope coverage shows each account's spans/);
  assert.match(coverage[0]!, /--account <account> --days 90/);
  assert.ok(!coverage[0]!.includes('--account 100000000000'), 'no single account in the shared command');
  assert.ok(lines.includes('trailscope: no credential report'), 'other notices are kept');
});
