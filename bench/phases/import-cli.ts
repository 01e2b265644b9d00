// `trailscope import` as users run it: the compiled CLI (bin/trailscope, default rules) into a
// fresh SQLite store. The import phase runs the same code in-process from the TypeScript sources
// under tsx, whose loader thread and compiled modules add tens of MiB to the peak RSS: this
// phase measures the product's own peak RSS, wall and CPU time.
import { rmSync, statSync } from 'node:fs';
import { openStore } from '../../src/store/index.js';
import { arg, emit } from './common.js';
import { runCli } from './cli-run.js';

const root = arg('dir');
const db = arg('db');
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
const { seconds, peakRssMiB, cpu } = await runCli(['import', root, '--db', db], { rssFile: `${db}.rss` });
const store = await openStore(db);
const stats = await store.events.stats();
await store.close();
emit({
  phase: 'import-cli',
  seconds,
  cpuSeconds: cpu.all,
  eventsPerCpuSecond: Math.round(stats.events / cpu.all),
  events: stats.events,
  eventsPerSecond: Math.round(stats.events / seconds),
  dbBytes: statSync(db).size,
  peakRssMiB,
});
