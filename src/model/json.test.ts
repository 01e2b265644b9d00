import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringifyIteratively, stringifyJson } from './json.js';

test('the iterative serialiser writes what JSON.stringify writes', () => {
  const samples: unknown[] = [
    { a: 1, b: [true, null, 'x"y\n', { c: -0.5, d: [] }], e: {}, skipped: undefined },
    [1, undefined, 'é\u2028'],
    'plain',
    42,
    null,
  ];
  for (const v of samples) assert.equal(stringifyIteratively(v), JSON.stringify(v));
});

test('a value nested far too deep for JSON.stringify still becomes valid JSON', () => {
  const depth = 1_000_000;
  const text = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
  const deep = JSON.parse(text) as unknown;
  assert.throws(() => JSON.stringify(deep), RangeError);
  assert.equal(stringifyJson({ eventID: 'x', raw: deep }), `{"eventID":"x","raw":${text}}`);
});
