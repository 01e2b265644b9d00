import type { AnalysisRun, FindingStore, StoredFinding, Suppression } from '../types.js';
import { findingFromRow, type FindingRow } from '../rows.js';
import type { PgAreaMigrations, Pool } from './database.js';
import { inTransaction } from './database.js';

/** Findings across analysis runs (see the SQLite twin, ../sqlite/findings.ts, for the semantics). */
export const PG_FINDINGS_MIGRATIONS: PgAreaMigrations = {
  area: 'findings',
  steps: [
    `CREATE TABLE findings (
      id text COLLATE "C" PRIMARY KEY,
      rule text NOT NULL,
      severity text NOT NULL,
      account text NOT NULL,
      resource text NOT NULL,
      doc text NOT NULL,
      first_seen text NOT NULL,
      last_seen text NOT NULL,
      resolved_at text,
      suppression text
    );
    CREATE INDEX findings_rule ON findings (rule, account);
    CREATE TABLE analysis_runs (
      id bigserial PRIMARY KEY,
      ran_at text NOT NULL,
      as_of text NOT NULL,
      window_days integer NOT NULL,
      account text,
      rules text NOT NULL
    );`,
  ],
};

export class PgFindingStore implements FindingStore {
  constructor(private readonly pool: Pool) {}

  async recordRun(run: AnalysisRun, findings: readonly { id: string; rule: string; severity: string; accountId: string; resource: string }[]) {
    return inTransaction(this.pool, async (db) => {
      // One run at a time: two services analysing at once must not resolve each other's findings.
      await db.query("SELECT pg_advisory_xact_lock(hashtext('trailscope:findings'))");
      let created = 0;
      for (const f of findings) {
        const r = await db.query<{ inserted: boolean }>(
          `INSERT INTO findings (id, rule, severity, account, resource, doc, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
           ON CONFLICT (id) DO UPDATE SET
             severity = CASE WHEN findings.last_seen <= excluded.last_seen THEN excluded.severity ELSE findings.severity END,
             doc = CASE WHEN findings.last_seen <= excluded.last_seen THEN excluded.doc ELSE findings.doc END,
             resolved_at = CASE WHEN findings.last_seen <= excluded.last_seen THEN NULL ELSE findings.resolved_at END,
             first_seen = least(findings.first_seen, excluded.first_seen),
             last_seen = greatest(findings.last_seen, excluded.last_seen)
           RETURNING (xmax = 0) AS inserted`,
          [f.id, f.rule, f.severity, f.accountId, f.resource, JSON.stringify(f), run.asOf],
        );
        if (r.rows[0]?.inserted) created++;
      }
      const resolved = run.rules.length
        ? ((
            await db.query(
              `UPDATE findings SET resolved_at = $1
               WHERE resolved_at IS NULL AND last_seen <= $1 AND rule = ANY($2::text[]) AND NOT (id = ANY($3::text[]))${run.accountId ? ' AND account = $4' : ''}`,
              [run.asOf, run.rules, findings.map((f) => f.id), ...(run.accountId ? [run.accountId] : [])],
            )
          ).rowCount ?? 0)
        : 0;
      await db.query('INSERT INTO analysis_runs (ran_at, as_of, window_days, account, rules) VALUES ($1, $2, $3, $4, $5)', [
        run.ranAt,
        run.asOf,
        run.windowDays,
        run.accountId ?? null,
        JSON.stringify(run.rules),
      ]);
      return { new: created, resolved };
    });
  }

  async list(q: { rules?: string[]; accountId?: string; ids?: string[] } = {}): Promise<StoredFinding[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.rules?.length) {
      params.push(q.rules);
      where.push(`rule = ANY($${params.length}::text[])`);
    }
    if (q.accountId) {
      params.push(q.accountId);
      where.push(`account = $${params.length}`);
    }
    if (q.ids) {
      if (q.ids.length === 0) return [];
      params.push(q.ids);
      where.push(`id = ANY($${params.length}::text[])`);
    }
    const { rows } = await this.pool.query<FindingRow>(`SELECT * FROM findings${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params);
    return rows.map(findingFromRow);
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    const { rows } = await this.pool.query<FindingRow>('SELECT * FROM findings WHERE id = $1', [id]);
    return rows[0] ? findingFromRow(rows[0]) : undefined;
  }

  async suppress(id: string, s: Suppression): Promise<boolean> {
    return ((await this.pool.query('UPDATE findings SET suppression = $1 WHERE id = $2', [JSON.stringify(s), id])).rowCount ?? 0) > 0;
  }

  async unsuppress(id: string): Promise<boolean> {
    return ((await this.pool.query('UPDATE findings SET suppression = NULL WHERE id = $1 AND suppression IS NOT NULL', [id])).rowCount ?? 0) > 0;
  }

  async lastRun(): Promise<AnalysisRun | undefined> {
    const { rows } = await this.pool.query<{ ran_at: string; as_of: string; window_days: number; account: string | null; rules: string }>('SELECT * FROM analysis_runs ORDER BY id DESC LIMIT 1');
    const r = rows[0];
    return r ? { ranAt: r.ran_at, asOf: r.as_of, windowDays: r.window_days, rules: JSON.parse(r.rules) as string[], ...(r.account ? { accountId: r.account } : {}) } : undefined;
  }
}
