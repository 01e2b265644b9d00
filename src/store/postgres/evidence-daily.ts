import { inTransaction, type PgAreaMigrations, type Pool } from './database.js';
import { EVIDENCE_SAMPLES } from '../types-evidence.js';
import { DAY_MS, dayBatches } from '../evidence-window.js';

/**
 * Daily summary of the evidence groups (see ../sqlite/evidence-daily.ts for why and how): one
 * row per (day, distinct call) of the tracked actions with its count, first samples and last.
 * Lazy, as usage_daily: commits (in their INSERT, ./write-chunk.ts) and deletes append the days
 * they touched to evidence_daily_dirty (append-only, so concurrent workers never wait on each
 * other), and the next evidence query rebuilds those days in SQL under an advisory lock.
 */
export const PG_EVIDENCE_DAILY_MIGRATIONS: PgAreaMigrations = {
  area: 'evidence-daily',
  steps: [
    `CREATE TABLE evidence_daily (
      day bigint NOT NULL,
      principal text COLLATE "C",
      p_account text,
      api text NOT NULL,
      actions jsonb NOT NULL,
      resources jsonb NOT NULL,
      error text,
      n bigint NOT NULL,
      first_samples jsonb NOT NULL,
      last_sample jsonb NOT NULL
    );
    CREATE INDEX evidence_daily_day ON evidence_daily (day);
    CREATE TABLE evidence_daily_dirty (day bigint NOT NULL);
    CREATE TABLE evidence_tracked (action text COLLATE "C" PRIMARY KEY);`,
  ],
};

/** pg_advisory_xact_lock key of the rebuild: one at a time per database. */
const REBUILD_LOCK = 0x65766964;

/** The group key, then its count, its first samples and its last ([t, event_id] each). */
export const FOLD_COLUMNS = (samples: string) =>
  `principal, p_account, api, actions, resources, error, count(*) AS n,
   to_jsonb((array_agg(jsonb_build_array(t, event_id) ORDER BY t, event_id))[1:${samples}]) AS first_samples,
   (array_agg(jsonb_build_array(t, event_id) ORDER BY t DESC, event_id DESC))[1] AS last_sample`;

/**
 * Tracks `anyAction` and rebuilds every marked day from its events, in transactions of at most a
 * week (dayBatches) under an advisory lock. A newly tracked action marks every stored day without
 * deleting its rows: until a day is rebuilt they still answer a query for the actions tracked
 * before. Days marked after the list is read are left to the next refresh, so busy writers
 * cannot keep it going.
 */
export async function refreshEvidenceDays(pool: Pool, anyAction: readonly string[]): Promise<void> {
  const { rows } = await pool.query<{ dirty: boolean; untracked: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM evidence_daily_dirty) AS dirty,
       EXISTS (SELECT 1 FROM unnest($1::text[]) AS a WHERE NOT EXISTS (SELECT 1 FROM evidence_tracked k WHERE k.action = a)) AS untracked`,
    [anyAction],
  );
  if (!rows[0]?.dirty && !rows[0]?.untracked) return;
  if (rows[0]?.untracked) {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REBUILD_LOCK]);
      const added = await client.query('INSERT INTO evidence_tracked (action) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [anyAction]);
      if ((added.rowCount ?? 0) > 0) await client.query(`INSERT INTO evidence_daily_dirty (day) SELECT DISTINCT floor(t / ${DAY_MS})::bigint FROM events`);
    });
  }
  const { rows: dirty } = await pool.query<{ day: string }>('SELECT DISTINCT day FROM evidence_daily_dirty ORDER BY day');
  for (const batch of dayBatches(dirty.map((r) => Number(r.day)))) {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REBUILD_LOCK]);
      // only the days still marked (another process may have rebuilt some); marks appended after
      // this statement's snapshot stay for the next rebuild
      const { rows: marked } = await client.query<{ day: string }>('DELETE FROM evidence_daily_dirty WHERE day = ANY($1::bigint[]) RETURNING day', [batch]);
      const days = [...new Set(marked.map((r) => r.day))];
      if (days.length === 0) return;
      await client.query('DELETE FROM evidence_daily WHERE day = ANY($1::bigint[])', [days]);
      await client.query(
        `INSERT INTO evidence_daily (day, principal, p_account, api, actions, resources, error, n, first_samples, last_sample)
         SELECT d.day, ${FOLD_COLUMNS(String(EVIDENCE_SAMPLES))}
         FROM unnest($1::bigint[]) AS d(day)
         JOIN events e ON e.t >= d.day * ${DAY_MS} AND e.t < (d.day + 1) * ${DAY_MS}
         WHERE e.actions ?| (SELECT array_agg(action) FROM evidence_tracked)
         GROUP BY d.day, principal, p_account, api, actions, resources, error`,
        [days],
      );
    });
  }
}
