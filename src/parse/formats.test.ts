import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { sharedData } from '../../test/support/paths.js';
import { parseFile, ParseError } from './index.js';

const FLAWS_KEY =
  'AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/653711331788_CloudTrail_us-east-1_20181128T2305Z_zKlMhON7EpHala9u.json.gz';
const flawsBytes = () => readFileSync(sharedData('flaws2-cloudtrail', FLAWS_KEY));
const usGov = () => JSON.parse(readFileSync(sharedData('elastic-cloudtrail-fixtures', 'integrations', 'test-us-gov-arn.log'), 'utf8'));

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ParseError');
}

describe('parseFile: gzip', () => {
  test('gzip is found by magic bytes, whatever the name', () => {
    const parsed = parseFile(flawsBytes(), 'renamed.txt');
    assert.equal(parsed.gzipped, true);
    assert.equal(parsed.format, 'cloudtrail');
    assert.ok(parsed.events.length > 0);
  });

  test('a corrupt gzip stream is a ParseError naming the file', () => {
    const bytes = Buffer.from(flawsBytes());
    bytes.fill(0x41, 300, 360); // inside the deflate data (the header holds a file name)
    const err = parseError(() => parseFile(bytes, 'bad.json.gz'));
    assert.equal(err.code, 'corrupt-gzip');
    assert.equal(err.file, 'bad.json.gz');
    assert.match(err.reason, /gzip stream is corrupt/);
    assert.match(err.fix, /download/);
  });

  test('a truncated gzip stream says so', () => {
    const bytes = flawsBytes();
    const err = parseError(() => parseFile(bytes.subarray(0, Math.floor(bytes.length / 2)), 'cut.json.gz'));
    assert.equal(err.code, 'corrupt-gzip');
    assert.match(err.reason, /truncated/);
  });

  test('a decompression bomb stops at the size limit', () => {
    const bomb = gzipSync(Buffer.alloc(5_000_000, 0x20));
    const err = parseError(() => parseFile(bomb, 'bomb.json.gz', { maxBytes: 1_000_000 }));
    assert.equal(err.code, 'too-large');
  });

  test('zip archives and empty files are named as such', () => {
    assert.equal(parseError(() => parseFile(Buffer.from('PK\x03\x04rest'), 'a.zip')).code, 'unsupported-compression');
    assert.equal(parseError(() => parseFile(Buffer.alloc(0), 'empty.json')).code, 'empty');
    assert.equal(parseError(() => parseFile(gzipSync(Buffer.alloc(0)), 'empty.json.gz')).code, 'empty');
  });
});

