/**
 * How a window of evidence is read on either backend: the whole days inside it from the daily
 * summary, each edge day that also holds events outside the window from its events (within the
 * window only). Counts add up over days and a group's first samples are among its days' first,
 * so folding the parts gives the groups of the window.
 */
export const DAY_MS = 86_400_000;

/** The day an event time (ms) falls on, as both summaries count days. */
export function dayOf(t: number): number {
  return Math.floor(t / DAY_MS);
}

export interface WindowParts {
  /** Summary days lo..hi (inclusive; none when lo > hi). */
  lo: number;
  hi: number;
  /** [from, to) ranges (ms) read from the events. */
  edges: [number, number][];
}

/** `hasEvents(a, b)`: whether any event lies in [a, b) (ms). */
export async function windowParts(from: number, to: number, hasEvents: (a: number, b: number) => boolean | Promise<boolean>): Promise<WindowParts> {
  let lo = dayOf(from);
  let hi = dayOf(to - 1);
  const edges: [number, number][] = [];
  if (from > lo * DAY_MS && (await hasEvents(lo * DAY_MS, from))) edges.push([from, Math.min(to, ++lo * DAY_MS)]);
  if (lo <= hi && to < (hi + 1) * DAY_MS && (await hasEvents(to, (hi + 1) * DAY_MS))) edges.push([Math.max(from, hi-- * DAY_MS), to]);
  return { lo, hi, edges };
}

/**
 * Days of the summary rebuilt in one transaction at most, on either backend: the first summary
 * of a large store goes in steps, each kept should a later one fail, and on SQLite a writer in
 * another process waits for one step, not for all of them.
 */
export const REBUILD_DAYS_PER_TRANSACTION = 7;

/** Sorted days cut into batches, each spanning fewer than `span` days. */
export function dayBatches(days: readonly number[], span = REBUILD_DAYS_PER_TRANSACTION): number[][] {
  const batches: number[][] = [];
  for (const day of days) {
    const batch = batches[batches.length - 1];
    if (batch && day - batch[0]! < span) batch.push(day);
    else batches.push([day]);
  }
  return batches;
}
