// Runs bin/trailscope as users do (compiled JavaScript) with rss-on-exit.cjs preloaded, and
// reports what the child measured of itself: wall time, peak RSS and CPU (all threads, and the
// main thread where /proc tells).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '..', '..', 'bin', 'trailscope');

export interface CliRun {
  seconds: number;
  peakRssMiB: number;
  cpu: { all: number; main: number | null };
}

/** `rssFile` receives the child's figures (and `${rssFile}.cpu`); `nodeArgs` go before the script (a profiler, say). */
export async function runCli(args: readonly string[], opts: { rssFile: string; nodeArgs?: readonly string[]; env?: Record<string, string> }): Promise<CliRun> {
  const started = process.hrtime.bigint();
  const exitCode = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--require', join(here, 'rss-on-exit.cjs'), bin, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...opts.env, TRAILSCOPE_RSS_FILE: opts.rssFile },
    });
    child.on('exit', (code) => done(code));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (exitCode !== 0) throw new Error(`trailscope ${args[0]} exited with ${exitCode}`);
  return {
    seconds,
    peakRssMiB: Math.round(Number(readFileSync(opts.rssFile, 'utf8')) * 10) / 10,
    cpu: JSON.parse(readFileSync(`${opts.rssFile}.cpu`, 'utf8')) as { all: number; main: number | null },
  };
}

/** Credentials for the in-process S3/SQS emulator (it accepts any). */
export const EMULATOR_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

/** How many events the run left in the store at `db`. */
export async function storedEvents(db: string): Promise<number> {
  const store = await openStore(db);
  try {
    return (await store.events.stats()).events;
  } finally {
    await store.close();
  }
}

/** A run's figures per event, as the CLI phases report them. */
export function cliFigures(events: number, run: CliRun) {
  return {
    seconds: run.seconds,
    cpuSeconds: run.cpu.all,
    eventsPerCpuSecond: Math.round(events / run.cpu.all),
    events,
    eventsPerSecond: Math.round(events / run.seconds),
    peakRssMiB: run.peakRssMiB,
  };
}
