/**
 * CLI start-up: the median wall time of `--help`, `--version` and `events --limit 10`,
 * as a ratio to bare `node -e 0` measured in the same run (target: within 4×).
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, emit, peakRssMiB } from './common.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'trailscope');
const db = arg('db');
const RUNS = 9;

function medianSeconds(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status}: ${child.stderr}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const started = Date.now();
const node = medianSeconds(['-e', '0']);
const commands = {
  help: medianSeconds([bin, '--help']),
  version: medianSeconds([bin, '--version']),
  events: medianSeconds([bin, 'events', '--limit', '10', '--db', db]),
};
emit({
  phase: 'startup',
  seconds: (Date.now() - started) / 1000,
  events: 0,
  peakRssMiB: peakRssMiB(),
  nodeSeconds: node,
  ...Object.fromEntries(Object.entries(commands).map(([k, v]) => [`${k}Seconds`, v])),
  ...Object.fromEntries(Object.entries(commands).map(([k, v]) => [`${k}Ratio`, Math.round((v / node) * 10) / 10])),
});
