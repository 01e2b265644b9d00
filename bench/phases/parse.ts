// Parse-only baseline: read + gunzip + JSON.parse + normalise on one core, no store; and beside
// it the physical floor: read + gunzip + JSON.parse alone, on the same files, on the same core.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { walkFiles } from '../../src/sources/files/index.js';
import { parseFile } from '../../src/parse/index.js';
import { arg, cpuSecondsSince, emit, peakRssMiB } from './common.js';

const root = arg('dir');
const paths: string[] = [];
let compressedBytes = 0;
let jsonBytes = 0;
// A first pass measures the volume and warms the page cache for both timed passes.
for await (const entry of walkFiles([root])) {
  if ('error' in entry || !entry.path.includes('/CloudTrail/')) continue;
  const bytes = await readFile(entry.path);
  paths.push(entry.path);
  compressedBytes += bytes.length;
  jsonBytes += gunzipSync(bytes).length;
}

let events = 0;
let started = process.hrtime.bigint();
let cpu = process.cpuUsage();
for (const path of paths) events += parseFile(await readFile(path), path).events.length;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpuSeconds = cpuSecondsSince(cpu);

let floorRecords = 0;
started = process.hrtime.bigint();
cpu = process.cpuUsage();
for (const path of paths) floorRecords += (JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as { Records: unknown[] }).Records.length;
const floorSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const floorCpuSeconds = cpuSecondsSince(cpu);

emit({
  phase: 'parse',
  seconds,
  cpuSeconds,
  events,
  files: paths.length,
  eventsPerSecond: Math.round(events / seconds),
  eventsPerCpuSecond: Math.round(events / cpuSeconds),
  jsonMiBPerSecond: Math.round((jsonBytes / 1048576 / seconds) * 10) / 10,
  gzipMiBPerSecond: Math.round((compressedBytes / 1048576 / seconds) * 10) / 10,
  floorRecords,
  floorSeconds,
  floorCpuSeconds,
  floorEventsPerSecond: Math.round(floorRecords / floorSeconds),
  floorEventsPerCpuSecond: Math.round(floorRecords / floorCpuSeconds),
  peakRssMiB: peakRssMiB(),
});
