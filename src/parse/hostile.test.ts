import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseFile } from './index.js';
import { MAX_CONSECUTIVE_REJECTS, MAX_RECORD_DEPTH, MAX_STRING_CHARS } from './limits.js';
import type { ParseError } from './errors.js';

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventID: 'e-1',
    eventTime: '2026-11-30T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
    ...overrides,
  };
}

function file(records: unknown[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

/** JSON text of an object nested `depth` levels (built as text: JSON.stringify would overflow). */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

test('an eventTime more than a day after the file is read is rejected with its reason; a slightly early clock is not', () => {
  const receivedAt = '2026-12-01T00:00:00.000Z';
  const parsed = parseFile(
    file([
      record({ eventID: 'far', eventTime: '9999-12-31T23:59:59Z' }),
      record({ eventID: 'two-days', eventTime: '2026-12-03T00:00:01Z' }),
      record({ eventID: 'skewed', eventTime: '2026-12-01T06:00:00Z' }),
      record({ eventID: 'past', eventTime: '2026-11-30T10:00:00Z' }),
    ]),
    'x.json.gz',
    { receivedAt },
  );
  assert.deepEqual(parsed.events.map((e) => e.eventID), ['skewed', 'past']);
  assert.deepEqual(parsed.rejected.map((r) => r.index), [0, 1]);
  assert.match(parsed.rejected[0]!.reason, /9999-12-31T23:59:59Z lies more than a day after the record was read/);
});

test('a record nested 100,000 deep is rejected alone; the good records of its file stay, and every kept event serialises', () => {
  const deep = `{"eventVersion":"1.08","eventID":"deep","eventTime":"2026-11-30T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":${nestedText(100_000)}}`;
  const moderate = `{"eventVersion":"1.08","eventID":"ten-thousand","eventTime":"2026-11-30T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":${nestedText(10_000)}}`;
  const atLimit = record({ eventID: 'at-limit', requestParameters: JSON.parse(nestedText(MAX_RECORD_DEPTH - 1)) });
  const text = `{"Records":[${JSON.stringify(record({ eventID: 'good' }))},${deep},${moderate},${JSON.stringify(atLimit)}]}`;
  const parsed = parseFile(gzipSync(text), 'deep.json.gz');
  assert.deepEqual(parsed.events.map((e) => e.eventID), ['good', 'at-limit']);
  assert.deepEqual(parsed.rejected.map((r) => r.index), [1, 2]);
  for (const r of parsed.rejected) assert.match(r.reason, new RegExp(`nests deeper than ${MAX_RECORD_DEPTH} levels \\(at requestParameters\\.a\\.a`));
  for (const e of parsed.events) assert.doesNotThrow(() => JSON.stringify(e.raw));
});

test('limits reach values under a "__proto__" key (an own property when JSON.parse reads it)', () => {
  const text = `{"Records":[{"eventVersion":"1.08","eventID":"proto","eventTime":"2026-11-30T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"__proto__":${nestedText(MAX_RECORD_DEPTH)}}},{"eventVersion":"1.08","eventID":"proto-long","eventTime":"2026-11-30T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"__proto__":{"x":"${'x'.repeat(MAX_STRING_CHARS + 1)}"}}}]}`;
  const parsed = parseFile(gzipSync(text), 'proto.json.gz');
  assert.deepEqual(parsed.events, []);
  assert.match(parsed.rejected[0]!.reason, /nests deeper than 64 levels \(at requestParameters\.__proto__\.a/);
  assert.match(parsed.rejected[1]!.reason, /field requestParameters\.__proto__\.x holds/);
});

test('a record holding a string longer than the per-string limit is rejected, naming the field', () => {
  const parsed = parseFile(
    file([record({ eventID: 'huge-agent', userAgent: 'x'.repeat(MAX_STRING_CHARS + 1) }), record({ eventID: 'fine', userAgent: 'y'.repeat(MAX_STRING_CHARS) })]),
    'agent.json.gz',
  );
  assert.deepEqual(parsed.events.map((e) => e.eventID), ['fine']);
  assert.match(parsed.rejected[0]!.reason, new RegExp(`field userAgent holds ${MAX_STRING_CHARS + 1} characters, over the limit`));
});

test('a file of 300,000 `{}` fails fast, naming the reason, instead of rejecting each record', () => {
  const started = Date.now();
  assert.throws(
    () => parseFile(gzipSync(`[${Array(300_000).fill('{}').join(',')}]`), 'empties.json.gz'),
    (err: ParseError) => err.code === 'too-many-rejected' && /1000 consecutive records were rejected \(records 0 to 999 of 300000; the last because: not a CloudTrail record/.test(err.reason),
  );
  assert.ok(Date.now() - started < 5000, 'given up early');
});

test('records rejected one after another past the limit fail the file; fewer in a row do not', () => {
  const bad = (k: number) => record({ eventID: `bad-${k}`, eventTime: undefined });
  const tolerated = [...Array.from({ length: MAX_CONSECUTIVE_REJECTS - 1 }, (_, k) => bad(k)), record({ eventID: 'good' }), bad(-1)];
  const parsed = parseFile(file(tolerated), 'some-bad.json.gz');
  assert.deepEqual(parsed.events.map((e) => e.eventID), ['good']);
  assert.equal(parsed.rejected.length, MAX_CONSECUTIVE_REJECTS);
  const ndjson = Array.from({ length: MAX_CONSECUTIVE_REJECTS + 5 }, (_, k) => JSON.stringify(bad(k))).join('\n');
  assert.throws(
    () => parseFile(Buffer.from(`${JSON.stringify(record())}\n${ndjson}`), 'lines.jsonl'),
    (err: ParseError) => err.code === 'too-many-rejected' && /eventTime is missing/.test(err.reason),
  );
});

test('a .json.gz or .json whose content is not JSON fails with the reason; a README beside it is only not CloudTrail', () => {
  assert.throws(
    () => parseFile(gzipSync('hello, not json'), 'AWSLogs/x.json.gz'),
    (err: ParseError) => err.code === 'malformed-json' && /gzip-compressed like CloudTrail JSON but its content is not JSON \(it starts with "hello, not json"\)/.test(err.reason),
  );
  assert.throws(() => parseFile(gzipSync(' '.repeat(100_000)), 'blank.json.gz'), (err: ParseError) => /only whitespace/.test(err.reason));
  assert.throws(() => parseFile(Buffer.from('plain words'), 'export.json'), (err: ParseError) => err.code === 'malformed-json');
  assert.equal(parseFile(Buffer.from('# notes'), 'README.md').kind, 'other');
});

test('a big file packed with tiny objects is refused before it is parsed; real CloudTrail density passes', () => {
  const packed = `[${Array(2_000_000).fill('{}').join(',')}]`;
  const started = Date.now();
  assert.throws(() => parseFile(gzipSync(packed), 'packed.json.gz'), (err: ParseError) => err.code === 'too-many-rejected' && /2000001 JSON objects and arrays in 6000001 characters/.test(err.reason));
  assert.ok(Date.now() - started < 2000, 'refused before JSON.parse');
  const real = Array.from({ length: 3000 }, (_, k) => record({ eventID: `r-${k}`, requestParameters: { bucketName: 'b', key: `k/${k}` }, resources: [{ ARN: 'arn:aws:s3:::b', type: 'AWS::S3::Bucket' }] }));
  assert.ok(JSON.stringify({ Records: real }).length > 1024 * 1024);
  assert.equal(parseFile(file(real), 'real.json.gz').events.length, 3000);
});
