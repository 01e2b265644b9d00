import type { CoverageRange, CoverageRegion, CoverageRun, CoverageStore } from '../types.js';
import type { CoverageMark } from '../encode/index.js';
import { HOUR_MS, msToTime, timeToMs } from '../encode/time.js';
import type { PgAreaMigrations, Pool, Queryable } from './database.js';
import { fromPgText, inTransaction, toPgText } from './database.js';

/**
 * Coverage (PostgreSQL): coverage_hourly (account, region, hour since the epoch) → files, events;
 * coverage_regions: first and last hour per account and region; coverage_by_connector: what each
 * connector's files added, so removing a connector takes exactly that back. All written with
 * INSERT … ON CONFLICT DO UPDATE adding to the stored values, in the events' transaction.
 */
export const PG_COVERAGE_MIGRATIONS: PgAreaMigrations = {
  area: 'coverage',
  steps: [
    `CREATE TABLE coverage_hourly (
      account text COLLATE "C" NOT NULL,
      region text COLLATE "C" NOT NULL,
      hour bigint NOT NULL,
      files bigint NOT NULL,
      events bigint NOT NULL,
      PRIMARY KEY (account, region, hour)
    );
    CREATE TABLE coverage_regions (
      account text COLLATE "C" NOT NULL,
      region text COLLATE "C" NOT NULL,
      first_hour bigint NOT NULL,
      last_hour bigint NOT NULL,
      PRIMARY KEY (account, region)
    );
    CREATE TABLE coverage_by_connector (
      connector text NOT NULL,
      account text COLLATE "C" NOT NULL,
      region text COLLATE "C" NOT NULL,
      hour bigint NOT NULL,
      files bigint NOT NULL,
      events bigint NOT NULL,
      PRIMARY KEY (connector, account, region, hour)
    );`,
  ],
};

type Hour = [account: string, region: string, hour: number, files: number, events: number];

/** Marks folded per (account, region, hour), sorted so concurrent writers lock rows in one order. */
function fold(marks: Iterable<CoverageMark>): Hour[] {
  const hours = new Map<string, Hour>();
  for (const [rawAccount, rawRegion, ms, files, events] of marks) {
    const account = toPgText(rawAccount);
    const region = toPgText(rawRegion);
    const hour = Math.floor(ms / HOUR_MS);
    const k = `${account}\u0000${region}\u0000${hour}`;
    const have = hours.get(k);
    if (have) {
      have[3] += files;
      have[4] += events;
    } else hours.set(k, [account, region, hour, files, events]);
  }
  return [...hours.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2]));
}

/**
 * Writes a commit's coverage marks inside its transaction: marks of parts with a connector are
 * also recorded under that connector.
 */
export async function writeCoverage(db: Queryable, marks: readonly { connector: string | null; mark: CoverageMark }[]): Promise<void> {
  if (marks.length === 0) return;
  const hours = fold(marks.map((m) => m.mark));
  const cols = (i: 0 | 1 | 2 | 3 | 4, list: Hour[]) => list.map((h) => h[i]);
  await db.query(
    `INSERT INTO coverage_hourly AS c (account, region, hour, files, events)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
     ON CONFLICT (account, region, hour) DO UPDATE SET files = c.files + excluded.files, events = c.events + excluded.events`,
    [cols(0, hours), cols(1, hours), cols(2, hours), cols(3, hours), cols(4, hours)],
  );
  await db.query(
    `INSERT INTO coverage_regions AS r (account, region, first_hour, last_hour)
     SELECT account, region, min(hour), max(hour) FROM unnest($1::text[], $2::text[], $3::bigint[]) AS m(account, region, hour)
     GROUP BY account, region ORDER BY account, region
     ON CONFLICT (account, region) DO UPDATE SET first_hour = least(r.first_hour, excluded.first_hour), last_hour = greatest(r.last_hour, excluded.last_hour)`,
    [cols(0, hours), cols(1, hours), cols(2, hours)],
  );
  const byConnector = new Map<string, CoverageMark[]>();
  for (const m of marks) {
    if (m.connector === null) continue;
    const list = byConnector.get(m.connector) ?? [];
    list.push(m.mark);
    byConnector.set(m.connector, list);
  }
  for (const connector of [...byConnector.keys()].sort()) {
    const own = fold(byConnector.get(connector)!);
    await db.query(
      `INSERT INTO coverage_by_connector AS c (connector, account, region, hour, files, events)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
       ON CONFLICT (connector, account, region, hour) DO UPDATE SET files = c.files + excluded.files, events = c.events + excluded.events`,
      [connector, cols(0, own), cols(1, own), cols(2, own), cols(3, own), cols(4, own)],
    );
  }
}

