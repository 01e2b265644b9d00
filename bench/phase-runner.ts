/** Runs one benchmark phase (bench/phases/<name>.ts) in a process of its own and returns its result. */
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PhaseResult } from './phases/common.js';

const here = dirname(fileURLToPath(import.meta.url));

export function runPhase(name: string, args: string[]): PhaseResult {
  const script = join(here, 'phases', `${name}.ts`);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (child.status !== 0 || !line) {
    process.stderr.write(child.stdout ?? '');
    throw new Error(`benchmark phase "${name}" failed (exit ${child.status})`);
  }
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as PhaseResult;
}

export type Row = [label: string, value: string, note: string];
export const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en') : String(x));
export const pct = (a: number, b: number) => `${Math.round((a / b) * 100)} %`;
