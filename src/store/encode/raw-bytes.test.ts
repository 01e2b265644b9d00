/**
 * A record of an ASCII file is copied into the chunk byte for byte (RecordText.bytes); any other
 * file's records are encoded from their text. Either way a stored line reads back as the record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseFile } from '../../parse/index.js';
import { ChunkBuilder, lineBytes } from './chunk.js';
import type { EncodedChunk } from './chunk.js';
import { encodeRaw } from './raw.js';
import { record } from '../../parse/record.test-helpers.js';

const AT = { receivedAt: '2024-05-02T00:00:00Z', recordTexts: true };

function delivery(records: Record<string, unknown>[]): string {
  return `{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`;
}

function ids(n: number, from: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => record({ eventID: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`, requestParameters: { n: from + i } }));
}

function encode(parsed: ReturnType<typeof parseFile>): EncodedChunk {
  const builder = new ChunkBuilder();
  builder.add(null, parsed.events, undefined, parsed.texts);
  return builder.finish();
}

function assertLinesAreRecords(chunk: EncodedChunk, parsed: ReturnType<typeof parseFile>): void {
  assert.equal(chunk.n, parsed.events.length);
  parsed.events.forEach((e, i) => {
    const stored = Buffer.from(lineBytes(chunk, i)).toString('utf8');
    assert.equal(stored, encodeRaw(e).line, `line ${i}`);
  });
}

test('an ASCII file hands its bytes on with each record, and the copied lines are the encoded ones', () => {
  const parsed = parseFile(gzipSync(delivery(ids(5, 0))), 'a.json.gz', AT);
  assert.ok(parsed.texts!.every((t) => t?.bytes !== undefined), 'one byte per character: bytes handed on');
  assertLinesAreRecords(encode(parsed), parsed);
});

test('a file with multi-byte characters has its records encoded from their text', () => {
  const parsed = parseFile(Buffer.from(delivery([...ids(2, 0), record({ userAgent: 'ü\u{1F600}\u2028日本' })])), 'u.json', AT);
  assert.ok(parsed.texts!.every((t) => t !== undefined && t.bytes === undefined), 'offsets into the text are not offsets into the bytes');
  assertLinesAreRecords(encode(parsed), parsed);
});

test('a stray invalid byte is kept as it is and reads back as the replacement character it was parsed as', () => {
  const text = delivery([record({ userAgent: 'bad-\u0001-byte' }), ...ids(2, 10)]);
  const bytes = Buffer.from(text);
  bytes[bytes.indexOf('\\u0001')] = 0xff; // ...then the rest of "\u0001" stays as literal text
  const parsed = parseFile(bytes, 'x.json', AT);
  assert.match(parsed.events[0]!.userAgent!, /\uFFFD/);
  assert.ok(parsed.texts![0]!.bytes, 'still one character per byte');
  const chunk = encode(parsed);
  assert.equal(lineBytes(chunk, 0).includes(0xff), true, 'the byte itself, not its replacement, was copied');
  assertLinesAreRecords(chunk, parsed);
  assert.deepEqual(JSON.parse(Buffer.from(lineBytes(chunk, 0)).toString('utf8')).userAgent, parsed.events[0]!.userAgent);
});

test("builders on one thread never share a buffer: a finished chunk keeps its text while later ones are built", () => {
  const files = [ids(40, 100), ids(300, 200), ids(7, 600)].map((records, i) => parseFile(Buffer.from(delivery(records)), `f${i}.json`, AT));
  // Two alive at once, then one after both finished (it takes the buffer they gave back).
  const first = new ChunkBuilder();
  const second = new ChunkBuilder();
  first.add(null, files[0]!.events, undefined, files[0]!.texts);
  second.add(null, files[1]!.events, undefined, files[1]!.texts);
  const a = first.finish();
  const b = second.finish();
  const c = encode(files[2]!);
  assertLinesAreRecords(a, files[0]!);
  assertLinesAreRecords(b, files[1]!);
  assertLinesAreRecords(c, files[2]!);
  assert.notEqual(a.rawText.buffer, b.rawText.buffer);
  assert.equal(a.rawText.byteLength, a.rawText.buffer.byteLength, 'each text owns its whole ArrayBuffer (transferable)');
});
