import type { Database as Db } from 'better-sqlite3';
import { immediateUnlessReadOnly, type AreaMigrations } from './database.js';

/**
 * Daily rollup of usage_hourly, so that a 90-day usage query reads (identity, action, day) rows
 * instead of one row per busy hour: at a million events the hourly buckets are nearly as many
 * as the events (1.5 events per bucket in the benchmark), the daily rows a fraction of them.
 *
 * The rollup is lazy: triggers on usage_hourly mark the days whose buckets changed (inserted,
 * replaced or deleted, whoever wrote them), and the next usage query rebuilds those days from
 * their hourly buckets. The write path is one tiny INSERT OR IGNORE per bucket write; the cost
 * of a rollup is paid once per changed day, by the first analysis after the change.
 *
 * A daily row is exactly what folding its hours gives (see UsageAggregator.query): the count,
 * first and last times, the SAMPLES_PER_DAY newest hourly samples (hours never tie on last_ms
 * within one group) and the first SESSIONS_PER_DAY distinct session ids in hour order.
 */
export const USAGE_DAILY_MIGRATIONS: AreaMigrations = {
  area: 'usage-daily',
  steps: [
    `CREATE TABLE usage_daily (
      day INTEGER NOT NULL,
      principal INTEGER NOT NULL,
      action INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      n INTEGER NOT NULL,
      first_ms INTEGER NOT NULL,
      last_ms INTEGER NOT NULL,
      s1_ms INTEGER NOT NULL,
      s1 BLOB NOT NULL,
      s2_ms INTEGER,
      s2 BLOB,
      s3_ms INTEGER,
      s3 BLOB,
      sessions TEXT NOT NULL,
      PRIMARY KEY (day, principal, action, ok)
    ) WITHOUT ROWID;
    CREATE TABLE usage_daily_dirty (day INTEGER PRIMARY KEY);
    CREATE TRIGGER usage_hourly_insert_dirty AFTER INSERT ON usage_hourly
      BEGIN INSERT OR IGNORE INTO usage_daily_dirty (day) VALUES (NEW.hour / 24); END;
    CREATE TRIGGER usage_hourly_delete_dirty AFTER DELETE ON usage_hourly
      BEGIN INSERT OR IGNORE INTO usage_daily_dirty (day) VALUES (OLD.hour / 24); END;
    INSERT OR IGNORE INTO usage_daily_dirty (day) SELECT DISTINCT hour / 24 FROM usage_hourly;`,
  ],
};

export const HOURS_PER_DAY = 24;
/** As many samples as a usage row keeps: the newest of a group are among its days' newest. */
export const SAMPLES_PER_DAY = 3;
/** As many sessions as a usage row keeps: its first distinct ones are among its days' first. */
export const SESSIONS_PER_DAY = 20;

interface HourRow {
  principal: number;
  action: number;
  hour: number;
  ok: number;
  n: number;
  first_ms: number;
  last_ms: number;
  sample: Buffer | string;
  sessions: string;
}

interface DayGroup {
  principal: number;
  action: number;
  ok: number;
  n: number;
  first: number;
  last: number;
  /** Newest first. */
  samples: [number, Buffer | string][];
  sessions: Set<string>;
}

/**
 * Rebuilds the daily rows of every day marked dirty, one IMMEDIATE transaction per day: a writer
 * in another process waits for one day's rebuild (then marks again what it changes), not for the
 * whole first rollup after a large import. Returns false when the database cannot be written
 * (read-only file): callers then read the hourly buckets.
 */
