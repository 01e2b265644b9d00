import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseFile } from '../../parse/index.js';
import { encodeRaw } from './raw.js';
import { RECORD_ID as ID, record } from '../../parse/record.test-helpers.js';

test('stored lines made from the record texts are the lines JSON.stringify makes, marker included', () => {
  const records = [
    record(),
    record({ requestParameters: { eventID: ID } }),
    record({ eventID: 0 }),
    record({ eventID: 'odd"id' }),
    record({ big: 1e300, text: 'ü\u{1F600}\u2028' }),
  ];
  const spaced = `{ "Records" : [ ${records.map((r) => JSON.stringify(r)).join(' , ')} ] }`;
  const parsed = parseFile(gzipSync(spaced), 'f.json.gz', { recordTexts: true, receivedAt: '2024-05-02T00:00:00Z' });
  assert.equal(parsed.events.length, records.length);
  assert.equal(parsed.texts!.filter(Boolean).length, records.length);
  parsed.events.forEach((e, i) => {
    const viaText = encodeRaw(e, parsed.texts![i]);
    const viaObject = encodeRaw(e);
    assert.equal(viaText.line, viaObject.line, `record ${i}`);
    assert.equal(viaText.extra, viaObject.extra, `record ${i}`);
  });
  assert.equal(parseFile(gzipSync(spaced), 'f.json.gz', { receivedAt: '2024-05-02T00:00:00Z' }).texts, undefined, 'only when asked');
});
