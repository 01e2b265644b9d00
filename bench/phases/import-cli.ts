// `trailscope import` as users run it: the compiled CLI (bin/trailscope, default rules) into a
// fresh SQLite store. The import phase runs the same code in-process from the TypeScript sources
// under tsx, whose loader thread and compiled modules add tens of MiB to the peak RSS: this
// phase measures the product's own peak RSS, wall and CPU time.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { arg, emit } from './common.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = arg('dir');
const db = arg('db');
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
const rssFile = `${db}.rss`;
const bin = resolve(here, '..', '..', 'bin', 'trailscope');
const started = process.hrtime.bigint();
const exitCode = await new Promise<number | null>((done) => {
  const child = spawn(process.execPath, ['--require', resolve(here, 'rss-on-exit.cjs'), bin, 'import', root, '--db', db], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TRAILSCOPE_RSS_FILE: rssFile },
  });
  child.on('exit', (code) => done(code));
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (exitCode !== 0) throw new Error(`trailscope import exited with ${exitCode}`);
const store = await openStore(db);
const stats = await store.events.stats();
await store.close();
const cpu = JSON.parse(readFileSync(`${rssFile}.cpu`, 'utf8')) as { all: number; main: number | null };
emit({
  phase: 'import-cli',
  seconds,
  cpuSeconds: cpu.all,
  eventsPerCpuSecond: Math.round(stats.events / cpu.all),
  events: stats.events,
  eventsPerSecond: Math.round(stats.events / seconds),
  dbBytes: statSync(db).size,
  peakRssMiB: Math.round(Number(readFileSync(rssFile, 'utf8')) * 10) / 10,
});
