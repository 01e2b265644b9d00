/**
 * CloudTrail coverage of the analysis window: the parts of [windowStart, asOf) for which the
 * store holds an account's trail. Activity is judged only there: with no CloudTrail for an
 * account there is no evidence of inactivity. Pure: the store's hour runs in, spans out.
 *
 * - A region's spans are its covered hours, merged across stretches shorter than `gapHours`
 *   without a file (CloudTrail delivers about every 5 minutes while there is activity and
 *   nothing for a quiet region, so a quiet night is not a gap; a missing day is).
 * - An account's spans are the union of its regions' hours merged the same way, cut to the
 *   time every region of the account's trail was delivering: a region that delivered for the
 *   account in the window or the window's length before it counts as uncovered for the account
 *   before its first file and after its last one (less `gapHours`). So logs of one region
 *   that stopped arriving, or never arrived while the others did, make the account uncovered
 *   for that time. A region that goes quiet in the middle of its life is not detectable this
 *   way (its silence looks like a quiet region), nor a region that never delivered at all.
 * - Coverage derived from events stored before coverage existed has region '' and takes part
 *   in the union only.
 */
import { ACTIVITY_RULES, type AnalysisNotice } from './notices.js';
import type { CoverageRegion, CoverageRun } from '../store/index.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface CoverageOptions {
  /** A stretch of at least this many hours without a file is a gap (default 24). */
  gapHours: number;
  /** Under this many covered days in the window (or the whole window, when shorter), activity of the account is unknown (default 7). */
  minCoverageDays: number;
}

export const DEFAULT_COVERAGE_OPTIONS: CoverageOptions = { gapHours: 24, minCoverageDays: 7 };

export interface Span {
  start: string;
  end: string;
}

export interface RegionCoverage {
  region: string;
  /** First and last covered hour of the region, over all stored time. */
  firstFile: string | null;
  lastFile: string | null;
  coveredDays: number;
  spans: Span[];
  gaps: Span[];
}

export interface AccountCoverage {
  accountId: string;
  /** Covered time inside the window, in days (one decimal). */
  coveredDays: number;
  /** "known" when coveredDays >= minCoverageDays: only then is inactivity judged. */
  activity: 'known' | 'unknown';
  spans: Span[];
  gaps: Span[];
  regions: RegionCoverage[];
}

type Interval = [number, number];

function merge(intervals: Interval[], toleranceMs: number): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s - last[1] < toleranceMs) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function clip(intervals: Interval[], lo: number, hi: number): Interval[] {
  return intervals.map(([s, e]): Interval => [Math.max(s, lo), Math.min(e, hi)]).filter(([s, e]) => e > s);
}

