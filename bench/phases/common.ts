import { readFileSync } from 'node:fs';

/** Helpers shared by benchmark phases. Each phase runs in its own process so peak RSS is its own. */
export interface PhaseResult {
  phase: string;
  seconds: number;
  events: number;
  /** Peak resident set size of the phase's process, in MiB. */
  peakRssMiB: number;
  [extra: string]: unknown;
}

export function peakRssMiB(): number {
  // resourceUsage().maxRSS is in KiB on Linux.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

export function emit(result: PhaseResult): void {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

export function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

/** CPU seconds (user + system, every thread of this process) since a process.cpuUsage() reading. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** CPU seconds of this process's main thread so far (Linux /proc; null elsewhere). */
export function mainThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Nanoseconds this process's main thread has run on a CPU (Linux schedstat; null elsewhere):
 * precise enough to time one call on the main thread whatever else the machine runs.
 */
export function mainThreadRunNs(): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}
