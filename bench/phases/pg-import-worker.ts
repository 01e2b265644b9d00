// One import worker into PostgreSQL: `trailscope import` of some paths, with the event rules, as a
// separate process (several run at once on one database in the pg-import phase).
import { openStore } from '../../src/store/index.js';
import { importPaths } from '../../src/ingest/local-import.js';
import { attachDetections } from '../../src/detect/index.js';
import { arg, emit, peakRssMiB } from './common.js';
import { cpuSeconds } from './cpu.js';
import { applyHeapSizing } from '../../src/cli/heap.js';

// as the CLI does for every command (src/cli/heap.ts)
applyHeapSizing();

const db = arg('db');
const paths = JSON.parse(arg('paths')) as string[];
const store = await openStore(db);
if (!process.argv.includes('--no-detections')) store.detections.setCommitHook(attachDetections(store).hook());
const started = process.hrtime.bigint();
const cpu0 = cpuSeconds();
const summary = await importPaths(store, paths);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = cpuSeconds() - cpu0;
await store.close();
if (summary.failed > 0) throw new Error(`${summary.failed} files failed: ${summary.failures[0]?.reason}`);
emit({ phase: 'pg-import-worker', seconds, cpuSeconds: cpu, events: summary.eventsNew, duplicates: summary.duplicates, peakRssMiB: peakRssMiB() });
