/**
 * Heap sizing of every command (set by the CLI's entry before the command runs).
 *
 * A worker's live heap is small and flat (about 40 MiB on the main thread, whatever the backlog),
 * but V8 sizes its old generation from the heap limit: on a machine with 16 GB or more the limit
 * is about 4 GB and, after each full collection, the heap may grow to four times what survived
 * before the next one. A worker that runs for minutes then holds mostly garbage and its RSS climbs
 * for as long as it has run, not with what it holds (issue #13: 426 MiB after a backlog of
 * 10,000 small files, with the same 40 MiB live).
 *
 * V8 reads its growing factor at every full collection, so it can be set once the process runs
 * (the heap limit and the young generation cannot; they are left alone). A factor of 2 took the
 * backlog worker's peak from 381-394 to 313 MiB with as many full collections as V8's own choice
 * in live ingestion (CPU per event unchanged); 1.5 gave 276-288 MiB but four times the full
 * collections there (+14 % CPU per event), so 2 it is. The limit itself is not lowered: a large
 * file or an analysis still gets the memory it needs. Analyses gain the same way: all findings
 * at 5 M events peaked at 790 MiB with V8's sizing and 570 MiB with a factor of 2, for the same
 * CPU time (their live heap is under 200 MiB).
 *
 * Overridable: TRAILSCOPE_HEAP_GROWING_PERCENT=<n> sets another factor (1 + n/100); 0 keeps
 * V8's own. Without it, a heap flag given to Node (`--max-old-space-size`, `--max-heap-size`,
 * `--heap-growing-percent`, in NODE_OPTIONS or on the command line) is left to decide alone.
 */
import { setFlagsFromString } from 'node:v8';
import { CliError } from './errors.js';

export const DEFAULT_HEAP_GROWING_PERCENT = 100;
export const HEAP_GROWING_ENV = 'TRAILSCOPE_HEAP_GROWING_PERCENT';

const NODE_HEAP_FLAGS = /(^|\s)--(max[-_]old[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent)(=|\s|$)/;

export interface HeapSettingInput {
  env: Record<string, string | undefined>;
  /** Node's own options: process.execArgv. */
  execArgv: readonly string[];
}

/** The growing percent to set, or null to leave V8 as it is (and why, for tests and diagnostics). */
export function heapGrowingPercent(input: HeapSettingInput): { percent: number | null; reason: string } {
  const asked = input.env[HEAP_GROWING_ENV];
  if (asked !== undefined && asked.trim() !== '') {
    const n = Number(asked);
    if (!Number.isInteger(n) || n < 0 || n > 1000) throw new CliError(`${HEAP_GROWING_ENV} must be an integer from 0 to 1000 (0: V8's own sizing), got "${asked}"`);
    return n === 0 ? { percent: null, reason: `${HEAP_GROWING_ENV}=0` } : { percent: n, reason: HEAP_GROWING_ENV };
  }
  const nodeOptions = `${input.env.NODE_OPTIONS ?? ''} ${input.execArgv.join(' ')}`;
  if (NODE_HEAP_FLAGS.test(nodeOptions)) return { percent: null, reason: 'a heap flag given to Node' };
  return { percent: DEFAULT_HEAP_GROWING_PERCENT, reason: 'default' };
}

/** Applies the commands' heap sizing to this process (see above). */
export function applyHeapSizing(input: HeapSettingInput = { env: process.env, execArgv: process.execArgv }): number | null {
  const { percent } = heapGrowingPercent(input);
  if (percent !== null) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
