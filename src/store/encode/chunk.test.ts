import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync } from 'node:zlib';
import { syntheticEvents } from '../testing/fixtures.js';
import { encodeChunk, lineBytes, mergeChunks } from './index.js';
import { encodeRaw } from './raw.js';
import { BLOCK_MAX_EVENTS, BLOCK_TARGET_BYTES } from './lines.js';

test('lines are the compact raw records, located exactly even with multi-byte characters', () => {
  const events = syntheticEvents(40, { seed: 3 });
  events[7]!.raw.userAgent = 'ü\u{1F600}\u2028"\\';
  events[8]!.raw.userAgent = '日本語';
  const chunk = encodeChunk([
    { file: null, events: events.slice(0, 10) },
    { file: null, events: events.slice(10) },
  ]);
  assert.equal(chunk.n, 40);
  assert.deepEqual(chunk.parts.map((p) => p.events), [10, 30]);
  assert.equal(chunk.blocks, null, 'not asked to compress');
  const text = Buffer.from(chunk.rawText).toString('utf8');
  assert.deepEqual(text.split('\n'), events.map((e) => encodeRaw(e).line));
  events.forEach((e, i) => assert.equal(Buffer.from(lineBytes(chunk, i)).toString('utf8'), encodeRaw(e).line));
  assert.equal(chunk.actions[0], JSON.stringify(events[0]!.actions.length ? events[0]!.actions : []));
});

test('compressed blocks cover every line once, within the block limits, only when worth it', () => {
  const small = encodeChunk([{ file: null, events: syntheticEvents(100, { seed: 4 }) }], { compress: true });
  assert.ok(small.rawText.length < BLOCK_TARGET_BYTES);
  assert.equal(small.blocks, null, 'too few events to compress well: left to the store');
  const events = syntheticEvents(2 * BLOCK_MAX_EVENTS + 5, { seed: 5 });
  const chunk = encodeChunk([{ file: null, events }], { compress: true });
  const blocks = chunk.blocks!;
  assert.equal(blocks.length, 3);
  let next = 0;
  const lines: string[] = [];
  for (const b of blocks) {
    assert.equal(b.first, next);
    assert.ok(b.n <= BLOCK_MAX_EVENTS);
    next += b.n;
    lines.push(...brotliDecompressSync(b.data).toString('utf8').split('\n'));
  }
  assert.equal(next, events.length);
  assert.deepEqual(lines, events.map((e) => encodeRaw(e).line));
});

test('merging chunks gives the chunk of all their parts encoded together (group commit)', () => {
  const events = syntheticEvents(30, { seed: 6 });
  // Irregular shapes the light columns cannot reproduce, in the second and third chunk: their
  // indices must move with the chunk's place in the merge.
  events[12]!.raw.userAgent = { nested: true } as unknown as string;
  events[25]!.raw.sourceIPAddress = 'not the column';
  const parts = [events.slice(0, 10), [], events.slice(10, 20), events.slice(20)].map((part) => ({ file: null, events: part }));
  const merged = mergeChunks(parts.map((part) => encodeChunk([part])));
  const together = encodeChunk(parts);
  assert.deepEqual(together.lightIrregular, [12, 25], 'the fixture has irregular events to shift');
  assert.deepEqual({ ...merged, blocks: null }, { ...together, blocks: null });
  assert.deepEqual(mergeChunks([encodeChunk([parts[0]!])]), encodeChunk([parts[0]!]));
});
