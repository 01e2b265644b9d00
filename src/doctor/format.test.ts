import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDoctorRun } from './format.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('formatDoctorRun: one line per check, why and fix for problems only, hostile AWS text escaped', () => {
  const hostile = 'AWSLogs/x\u001b]0;pwned\u0007\u202eevil\nFAIL  forged: line';
  const text = formatDoctorRun({
    connector: 'prod',
    startedAt: '2026-12-05T12:00:00.000Z',
    finishedAt: '2026-12-05T12:00:01.000Z',
    results: [
      { id: 'identity', title: 't', why: 'w1', status: 'pass', found: 'ok' },
      { id: 'recent-file-readable', title: 't', why: 'w2', status: 'fail', found: `s3://b/${hostile} is not a CloudTrail file`, fix: 'do it' },
      { id: 'kms-key', title: 't', why: 'w3', status: 'skip', found: 'no key' },
    ],
  });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 7);
  assert.equal(lines[1], 'PASS  identity: ok');
  assert.match(lines[2]!, /^FAIL {2}recent-file-readable: s3:\/\/b\/AWSLogs\/x.* is not a CloudTrail file$/);
  assert.equal(lines[3], '      why: w2');
  assert.equal(lines[4], '      fix: do it');
  assert.equal(lines[5], 'SKIP  kms-key: no key');
  assert.equal(lines[6], '1 passed, 0 warnings, 1 failed, 1 skipped');
  assert.doesNotMatch(text.replace(/\n/g, ''), RAW_CONTROL);
});
