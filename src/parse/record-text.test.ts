import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryRecordTexts } from './record-text.js';
import { RECORD_ID as ID, record } from './record.test-helpers.js';

test('each record of a delivery file is found as written, strings with braces, quotes and escapes included', () => {
  // requestParameters, with an eventID of its own, before the record's eventID.
  const hostile = { requestParameters: { key: 'a}b]{"c\\\\', eventID: ID, nested: [{ x: '\\"}' }] }, ...record() };
  const text = `{"Records":[${JSON.stringify(record())},  ${JSON.stringify(hostile)}]}`;
  const found = deliveryRecordTexts(text)!;
  assert.equal(found.length, 2);
  assert.deepEqual(JSON.parse(text.slice(found[1]!.start, found[1]!.end)), hostile);
  // The top-level key, not the one inside requestParameters (which comes first).
  assert.ok(found[1]!.idAt > text.indexOf('"eventSource"', found[1]!.start));
  assert.equal(text.slice(found[1]!.idAt, found[1]!.idAt + 9), '"eventID"');
});

test('a record spread over lines, a repeated top-level eventID or another layout is not used as it is', () => {
  const pretty = `{"Records":[${JSON.stringify(record(), null, 2)}, ${JSON.stringify(record())}]}`;
  const found = deliveryRecordTexts(pretty)!;
  assert.equal(found[0], undefined, 'pretty-printed: not one line');
  assert.ok(found[1]);
  const twice = `{"Records":[{"eventID":"a",${JSON.stringify(record()).slice(1)}]}`;
  assert.equal(deliveryRecordTexts(twice)![0]!.idAt, -1);
  assert.equal(deliveryRecordTexts(`[${JSON.stringify(record())}]`), null);
  assert.equal(deliveryRecordTexts(`{"Records":[1]}`), null);
});
