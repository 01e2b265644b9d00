// Import into a fresh PostgreSQL database by N worker processes at once, each importing its share
// of the accounts (as N `trailscope import` processes on N machines would). Measured: the wall
// time until the last worker is done, the workers' CPU time, the events stored and the database size.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { arg, emit, peakRssMiB, type PhaseResult } from './common.js';
import { databaseFacts, recreateDatabase } from './pg-database.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = arg('dir');
const name = arg('db-name');
const workers = Number(arg('workers'));
const passThrough = process.argv.includes('--no-detections') ? ['--no-detections'] : [];

const url = await recreateDatabase(name);
// migrate once, so the workers' timing is the import's
await (await openStore(url)).close();

// AWSLogs/<org>/<account>: accounts dealt round-robin to the workers
const logs = join(root, 'AWSLogs');
const accounts: string[] = [];
for (const org of readdirSync(logs)) for (const account of readdirSync(join(logs, org))) accounts.push(join(logs, org, account));
accounts.sort();
const shares = Array.from({ length: workers }, (_, w) => accounts.filter((_, i) => i % workers === w));

function runWorker(paths: string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'pg-import-worker.ts'), '--db', url, '--paths', JSON.stringify(paths), ...passThrough], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) reject(new Error(`import worker exited ${code}`));
      else resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as PhaseResult);
    });
  });
}

const started = process.hrtime.bigint();
const results = await Promise.all(shares.map(runWorker));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const facts = await databaseFacts(name);
const events = results.reduce((n, r) => n + r.events, 0);
const cpuSeconds = results.reduce((n, r) => n + Number(r.cpuSeconds), 0);
emit({
  phase: 'pg-import',
  workers,
  seconds,
  events,
  eventsPerSecond: Math.round(events / seconds),
  cpuSeconds: Math.round(cpuSeconds * 10) / 10,
  eventsPerCpuSecond: Math.round(events / cpuSeconds),
  storedEvents: facts?.events ?? 0,
  dbBytes: facts?.bytes ?? 0,
  bytesPerEvent: Math.round((facts?.bytes ?? 0) / Math.max(1, events)),
  workerPeakRssMiB: Math.max(...results.map((r) => r.peakRssMiB)),
  url,
  peakRssMiB: peakRssMiB(),
});
