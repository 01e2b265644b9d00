import { dayBatches } from '../evidence-window.js';
import { inTransaction, type PgAreaMigrations, type Pool, type Queryable } from './database.js';

/**
 * Daily rollup of usage_hourly (see ../sqlite/usage-daily.ts for why): a 90-day usage query reads
 * (identity, action, day) rows instead of one row per busy hour.
 *
 * Lazy, as on SQLite: every write to usage_hourly appends the days it touched to
 * usage_daily_dirty (append-only, no key, so concurrent workers never wait on each other), and
 * the next usage query rebuilds those days from their hourly buckets in SQL. A daily row holds
 * what folding its hours gives: count, first and last, the 3 newest hourly samples and the first
 * 20 distinct sessions in hour order.
 */
export const PG_USAGE_DAILY_MIGRATIONS: PgAreaMigrations = {
  area: 'usage-daily',
  steps: [
    `CREATE TABLE usage_daily (
      day bigint NOT NULL,
      principal text COLLATE "C" NOT NULL,
      action text COLLATE "C" NOT NULL,
      ok boolean NOT NULL,
      n bigint NOT NULL,
      first_ms bigint NOT NULL,
      last_ms bigint NOT NULL,
      samples jsonb NOT NULL,
      sessions jsonb NOT NULL,
      PRIMARY KEY (day, principal, action, ok)
    );
    CREATE TABLE usage_daily_dirty (day bigint NOT NULL);
    INSERT INTO usage_daily_dirty (day) SELECT DISTINCT hour / 24 FROM usage_hourly;`,
  ],
};

export const HOURS_PER_DAY = 24;
const SAMPLES_PER_DAY = 3;
const SESSIONS_PER_DAY = 20;
/** pg_advisory_xact_lock key of the rollup: one rebuild at a time per database. */
const ROLLUP_LOCK = 0x75736167;

/** Marks the days of these hours for the next rollup (in the writer's transaction). */
export async function markUsageHours(db: Queryable, hours: readonly number[]): Promise<void> {
  if (hours.length === 0) return;
  await db.query(`INSERT INTO usage_daily_dirty (day) SELECT DISTINCT h / ${HOURS_PER_DAY} FROM unnest($1::bigint[]) AS h`, [hours]);
}

/**
 * Rebuilds every day marked dirty from its hourly buckets, in transactions of at most a week
 * (dayBatches, as the evidence summary does), so a 90-day backfill's first rollup keeps what it
 * finished should it fail, and no one transaction holds a season of buckets. Days marked after
 * the list is read are left to the next rollup, so busy writers cannot keep it going.
 */
export async function refreshDailyUsage(pool: Pool): Promise<void> {
  const { rows: dirty } = await pool.query<{ day: number }>('SELECT DISTINCT day FROM usage_daily_dirty ORDER BY day');
  for (const batch of dayBatches(dirty.map((r) => Number(r.day)))) {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
      // only the days still marked (another process may have rolled some up); marks appended
      // after this statement's snapshot stay for the next rollup
      const { rows } = await client.query<{ day: number }>('DELETE FROM usage_daily_dirty WHERE day = ANY($1::bigint[]) RETURNING day', [batch]);
      const days = [...new Set(rows.map((r) => Number(r.day)))].sort((a, b) => a - b);
      if (days.length === 0) return;
      const hours = days.flatMap((d) => Array.from({ length: HOURS_PER_DAY }, (_, i) => d * HOURS_PER_DAY + i));
      await client.query('DELETE FROM usage_daily WHERE day = ANY($1::bigint[])', [days]);
      // sessions: the first distinct ones in (hour, position) order, as the usage query folds them
      await client.query(
        `INSERT INTO usage_daily (day, principal, action, ok, n, first_ms, last_ms, samples, sessions)
         SELECT g.day, g.principal, g.action, g.ok, g.n, g.first_ms, g.last_ms, g.samples,
           coalesce((SELECT jsonb_agg(m.s ORDER BY m.o) FROM (
             SELECT x.s, min(x.o) AS o FROM (
               SELECT e.s, h.hour * 1000 + e.o AS o
               FROM usage_hourly h, jsonb_array_elements_text(h.sessions) WITH ORDINALITY AS e(s, o)
               WHERE h.principal = g.principal AND h.hour >= g.day * ${HOURS_PER_DAY} AND h.hour < (g.day + 1) * ${HOURS_PER_DAY}
                 AND h.action = g.action AND h.ok = g.ok) AS x
             GROUP BY x.s ORDER BY min(x.o) LIMIT ${SESSIONS_PER_DAY}) AS m), '[]'::jsonb)
         FROM (
           SELECT hour / ${HOURS_PER_DAY} AS day, principal, action, ok, sum(n) AS n, min(first_ms) AS first_ms, max(last_ms) AS last_ms,
             to_jsonb((array_agg(jsonb_build_array(last_ms, sample) ORDER BY last_ms DESC))[1:${SAMPLES_PER_DAY}]) AS samples
           FROM usage_hourly WHERE hour = ANY($1::bigint[])
           GROUP BY 1, 2, 3, 4) AS g`,
        [hours],
      );
    });
  }
}
