import { randomUUID } from 'node:crypto';
import { toBackfillUnit, type BackfillUnitRow } from '../rows.js';
import type { Database as Db } from 'better-sqlite3';
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
import type { AreaMigrations } from './database.js';

/**
 * Backfill work units (SQLite). SQLite has one writer at a time, so the simple implementation is
 * enough: each claim is a read and an update inside one IMMEDIATE transaction, which also keeps
 * it correct for several processes on the same file. Same lease and fencing rules as PostgreSQL
 * (see ../types-backfill.ts), with this process's clock.
 */
export const BACKFILL_MIGRATIONS: AreaMigrations = {
  area: 'backfill',
  steps: [
    `CREATE TABLE backfill_units (
      bucket TEXT NOT NULL,
      folder TEXT NOT NULL,
      day TEXT NOT NULL,
      connector TEXT NOT NULL,
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      from_ms INTEGER NOT NULL,
      until_ms INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
      cursor TEXT,
      claimed_by TEXT,
      claim_token TEXT,
      claimed_until_ms INTEGER,
      generation INTEGER NOT NULL DEFAULT 1,
      attempts INTEGER NOT NULL DEFAULT 0,
      files INTEGER NOT NULL DEFAULT 0,
      events INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      PRIMARY KEY (bucket, folder, day)
    ) WITHOUT ROWID;
    CREATE INDEX backfill_units_by_day ON backfill_units (bucket, status, day, folder);`,
  ],
};

/** The scope's folders and skipped units, as two JSON array parameters. */
const SCOPE_FOLDERS_SQL = `folder IN (SELECT value FROM json_each(?)) AND (folder || day) NOT IN (SELECT value FROM json_each(?))`;

