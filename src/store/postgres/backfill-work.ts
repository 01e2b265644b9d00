import { randomUUID } from 'node:crypto';
import { toBackfillUnit, type BackfillUnitRow } from '../rows.js';
import type {
  BackfillClaim,
  BackfillPlanOutcome,
  BackfillProgressDelta,
  BackfillRemaining,
  BackfillScope,
  BackfillUnit,
  BackfillUnitPlan,
  BackfillWorkStore,
} from '../types-backfill.js';
import type { PgAreaMigrations, Pool } from './database.js';

/**
 * Backfill work units (PostgreSQL). Claims take the next unit with `FOR UPDATE SKIP LOCKED`, so
 * workers racing for units never block on each other nor get the same one; leases are in the
 * database's clock (NOW_MS), so the machines' clocks do not matter. Every write of a holder is
 * fenced by its claim token (and completion also by the unit's generation): a worker whose lease
 * expired and was taken over cannot move the new holder's cursor or mark its unit done.
 */
export const PG_BACKFILL_MIGRATIONS: PgAreaMigrations = {
  area: 'backfill',
  steps: [
    `CREATE TABLE backfill_units (
      bucket text NOT NULL,
      folder text COLLATE "C" NOT NULL,
      day text NOT NULL,
      connector text NOT NULL,
      account_id text NOT NULL,
      region text NOT NULL,
      from_ms bigint NOT NULL,
      until_ms bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'done')),
      cursor text COLLATE "C",
      claimed_by text,
      claim_token text,
      claimed_until_ms bigint,
      generation integer NOT NULL DEFAULT 1,
      attempts integer NOT NULL DEFAULT 0,
      files bigint NOT NULL DEFAULT 0,
      events bigint NOT NULL DEFAULT 0,
      last_error text,
      PRIMARY KEY (bucket, folder, day)
    );
    CREATE INDEX backfill_units_pending ON backfill_units (bucket, day, folder) WHERE status = 'pending';`,
  ],
};

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
/** Rows per plan statement: keeps each statement's parameters and lock set small. */
const PLAN_BATCH = 2000;


/** The scope's WHERE clause over parameters $1..$5. */
const SCOPE_SQL = `bucket = $1 AND folder = ANY($2::text[]) AND day >= $3 AND day <= $4 AND NOT ((folder || day) = ANY($5::text[]))`;
const scopeParams = (s: BackfillScope) => [s.bucket, [...s.folders], s.firstDay, s.lastDay, [...(s.skip ?? [])]];
const key = (c: BackfillClaim) => [c.unit.bucket, c.unit.folder, c.unit.day, c.token];

export class PgBackfillWorkStore implements BackfillWorkStore {
  constructor(private readonly pool: Pool) {}

  async plan(units: readonly BackfillUnitPlan[], opts: { redo?: boolean } = {}): Promise<BackfillPlanOutcome[]> {
    // One row per unit, in key order: two planners then lock rows in the same order (no deadlock).
    const unique = new Map<string, BackfillUnitPlan>();
    for (const u of units) unique.set(JSON.stringify([u.bucket, u.folder, u.day]), u);
    const sorted = [...unique.values()].sort((a, b) => cmp(a.bucket, b.bucket) || cmp(a.folder, b.folder) || cmp(a.day, b.day));
    const out: BackfillPlanOutcome[] = [];
    for (let i = 0; i < sorted.length; i += PLAN_BATCH) {
      const batch = sorted.slice(i, i + PLAN_BATCH);
      const widened = `(excluded.from_ms < u.from_ms OR excluded.until_ms > u.until_ms OR $10)`;
      const { rows } = await this.pool.query<{ folder: string; day: string; created: boolean; status: 'pending' | 'done'; cursor: string | null }>(
        `INSERT INTO backfill_units AS u (bucket, folder, day, connector, account_id, region, from_ms, until_ms, status)
         SELECT b, f, d, c, a, r, fm, um, 'pending'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[]) AS t(b, f, d, c, a, r, fm, um)
         ORDER BY b, f, d
         ON CONFLICT (bucket, folder, day) DO UPDATE SET
           cursor = CASE WHEN excluded.from_ms < u.from_ms OR $9 THEN NULL ELSE u.cursor END,
           status = CASE WHEN ${widened} THEN 'pending' ELSE u.status END,
           generation = CASE WHEN ${widened} THEN u.generation + 1 ELSE u.generation END,
           from_ms = least(u.from_ms, excluded.from_ms),
           until_ms = greatest(u.until_ms, excluded.until_ms)
         RETURNING folder, day, (xmax = 0) AS created, status, cursor`,
        [
          batch.map((u) => u.bucket),
          batch.map((u) => u.folder),
          batch.map((u) => u.day),
          batch.map((u) => u.connector),
          batch.map((u) => u.accountId),
          batch.map((u) => u.region),
          batch.map((u) => u.fromMs),
          batch.map((u) => u.untilMs),
          opts.redo === true,
          opts.redo === true,
        ],
      );
      out.push(...rows);
    }
    return out;
  }

