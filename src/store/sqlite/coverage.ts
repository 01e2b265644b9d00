import type { Database as Db, Statement } from 'better-sqlite3';
import type { CoverageRange, CoverageRegion, CoverageRun, CoverageStore } from '../types.js';
import type { CoverageMark } from '../encode/index.js';
import { HOUR_MS, msToTime, timeToMs } from '../encode/time.js';
import type { AreaMigrations } from './database.js';

/**
 * Coverage schema: one row per (account, region, UTC hour) in which a file (or, for files
 * without a delivery key, an event) arrived: `hour` is hours since the epoch. About 2,200 rows
 * per account and region for 90 days, written with the events' transaction.
 * coverage_regions keeps each region's first and last hour, so "which regions does this
 * account's trail have" needs no scan.
 *
 * Step 2 derives coverage for events stored before coverage existed, per recipient account
 * and hour from the events table (the region is in the raw record only, so it is '' there:
 * a missing region cannot be detected in that old data, a missing day can).
 */
export const COVERAGE_MIGRATIONS: AreaMigrations = {
  area: 'coverage',
  steps: [
    `CREATE TABLE coverage_hourly (
      account TEXT NOT NULL,
      region TEXT NOT NULL,
      hour INTEGER NOT NULL,
      files INTEGER NOT NULL,
      events INTEGER NOT NULL,
      PRIMARY KEY (account, region, hour)
    ) WITHOUT ROWID;
    CREATE TABLE coverage_regions (
      account TEXT NOT NULL,
      region TEXT NOT NULL,
      first_hour INTEGER NOT NULL,
      last_hour INTEGER NOT NULL,
      PRIMARY KEY (account, region)
    ) WITHOUT ROWID;`,
    `INSERT INTO coverage_hourly (account, region, hour, files, events)
      SELECT s.s, '', e.t / ${HOUR_MS}, 0, count(*)
      FROM events e JOIN strings s ON s.id = e.account
      WHERE e.account IS NOT NULL
      GROUP BY s.s, e.t / ${HOUR_MS};
    INSERT INTO coverage_regions (account, region, first_hour, last_hour)
      SELECT account, region, min(hour), max(hour) FROM coverage_hourly GROUP BY account, region;`,
  ],
};

interface RunRow {
  account: string;
  region: string;
  start_hour: number;
  end_hour: number;
  files: number;
  events: number;
}

export class SqliteCoverageStore implements CoverageStore {
  private readonly hourStmt: Statement<[string, string, number, number, number]>;
  private readonly regionStmt: Statement<[string, string, number, number]>;

  constructor(private readonly db: Db) {
    this.hourStmt = db.prepare(
      `INSERT INTO coverage_hourly (account, region, hour, files, events) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account, region, hour) DO UPDATE SET files = files + excluded.files, events = events + excluded.events`,
    );
    this.regionStmt = db.prepare(
      `INSERT INTO coverage_regions (account, region, first_hour, last_hour) VALUES (?, ?, ?, ?)
       ON CONFLICT (account, region) DO UPDATE SET first_hour = min(first_hour, excluded.first_hour), last_hour = max(last_hour, excluded.last_hour)`,
    );
  }

  /**
   * Writes marks inside the caller's transaction (synchronous: commitChunk calls it with the
   * events). Marks of one chunk are folded first, so a chunk of many small files of one
   * account and region costs one row write per hour.
   */
  write(marks: Iterable<CoverageMark>): void {
    const hours = new Map<string, CoverageMark>();
    for (const m of marks) {
      const k = `${m[0]}\u0000${m[1]}\u0000${m[2]}`;
      const have = hours.get(k);
      if (have) {
        have[3] += m[3];
        have[4] += m[4];
      } else hours.set(k, [...m]);
    }
    const regions = new Map<string, [string, string, number, number]>();
    for (const [account, region, ms, files, events] of hours.values()) {
      const hour = Math.floor(ms / HOUR_MS);
      this.hourStmt.run(account, region, hour, files, events);
      const k = `${account}\u0000${region}`;
      const r = regions.get(k);
      if (!r) regions.set(k, [account, region, hour, hour]);
      else {
        r[2] = Math.min(r[2], hour);
        r[3] = Math.max(r[3], hour);
      }
    }
    for (const r of regions.values()) this.regionStmt.run(...r);
  }

  async add(ranges: CoverageRange[]): Promise<void> {
    const marks: CoverageMark[] = [];
    for (const r of ranges) {
      const since = timeToMs(r.since);
      const until = timeToMs(r.until);
      if (until < since) throw new Error(`coverage range ends before it starts: ${r.since} .. ${r.until}`);
      const first = since - (since % HOUR_MS);
      for (let h = first, i = 0; h < Math.max(until, since + 1); h += HOUR_MS, i++) {
        marks.push([r.accountId, r.region, h, i === 0 ? (r.files ?? 0) : 0, i === 0 ? (r.events ?? 0) : 0]);
      }
    }
    this.db.transaction(() => this.write(marks)).immediate();
  }

  async runs(q: { accountId?: string; since?: string; until?: string } = {}): Promise<CoverageRun[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.accountId !== undefined) {
      where.push('account = ?');
      params.push(q.accountId);
    }
    if (q.since !== undefined) {
      where.push('hour >= ?');
      params.push(Math.floor(timeToMs(q.since) / HOUR_MS));
    }
    if (q.until !== undefined) {
      where.push('hour < ?');
      params.push(Math.ceil(timeToMs(q.until) / HOUR_MS));
    }
    // Runs are found in SQL (gaps and islands: hour - row_number() is constant along a run), so
    // a dense 90-day window comes back as a few rows per region, not thousands of hours.
    const rows = this.db
      .prepare<(string | number)[], RunRow>(
        `SELECT account, region, min(hour) AS start_hour, max(hour) + 1 AS end_hour, sum(files) AS files, sum(events) AS events
         FROM (SELECT account, region, hour, files, events,
                 hour - row_number() OVER (PARTITION BY account, region ORDER BY hour) AS island
               FROM coverage_hourly${where.length ? ` WHERE ${where.join(' AND ')}` : ''})
         GROUP BY account, region, island
         ORDER BY account, region, start_hour`,
      )
      .all(...params);
    return rows.map((r) => ({
      accountId: r.account,
      region: r.region,
      start: msToTime(r.start_hour * HOUR_MS),
      end: msToTime(r.end_hour * HOUR_MS),
      files: r.files,
      events: r.events,
    }));
  }

  async regions(q: { accountId?: string } = {}): Promise<CoverageRegion[]> {
    const rows = this.db
      .prepare<string[], { account: string; region: string; first_hour: number; last_hour: number }>(
        `SELECT account, region, first_hour, last_hour FROM coverage_regions${q.accountId !== undefined ? ' WHERE account = ?' : ''} ORDER BY account, region`,
      )
      .all(...(q.accountId !== undefined ? [q.accountId] : []));
    return rows.map((r) => ({
      accountId: r.account,
      region: r.region,
      first: msToTime(r.first_hour * HOUR_MS),
      last: msToTime((r.last_hour + 1) * HOUR_MS),
    }));
  }
}
