// Parse-only baseline: read + gunzip + JSON.parse + normalise on one core, no store.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { walkFiles } from '../../src/sources/files/index.js';
import { parseFile } from '../../src/parse/index.js';
import { arg, emit, peakRssMiB } from './common.js';

const root = arg('dir');
let events = 0;
let compressedBytes = 0;
let jsonBytes = 0;
let files = 0;
const started = process.hrtime.bigint();
for await (const entry of walkFiles([root])) {
  if ('error' in entry || !entry.path.includes('/CloudTrail/')) continue;
  const bytes = await readFile(entry.path);
  const parsed = parseFile(bytes, entry.path);
  events += parsed.events.length;
  compressedBytes += bytes.length;
  files++;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// Uncompressed volume is measured apart so the timing above is not inflated by a second gunzip.
for await (const entry of walkFiles([root])) {
  if ('error' in entry || !entry.path.includes('/CloudTrail/')) continue;
  jsonBytes += gunzipSync(await readFile(entry.path)).length;
}
emit({
  phase: 'parse',
  seconds,
  events,
  files,
  eventsPerSecond: Math.round(events / seconds),
  jsonMiBPerSecond: Math.round((jsonBytes / 1048576 / seconds) * 10) / 10,
  gzipMiBPerSecond: Math.round((compressedBytes / 1048576 / seconds) * 10) / 10,
  peakRssMiB: peakRssMiB(),
});
