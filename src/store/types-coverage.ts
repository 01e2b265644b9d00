/** The store contract, continued: which hours of which account's and region's trail the store holds. */

/**
 * CloudTrail coverage: the hours for which the store holds an account's trail in a region.
 * Written in the same transaction as the events of the file that proves it (commitChunk and
 * friends derive it from the file's delivery key, or from its events when the file has no
 * delivery layout), so it is exactly as durable as the events. Hours are UTC hour buckets.
 */
export interface CoverageRange {
  accountId: string;
  /** The AWS region; '' when unknown (coverage derived from events stored before coverage existed). */
  region: string;
  /** ISO start; every hour bucket that [since, until) touches is marked. */
  since: string;
  /** ISO end (exclusive); equal to since marks since's hour alone. */
  until: string;
  /** Files and events to add to the first bucket's counters (default 0). */
  files?: number;
  events?: number;
}

/** A run of consecutive covered hours of one account and region. */
export interface CoverageRun {
  accountId: string;
  region: string;
  /** ISO start of the first hour. */
  start: string;
  /** ISO end of the last hour (exclusive). */
  end: string;
  files: number;
  events: number;
}

/** The first and last covered hour of an account's region, over all stored time. */
export interface CoverageRegion {
  accountId: string;
  region: string;
  /** ISO start of the first covered hour. */
  first: string;
  /** ISO end of the last covered hour (exclusive). */
  last: string;
}

export interface CoverageStore {
  /** Marks hours as covered outside a file commit (API, tests). Idempotent for the hours. */
  add(ranges: CoverageRange[]): Promise<void>;
  /**
   * Runs of consecutive covered hours among the hour buckets that [since, until) touches,
   * ordered by account, region and time (a run crossing the range's edge is cut there).
   */
  runs(q?: { accountId?: string; since?: string; until?: string }): Promise<CoverageRun[]>;
  /** Every (account, region) with coverage and its first and last covered hour. */
  regions(q?: { accountId?: string }): Promise<CoverageRegion[]>;
}