/** Takes back what a connector's files added, inside the removal's transaction. */
export async function removeConnectorCoverage(db: Queryable, connector: string): Promise<void> {
  await db.query(
    `UPDATE coverage_hourly h SET files = h.files - o.files, events = h.events - o.events
     FROM coverage_by_connector o
     WHERE o.connector = $1 AND h.account = o.account AND h.region = o.region AND h.hour = o.hour`,
    [connector],
  );
  await db.query('DELETE FROM coverage_by_connector WHERE connector = $1', [connector]);
  await db.query('DELETE FROM coverage_hourly WHERE files <= 0 AND events <= 0');
  await db.query(`DELETE FROM coverage_regions r WHERE NOT EXISTS (SELECT 1 FROM coverage_hourly h WHERE h.account = r.account AND h.region = r.region)`);
  await db.query(
    `UPDATE coverage_regions r SET first_hour = s.first_hour, last_hour = s.last_hour
     FROM (SELECT account, region, min(hour) AS first_hour, max(hour) AS last_hour FROM coverage_hourly GROUP BY account, region) s
     WHERE s.account = r.account AND s.region = r.region AND (s.first_hour <> r.first_hour OR s.last_hour <> r.last_hour)`,
  );
}

export class PgCoverageStore implements CoverageStore {
  constructor(private readonly pool: Pool) {}

  async add(ranges: CoverageRange[]): Promise<void> {
    const marks: { connector: null; mark: CoverageMark }[] = [];
    for (const r of ranges) {
      const since = timeToMs(r.since);
      const until = timeToMs(r.until);
      if (until < since) throw new Error(`coverage range ends before it starts: ${r.since} .. ${r.until}`);
      const first = since - (since % HOUR_MS);
      for (let h = first, i = 0; h < Math.max(until, since + 1); h += HOUR_MS, i++) {
        marks.push({ connector: null, mark: [r.accountId, r.region, h, i === 0 ? (r.files ?? 0) : 0, i === 0 ? (r.events ?? 0) : 0] });
      }
    }
    await inTransaction(this.pool, (client) => writeCoverage(client, marks));
  }

  async runs(q: { accountId?: string; since?: string; until?: string } = {}): Promise<CoverageRun[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.accountId !== undefined) {
      params.push(q.accountId);
      where.push(`account = $${params.length}`);
    }
    if (q.since !== undefined) {
      params.push(Math.floor(timeToMs(q.since) / HOUR_MS));
      where.push(`hour >= $${params.length}`);
    }
    if (q.until !== undefined) {
      params.push(Math.ceil(timeToMs(q.until) / HOUR_MS));
      where.push(`hour < $${params.length}`);
    }
    // Gaps and islands: hour - row_number() is constant along a run of consecutive hours.
    const { rows } = await this.pool.query<{ account: string; region: string; start_hour: number; end_hour: number; files: number; events: number }>(
      `SELECT account, region, min(hour) AS start_hour, max(hour) + 1 AS end_hour, sum(files) AS files, sum(events) AS events
       FROM (SELECT account, region, hour, files, events,
               hour - row_number() OVER (PARTITION BY account, region ORDER BY hour) AS island
             FROM coverage_hourly${where.length ? ` WHERE ${where.join(' AND ')}` : ''}) AS h
       GROUP BY account, region, island
       ORDER BY account, region, start_hour`,
      params,
    );
    return rows.map((r) => ({
      accountId: fromPgText(r.account),
      region: fromPgText(r.region),
      start: msToTime(r.start_hour * HOUR_MS),
      end: msToTime(r.end_hour * HOUR_MS),
      files: r.files,
      events: r.events,
    }));
  }

  async regions(q: { accountId?: string } = {}): Promise<CoverageRegion[]> {
    const { rows } = await this.pool.query<{ account: string; region: string; first_hour: number; last_hour: number }>(
      `SELECT account, region, first_hour, last_hour FROM coverage_regions${q.accountId !== undefined ? ' WHERE account = $1' : ''} ORDER BY account, region`,
      q.accountId !== undefined ? [q.accountId] : [],
    );
    return rows.map((r) => ({
      accountId: fromPgText(r.account),
      region: fromPgText(r.region),
      first: msToTime(r.first_hour * HOUR_MS),
      last: msToTime((r.last_hour + 1) * HOUR_MS),
    }));
  }
}