describe('parseFile: formats', () => {
  test('one-record-per-line keeps good lines and rejects a broken one with its line number', () => {
    const rec = usGov();
    const text = [JSON.stringify(rec), '{"eventVersion": "1.08", "eventTime": ', '', JSON.stringify({ ...rec, eventID: 'second' })].join('\n');
    const parsed = parseFile(Buffer.from(text), 'x.jsonl');
    assert.equal(parsed.format, 'ndjson');
    assert.deepEqual(parsed.events.map((e) => e.eventID), ['46a04795-4e02-4710-a395-5a0f578cfEXAMPLE', 'second']);
    assert.equal(parsed.rejected.length, 1);
    assert.equal(parsed.rejected[0]?.line, 2);
    assert.match(parsed.rejected[0]?.reason ?? '', /line 2 is not valid JSON/);
  });

  test('records that are not objects are rejected, not dropped', () => {
    const parsed = parseFile(Buffer.from(JSON.stringify({ Records: [usGov(), 42, null, ['x']] })), 'r.json');
    assert.equal(parsed.events.length, 1);
    assert.deepEqual(parsed.rejected.map((r) => r.index), [1, 2, 3]);
  });

  test('"Records" that is not an array is a ParseError', () => {
    const err = parseError(() => parseFile(Buffer.from('{"Records": {"a": 1}}'), 'r.json'));
    assert.equal(err.code, 'malformed-cloudtrail');
  });

  test('EventBridge events carry the record in detail', () => {
    const rec = usGov();
    const eb = { version: '0', id: 'x', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ssm', time: rec.eventTime, detail: rec };
    const parsed = parseFile(Buffer.from(`${JSON.stringify(eb)}\n${JSON.stringify(eb)}\n`), 'eb.jsonl');
    assert.equal(parsed.envelope, 'eventbridge');
    assert.equal(parsed.events.length, 2);
    assert.equal(parsed.events[0]?.raw.eventID, rec.eventID); // raw is the CloudTrail record, not the envelope
    assert.equal('detail-type' in (parsed.events[0]?.raw ?? {}), false);
    assert.equal(parsed.events[0]?.eventName, 'UpdateInstanceInformation');
  });

  test('shippers forwarding the raw line in message/log', () => {
    const rec = usGov();
    const lines = [
      { '@timestamp': '2026-01-05T18:46:27.120Z', message: JSON.stringify(rec), host: { name: 'x' } },
      { log: JSON.stringify({ ...rec, eventID: 'fluent' }), stream: 'stdout' },
      { message: 'plain text log line' },
    ].map((l) => JSON.stringify(l));
    const parsed = parseFile(Buffer.from(lines.join('\n')), 'shipped.ndjson');
    assert.equal(parsed.envelope, 'log-shipper');
    assert.deepEqual(parsed.events.map((e) => e.eventID), [rec.eventID, 'fluent']);
    assert.equal(parsed.events[0]?.eventTime, '2026-01-05T18:46:26Z'); // the record's time, not the shipper's
    assert.equal(parsed.rejected.length, 1);
  });

  test('a UTF-8 byte-order mark is ignored; UTF-16LE with a BOM (PowerShell redirection) is read', () => {
    const parsed = parseFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([usGov()]))]), 'bom.json');
    assert.equal(parsed.events.length, 1);
    const lines = readFileSync(sharedData('plaso-lookup-events', 'aws_cloudtrail.jsonl'), 'utf8');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.replace(/\n/g, '\r\n'), 'utf16le')]);
    assert.equal(parseFile(utf16, 'lookup.json').events.length, 6);
  });

  test('digest files are skipped by content, whatever the name', () => {
    const bytes = gzipSync(readFileSync(sharedData('elastic-cloudtrail-fixtures', 'integrations', 'test-cloudtrail-digest-json.log')));
    const parsed = parseFile(bytes, 'misnamed_CloudTrail_us-east-1.json.gz');
    assert.equal(parsed.kind, 'digest');
    assert.equal(parsed.events.length, 0);
  });

  test('the key account fills recipientAccountId only where the record has none', () => {
    const rec = usGov();
    delete rec.recipientAccountId;
    const key = 'AWSLogs/o-abcdefghij/222233334444/CloudTrail/us-gov-east-1/2026/01/05/f.json.gz';
    const parsed = parseFile(gzipSync(JSON.stringify({ Records: [rec] })), key);
    assert.equal(parsed.events[0]?.recipientAccountId, '222233334444');
  });

  test('plain text, CSV and unrelated JSON are kind other with a note, not errors', () => {
    for (const [name, body] of [
      ['LICENSE', 'Apache License\nVersion 2.0'],
      ['x.csv', 'a,b\n1,2\n'],
      ['x.json', '{"eventName": "CreateKey", "description": "..."}'],
      ['y.json', '[1, 2, 3]'],
    ] as const) {
      const parsed = parseFile(Buffer.from(body), name);
      assert.equal(parsed.kind, 'other', name);
      assert.ok(parsed.note, name);
    }
  });

  test('an S3 event notification is not mistaken for CloudTrail', () => {
    const note = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventTime: '2024-01-01T00:00:00.000Z', eventName: 'ObjectCreated:Put', s3: {} }] };
    assert.equal(parseFile(Buffer.from(JSON.stringify(note)), 'n.json').kind, 'other');
    const rec = { ...usGov(), eventVersion: '2.0' };
    const parsed = parseFile(Buffer.from(JSON.stringify([rec])), 'v2.json');
    assert.equal(parsed.events.length, 0);
    assert.match(parsed.rejected[0]?.reason ?? '', /not a CloudTrail 1\.x record/);
  });

  test('reasons quoting hostile content are printable (no terminal escapes)', () => {
    const rec = { ...usGov(), eventTime: '\u001b[31mred\u001b[0m' };
    const parsed = parseFile(Buffer.from(JSON.stringify(rec) + '\n'), 'esc.jsonl');
    const reason = parsed.rejected[0]?.reason ?? '';
    assert.match(reason, /\\u001b\[31mred/);
    assert.equal(reason.includes('\u001b'), false);
  });

  test('a hostile, deeply nested record costs itself only', () => {
    let deep = '1';
    for (let i = 0; i < 5000; i++) deep = `[${deep}]`;
    const bad = `{"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","x":${deep}}`;
    const parsed = parseFile(Buffer.from(`${bad}\n${JSON.stringify(usGov())}\n`), 'deep.jsonl');
    assert.equal(parsed.events.length + parsed.rejected.length, 2);
    assert.ok(parsed.events.some((e) => e.eventName === 'UpdateInstanceInformation'));
  });
});