function complement(intervals: Interval[], lo: number, hi: number): Interval[] {
  const out: Interval[] = [];
  let at = lo;
  for (const [s, e] of intervals) {
    if (s > at) out.push([at, s]);
    at = Math.max(at, e);
  }
  if (at < hi) out.push([at, hi]);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const spans = (intervals: Interval[]): Span[] => intervals.map(([s, e]) => ({ start: iso(s), end: iso(e) }));
const days = (intervals: Interval[]) => Math.floor((intervals.reduce((n, [s, e]) => n + e - s, 0) / DAY_MS) * 10) / 10;

/**
 * Coverage of each account in the window. `runs` are the store's runs of covered hours
 * (any range that includes the window widened by gapHours), `regions` each region's first and
 * last covered hour; `accountIds` adds accounts with no coverage at all (those of the snapshots).
 */
export function computeCoverage(
  runs: readonly CoverageRun[],
  regions: readonly CoverageRegion[],
  window: { since: string; until: string; accountIds?: Iterable<string> },
  opts: CoverageOptions = DEFAULT_COVERAGE_OPTIONS,
): Map<string, AccountCoverage> {
  const lo = Date.parse(window.since);
  const hi = Date.parse(window.until);
  const tol = opts.gapHours * HOUR_MS;
  const byAccount = new Map<string, Map<string, Interval[]>>();
  for (const r of runs) {
    let acct = byAccount.get(r.accountId);
    if (!acct) byAccount.set(r.accountId, (acct = new Map()));
    const list = acct.get(r.region) ?? [];
    list.push([Date.parse(r.start), Date.parse(r.end)]);
    acct.set(r.region, list);
  }
  const regionInfo = new Map<string, CoverageRegion[]>();
  for (const r of regions) regionInfo.set(r.accountId, [...(regionInfo.get(r.accountId) ?? []), r]);
  const accounts = new Set<string>([...byAccount.keys(), ...regionInfo.keys(), ...(window.accountIds ?? [])]);

  const out = new Map<string, AccountCoverage>();
  for (const accountId of [...accounts].sort()) {
    const runsOf = byAccount.get(accountId) ?? new Map<string, Interval[]>();
    // Regions of the account's trail: seen in the window or the window's length before it.
    const known = (regionInfo.get(accountId) ?? []).filter((r) => r.region !== '' && Date.parse(r.last) > lo - (hi - lo));
    let covered = clip(merge([...runsOf.values()].flat(), tol), lo, hi);
    for (const r of known) covered = clip(covered, Date.parse(r.first) - tol, Date.parse(r.last) + tol);
    const regionNames = new Set<string>([...runsOf.keys(), ...known.map((r) => r.region)]);
    const regionCoverage: RegionCoverage[] = [...regionNames].sort().map((region) => {
      const own = clip(merge(runsOf.get(region) ?? [], tol), lo, hi);
      const info = (regionInfo.get(accountId) ?? []).find((r) => r.region === region);
      return {
        region,
        firstFile: info?.first ?? null,
        lastFile: info?.last ?? null,
        coveredDays: days(own),
        spans: spans(own),
        gaps: spans(complement(own, lo, hi)),
      };
    });
    const coveredDays = days(covered);
    out.set(accountId, {
      accountId,
      coveredDays,
      // A window shorter than the minimum span is judged when it is fully covered.
      activity: coveredDays >= Math.min(opts.minCoverageDays, Math.floor(((hi - lo) / DAY_MS) * 10) / 10) ? 'known' : 'unknown',
      spans: spans(covered),
      gaps: spans(complement(covered, lo, hi)),
      regions: regionCoverage,
    });
  }
  return out;
}

/** Reads the store's coverage for a window and computes it (see computeCoverage). */
export async function loadCoverage(
  store: { coverage: { runs(q: { accountId?: string; since?: string; until?: string }): Promise<CoverageRun[]>; regions(q: { accountId?: string }): Promise<CoverageRegion[]> } },
  window: { since: string; until: string; accountId?: string; accountIds?: Iterable<string> },
  opts: CoverageOptions = DEFAULT_COVERAGE_OPTIONS,
): Promise<Map<string, AccountCoverage>> {
  const margin = opts.gapHours * HOUR_MS;
  const q = { accountId: window.accountId, since: iso(Date.parse(window.since) - margin), until: iso(Date.parse(window.until) + margin) };
  const [runs, regions] = await Promise.all([store.coverage.runs(q), store.coverage.regions({ accountId: window.accountId })]);
  const all = computeCoverage(runs, regions, window, opts);
  if (window.accountId !== undefined) for (const k of [...all.keys()]) if (k !== window.accountId) all.delete(k);
  return all;
}

/** The one-line notice for an account whose activity cannot be judged, with the command that brings its logs in. */
export function coverageNotice(c: AccountCoverage, windowDays: number, opts: CoverageOptions): AnalysisNotice {
  // Less than a tenth of a day rounds to 0 days: say hours, not "no logs", when files did arrive.
  const hours = c.spans.reduce((n, s) => n + (Date.parse(s.end) - Date.parse(s.start)) / 3_600_000, 0);
  const covered = c.coveredDays >= 1 ? `${c.coveredDays}` : `${Math.round(hours)} hours`;
  const why =
    c.spans.length === 0
      ? 'no CloudTrail logs in the window'
      : `CloudTrail logs cover only ${covered} of the ${windowDays} days in the window (at least ${Math.min(opts.minCoverageDays, windowDays)} days needed)`;
  return {
    kind: 'coverage',
    accountId: c.accountId,
    message: `account ${c.accountId}: activity not judged (${ACTIVITY_RULES}): ${why}`,
    commands: [`trailscope backfill --bucket <trail-bucket> --account ${c.accountId} --days ${Math.min(windowDays, 90)}`, 'trailscope import <dir-with-AWSLogs>'],
  };
}