export class SqliteBackfillWorkStore implements BackfillWorkStore {
  constructor(
    private readonly db: Db,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async plan(units: readonly BackfillUnitPlan[], opts: { redo?: boolean } = {}): Promise<BackfillPlanOutcome[]> {
    const get = this.db.prepare<[string, string, string], BackfillUnitRow>('SELECT * FROM backfill_units WHERE bucket = ? AND folder = ? AND day = ?');
    const insert = this.db.prepare(
      `INSERT INTO backfill_units (bucket, folder, day, connector, account_id, region, from_ms, until_ms, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
    );
    const update = this.db.prepare(
      'UPDATE backfill_units SET from_ms = ?, until_ms = ?, cursor = ?, status = ?, generation = ? WHERE bucket = ? AND folder = ? AND day = ?',
    );
    const redo = opts.redo === true;
    const run = this.db.transaction((list: readonly BackfillUnitPlan[]) => {
      const out: BackfillPlanOutcome[] = [];
      const seen = new Set<string>();
      for (const u of list) {
        const id = JSON.stringify([u.bucket, u.folder, u.day]);
        if (seen.has(id)) continue;
        seen.add(id);
        const old = get.get(u.bucket, u.folder, u.day);
        if (!old) {
          insert.run(u.bucket, u.folder, u.day, u.connector, u.accountId, u.region, u.fromMs, u.untilMs);
          out.push({ folder: u.folder, day: u.day, created: true, status: 'pending', cursor: null });
          continue;
        }
        const earlier = u.fromMs < old.from_ms;
        const widened = earlier || u.untilMs > old.until_ms || redo;
        const cursor = earlier || redo ? null : old.cursor;
        const status = widened ? 'pending' : old.status;
        update.run(Math.min(old.from_ms, u.fromMs), Math.max(old.until_ms, u.untilMs), cursor, status, widened ? old.generation + 1 : old.generation, u.bucket, u.folder, u.day);
        out.push({ folder: u.folder, day: u.day, created: false, status, cursor });
      }
      return out;
    });
    return run.immediate(units);
  }

  async claim(scope: BackfillScope, worker: string, leaseMs: number): Promise<BackfillClaim | undefined> {
    const next = this.db.prepare<[string, string, string, number, string, string], BackfillUnitRow>(
      `SELECT * FROM backfill_units WHERE bucket = ? AND status = 'pending' AND day >= ? AND day <= ?
         AND (claimed_until_ms IS NULL OR claimed_until_ms < ?) AND ${SCOPE_FOLDERS_SQL} ORDER BY day, folder LIMIT 1`,
    );
    const take = this.db.prepare(
      'UPDATE backfill_units SET claimed_by = ?, claim_token = ?, claimed_until_ms = ?, attempts = attempts + 1 WHERE bucket = ? AND folder = ? AND day = ?',
    );
    const run = this.db.transaction((): BackfillClaim | undefined => {
      const now = this.nowMs();
      const row = next.get(scope.bucket, scope.firstDay, scope.lastDay, now, JSON.stringify(scope.folders), JSON.stringify(scope.skip ?? []));
      if (!row) return undefined;
      const token = randomUUID();
      const until = now + Math.round(leaseMs);
      take.run(worker, token, until, row.bucket, row.folder, row.day);
      return { unit: toBackfillUnit({ ...row, claimed_by: worker, claimed_until_ms: until, attempts: row.attempts + 1 }), token };
    });
    return run.immediate();
  }

  async renew(claim: BackfillClaim, p: BackfillProgressDelta, leaseMs: number): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE backfill_units SET claimed_until_ms = ?, files = files + ?, events = events + ?,
           cursor = CASE WHEN generation = ? THEN ? ELSE cursor END
         WHERE bucket = ? AND folder = ? AND day = ? AND claim_token = ?`,
      )
      .run(this.nowMs() + Math.round(leaseMs), p.files, p.events, claim.unit.generation, p.cursor, claim.unit.bucket, claim.unit.folder, claim.unit.day, claim.token);
    return r.changes === 1;
  }

  async complete(claim: BackfillClaim, p: BackfillProgressDelta): Promise<boolean> {
    const row = this.db
      .prepare<Record<string, unknown>, { status: string }>(
        `UPDATE backfill_units SET files = files + @files, events = events + @events,
           status = CASE WHEN generation = @generation THEN 'done' ELSE status END,
           cursor = CASE WHEN generation = @generation THEN @cursor ELSE cursor END,
           last_error = CASE WHEN generation = @generation THEN NULL ELSE last_error END,
           claimed_by = NULL, claim_token = NULL, claimed_until_ms = NULL
         WHERE bucket = @bucket AND folder = @folder AND day = @day AND claim_token = @token
         RETURNING status`,
      )
      .get({ files: p.files, events: p.events, generation: claim.unit.generation, cursor: p.cursor, bucket: claim.unit.bucket, folder: claim.unit.folder, day: claim.unit.day, token: claim.token });
    return row?.status === 'done';
  }

  async release(claim: BackfillClaim, p: BackfillProgressDelta & { error?: string | null }): Promise<void> {
    this.db
      .prepare(
        `UPDATE backfill_units SET files = files + ?, events = events + ?,
           cursor = CASE WHEN generation = ? THEN ? ELSE cursor END,
           last_error = coalesce(?, last_error),
           claimed_by = NULL, claim_token = NULL, claimed_until_ms = NULL
         WHERE bucket = ? AND folder = ? AND day = ? AND claim_token = ?`,
      )
      .run(p.files, p.events, claim.unit.generation, p.cursor, p.error ?? null, claim.unit.bucket, claim.unit.folder, claim.unit.day, claim.token);
  }

  async remaining(scope: BackfillScope): Promise<BackfillRemaining> {
    const now = this.nowMs();
    const r = this.db
      .prepare<[number, number, string, string, string, string, string], { pending: number; leased: number; next: number | null; done: number }>(
        `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                count(*) FILTER (WHERE status = 'pending' AND claimed_until_ms >= ?) AS leased,
                min(claimed_until_ms) FILTER (WHERE status = 'pending' AND claimed_until_ms >= ?) AS next,
                count(*) FILTER (WHERE status = 'done') AS done
         FROM backfill_units WHERE bucket = ? AND day >= ? AND day <= ? AND ${SCOPE_FOLDERS_SQL}`,
      )
      .get(now, now, scope.bucket, scope.firstDay, scope.lastDay, JSON.stringify(scope.folders), JSON.stringify(scope.skip ?? []))!;
    return { pending: r.pending, leased: r.leased, nextLeaseEndMs: r.next, done: r.done, nowMs: now };
  }

  async list(bucket: string, folderPrefix = ''): Promise<BackfillUnit[]> {
    const rows = this.db
      .prepare<[string, number, string], BackfillUnitRow>('SELECT * FROM backfill_units WHERE bucket = ? AND substr(folder, 1, ?) = ? ORDER BY day, folder')
      .all(bucket, folderPrefix.length, folderPrefix);
    return rows.map(toBackfillUnit);
  }
}