  async claim(scope: BackfillScope, worker: string, leaseMs: number): Promise<BackfillClaim | undefined> {
    const token = randomUUID();
    const { rows } = await this.pool.query<BackfillUnitRow>(
      `WITH next AS (
         SELECT bucket, folder, day FROM backfill_units
         WHERE ${SCOPE_SQL} AND status = 'pending' AND (claimed_until_ms IS NULL OR claimed_until_ms < ${NOW_MS})
         ORDER BY day, folder LIMIT 1
         FOR UPDATE SKIP LOCKED)
       UPDATE backfill_units u SET claimed_by = $6, claim_token = $7, claimed_until_ms = ${NOW_MS} + $8, attempts = u.attempts + 1
       FROM next WHERE u.bucket = next.bucket AND u.folder = next.folder AND u.day = next.day
       RETURNING u.*`,
      [...scopeParams(scope), worker, token, Math.round(leaseMs)],
    );
    const row = rows[0];
    return row ? { unit: toBackfillUnit(row), token } : undefined;
  }

  async renew(claim: BackfillClaim, p: BackfillProgressDelta, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE backfill_units SET claimed_until_ms = ${NOW_MS} + $5, files = files + $6, events = events + $7,
         cursor = CASE WHEN generation = $8 THEN $9 ELSE cursor END
       WHERE bucket = $1 AND folder = $2 AND day = $3 AND claim_token = $4`,
      [...key(claim), Math.round(leaseMs), p.files, p.events, claim.unit.generation, p.cursor],
    );
    return rowCount === 1;
  }

  async complete(claim: BackfillClaim, p: BackfillProgressDelta): Promise<boolean> {
    const { rows } = await this.pool.query<{ done: boolean }>(
      `UPDATE backfill_units SET files = files + $5, events = events + $6,
         status = CASE WHEN generation = $7 THEN 'done' ELSE status END,
         cursor = CASE WHEN generation = $7 THEN $8 ELSE cursor END,
         last_error = CASE WHEN generation = $7 THEN NULL ELSE last_error END,
         claimed_by = NULL, claim_token = NULL, claimed_until_ms = NULL
       WHERE bucket = $1 AND folder = $2 AND day = $3 AND claim_token = $4
       RETURNING status = 'done' AS done`,
      [...key(claim), p.files, p.events, claim.unit.generation, p.cursor],
    );
    return rows[0]?.done === true;
  }

  async release(claim: BackfillClaim, p: BackfillProgressDelta & { error?: string | null }): Promise<void> {
    await this.pool.query(
      `UPDATE backfill_units SET files = files + $5, events = events + $6,
         cursor = CASE WHEN generation = $7 THEN $8 ELSE cursor END,
         last_error = coalesce($9, last_error),
         claimed_by = NULL, claim_token = NULL, claimed_until_ms = NULL
       WHERE bucket = $1 AND folder = $2 AND day = $3 AND claim_token = $4`,
      [...key(claim), p.files, p.events, claim.unit.generation, p.cursor, p.error ?? null],
    );
  }

  async remaining(scope: BackfillScope): Promise<BackfillRemaining> {
    const { rows } = await this.pool.query<{ pending: number; leased: number; next: number | null; done: number; now: number }>(
      `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'pending' AND claimed_until_ms >= n.now) AS leased,
              min(claimed_until_ms) FILTER (WHERE status = 'pending' AND claimed_until_ms >= n.now) AS next,
              count(*) FILTER (WHERE status = 'done') AS done, n.now
       FROM (SELECT ${NOW_MS} AS now) n LEFT JOIN backfill_units ON ${SCOPE_SQL}
       GROUP BY n.now`,
      scopeParams(scope),
    );
    const r = rows[0]!;
    return { pending: r.pending, leased: r.leased, nextLeaseEndMs: r.next, done: r.done, nowMs: r.now };
  }

  async list(bucket: string, folderPrefix = ''): Promise<BackfillUnit[]> {
    const { rows } = await this.pool.query<BackfillUnitRow>(
      `SELECT * FROM backfill_units WHERE bucket = $1 AND left(folder, length($2)) = $2 ORDER BY day, folder`,
      [bucket, folderPrefix],
    );
    return rows.map(toBackfillUnit);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