export function refreshDailyUsage(db: Db): boolean {
  const dirty = db.prepare<[], number>('SELECT day FROM usage_daily_dirty ORDER BY day').pluck().all();
  if (dirty.length === 0) return true;
  const hours = db.prepare<[number, number], HourRow>('SELECT * FROM usage_hourly WHERE hour >= ? AND hour < ?');
  const clear = db.prepare<[number]>('DELETE FROM usage_daily WHERE day = ?');
  const put = db.prepare(
    `INSERT INTO usage_daily (day, principal, action, ok, n, first_ms, last_ms, s1_ms, s1, s2_ms, s2, s3_ms, s3, sessions)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const done = db.prepare<[number]>('DELETE FROM usage_daily_dirty WHERE day = ?');
  const stillDirty = db.prepare<[number], number>('SELECT 1 FROM usage_daily_dirty WHERE day = ?').pluck();
  const rebuild = db.transaction((day: number) => {
    // re-read inside the transaction: another process may have rolled it up meanwhile
    if (stillDirty.get(day) === undefined) return;
    clear.run(day);
    const groups = new Map<string, DayGroup>();
    // primary-key order: hour first, so each group's sessions arrive in hour order
    for (const h of hours.iterate(day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY)) {
      const key = `${h.principal},${h.action},${h.ok}`;
      let g = groups.get(key);
      if (!g) {
        g = { principal: h.principal, action: h.action, ok: h.ok, n: 0, first: h.first_ms, last: h.last_ms, samples: [], sessions: new Set() };
        groups.set(key, g);
      }
      g.n += h.n;
      if (h.first_ms < g.first) g.first = h.first_ms;
      if (h.last_ms > g.last) g.last = h.last_ms;
      keepNewest(g.samples, h.last_ms, h.sample, SAMPLES_PER_DAY);
      if (h.sessions !== '') for (const s of h.sessions.split(',')) if (g.sessions.size < SESSIONS_PER_DAY) g.sessions.add(s);
    }
    for (const g of groups.values()) {
      const [a, b, c] = g.samples;
      put.run(day, g.principal, g.action, g.ok, g.n, g.first, g.last, a![0], a![1], b?.[0] ?? null, b?.[1] ?? null, c?.[0] ?? null, c?.[1] ?? null, [...g.sessions].join(','));
    }
    done.run(day);
  });
  // Days marked later are left to the next refresh: a busy writer cannot keep this loop going.
  for (const day of dirty) if (!immediateUnlessReadOnly(() => rebuild.immediate(day))) return false;
  return true;
}

/** Inserts [t, id] into a newest-first list of at most `max` entries. */
export function keepNewest<T>(list: [number, T][], t: number, id: T, max: number): void {
  if (list.length === max) {
    if (t <= list[max - 1]![0]) return;
    list.pop();
  }
  let at = list.length;
  while (at > 0 && list[at - 1]![0] < t) at--;
  list.splice(at, 0, [t, id]);
}

/** The daily rows of one (principal, action, ok) group folded over days in SQL. */
export interface DaysTotal {
  principal: number;
  action: number;
  ok: number;
  n: number;
  first_ms: number;
  last_ms: number;
  /** Session ids of the days in day order (each day's first SESSIONS_PER_DAY), comma-separated. */
  sessions: string | null;
}

/** One of a group's SAMPLES_PER_DAY newest days, with that day's samples. */
export interface NewestDay {
  principal: number;
  action: number;
  ok: number;
  s1_ms: number;
  s1: Buffer | string;
  s2_ms: number | null;
  s2: Buffer | string | null;
  s3_ms: number | null;
  s3: Buffer | string | null;
}

/**
 * The daily rows of days [loDay, hiDay) folded per (principal, action, ok) by SQLite: one row per
 * group instead of one per day, and the samples of each group's newest days only (a day row
 * holds at least one sample, so the newest SAMPLES_PER_DAY samples are among its newest as many
 * days). Principal filter's SQL over `principal`.
 */
export function dailyTotals(
  db: Db,
  loDay: number,
  hiDay: number,
  filter: { sql: string[]; params: number[] },
): { totals: () => IterableIterator<DaysTotal>; newest: () => IterableIterator<NewestDay> } {
  const where = ['action != 0', ...filter.sql];
  const params = [...filter.params];
  if (Number.isFinite(loDay)) {
    where.push('day >= ?');
    params.push(loDay);
  }
  if (Number.isFinite(hiDay)) {
    where.push('day < ?');
    params.push(hiDay);
  }
  const w = where.join(' AND ');
  // Streamed, one statement after the other: a group's sessions of all its days are a long string,
  // and the whole result read at once put 100 MiB more on the 5 M-event analysis's RSS.
  const totals = () =>
    db.prepare<number[], DaysTotal>(
      `SELECT principal, action, ok, sum(n) AS n, min(first_ms) AS first_ms, max(last_ms) AS last_ms,
         group_concat(nullif(sessions, ''), ',' ORDER BY day) AS sessions
       FROM usage_daily WHERE ${w} GROUP BY principal, action, ok`,
    ).iterate(...params);
  const newest = () =>
    db.prepare<number[], NewestDay>(
      `SELECT principal, action, ok, s1_ms, s1, s2_ms, s2, s3_ms, s3 FROM (
         SELECT principal, action, ok, s1_ms, s1, s2_ms, s2, s3_ms, s3,
           row_number() OVER (PARTITION BY principal, action, ok ORDER BY day DESC) AS rank
         FROM usage_daily WHERE ${w}) WHERE rank <= ${SAMPLES_PER_DAY}`,
    ).iterate(...params);
  return { totals, newest };
}
