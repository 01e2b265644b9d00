// Full import into a fresh SQLite store, through the same code path as `trailscope import`.
import { rmSync, statSync, existsSync } from 'node:fs';
import { openStore } from '../../src/store/index.js';
import { importPaths } from '../../src/ingest/local-import.js';
import { attachDetections, loadSigmaEventRules } from '../../src/detect/index.js';
import { arg, cpuSecondsSince, emit, mainThreadCpuSeconds, mainThreadRunNs, peakRssMiB } from './common.js';
import { applyHeapSizing } from '../../src/cli/heap.js';

// as the CLI does for every command (src/cli/heap.ts)
applyHeapSizing();

const root = arg('dir');
const db = arg('db');
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
const store = await openStore(db);
// As `trailscope import` does; --no-detections measures the same import without the event rules.
const detections = !process.argv.includes('--no-detections');
// Time spent in the rules on the store's thread: a load-independent view of their cost (the
// with/without throughput ratio moves with whatever else the machine runs).
let hookSeconds = 0;
// The same on the CPU: the rules' cost whatever else the machine runs (null where unknown).
let hookCpuSeconds: number | null = 0;
// --sigma-dir DIR, as `trailscope import --sigma-dir`: data/sigma/rules turns on the shipped
// rules that are off by default, so the run measures all of them.
const sigmaAt = process.argv.indexOf('--sigma-dir');
const sigmaDirs = sigmaAt >= 0 ? [arg('sigma-dir')] : [];
let ruleCount = 0;
if (detections) {
  const { rules: extra, problems } = await loadSigmaEventRules(sigmaDirs);
  if (problems.length) throw new Error(`--sigma-dir: ${problems.map((p) => `${p.file}: ${p.message}`).join('; ')}`);
  const engine = attachDetections(store, extra);
  ruleCount = engine.rules.length;
  const hook = engine.hook();
  store.detections.setCommitHook((batch, memory) => {
    const t = process.hrtime.bigint();
    const ran = mainThreadRunNs();
    try {
      return hook(batch, memory);
    } finally {
      hookSeconds += Number(process.hrtime.bigint() - t) / 1e9;
      const after = mainThreadRunNs();
      hookCpuSeconds = ran === null || after === null || hookCpuSeconds === null ? null : hookCpuSeconds + (after - ran) / 1e9;
    }
  });
}
const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
const mainBefore = mainThreadCpuSeconds();
const summary = await importPaths(store, [root]);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// Every thread of the process: the parse workers and the committing thread.
const cpuSeconds = cpuSecondsSince(cpu);
// The committing thread alone: the bound on throughput once parse workers have cores of their own.
const mainAfter = mainThreadCpuSeconds();
const mainCpuSeconds = mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore;
const detected = detections ? (await store.detections.list()).length : 0;
await store.close();
const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
const dbBytes = size(db) + size(db + '-wal');
emit({
  phase: 'import',
  seconds,
  cpuSeconds,
  eventsPerCpuSecond: Math.round(summary.eventsNew / cpuSeconds),
  mainCpuSeconds,
  eventsPerMainCpuSecond: mainCpuSeconds ? Math.round(summary.eventsNew / mainCpuSeconds) : null,
  detections: detected,
  rules: ruleCount,
  hookSeconds,
  hookCpuSeconds,
  events: summary.eventsNew,
  duplicates: summary.duplicates,
  failed: summary.failed,
  eventsPerSecond: Math.round(summary.eventsNew / seconds),
  dbBytes,
  bytesPerEvent: Math.round(dbBytes / Math.max(1, summary.eventsNew)),
  peakRssMiB: peakRssMiB(),
});
