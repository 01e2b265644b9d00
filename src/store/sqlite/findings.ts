import type { Database as Db } from 'better-sqlite3';
import type { AreaMigrations } from './database.js';
import type { AnalysisRun, FindingStore, StoredFinding, Suppression } from '../types.js';
import { findingFromRow, type FindingRow } from '../rows.js';

/**
 * Findings across analysis runs. The finding document is stored as the rule produced it; the
 * lifecycle columns (first/last seen, resolved) are in analysis time (as-of), so re-running an
 * old analysis is reproducible and never resolves what a newer one found.
 */
export const FINDINGS_MIGRATIONS: AreaMigrations = {
  area: 'findings',
  steps: [
    `CREATE TABLE findings (
      id TEXT PRIMARY KEY,
      rule TEXT NOT NULL,
      severity TEXT NOT NULL,
      account TEXT NOT NULL,
      resource TEXT NOT NULL,
      doc TEXT NOT NULL,
      first_seen TEXT NOT NULL,
      last_seen TEXT NOT NULL,
      resolved_at TEXT,
      suppression TEXT
    );
    CREATE INDEX findings_rule ON findings (rule, account);
    CREATE TABLE analysis_runs (
      id INTEGER PRIMARY KEY,
      ran_at TEXT NOT NULL,
      as_of TEXT NOT NULL,
      window_days INTEGER NOT NULL,
      account TEXT,
      rules TEXT NOT NULL
    );`,
  ],
};

export class SqliteFindingStore implements FindingStore {
  constructor(private readonly db: Db) {}

  async recordRun(run: AnalysisRun, findings: readonly { id: string; rule: string; severity: string; accountId: string; resource: string }[]) {
    const tx = this.db.transaction(() => {
      const get = this.db.prepare<[string], FindingRow>('SELECT * FROM findings WHERE id = ?');
      const insert = this.db.prepare('INSERT INTO findings (id, rule, severity, account, resource, doc, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const update = this.db.prepare(
        `UPDATE findings SET severity = ?, doc = ?, first_seen = min(first_seen, ?), last_seen = ?, resolved_at = NULL WHERE id = ?`,
      );
      const olderSeen = this.db.prepare('UPDATE findings SET first_seen = min(first_seen, ?) WHERE id = ?');
      let created = 0;
      const found = new Set<string>();
      for (const f of findings) {
        found.add(f.id);
        const old = get.get(f.id);
        const doc = JSON.stringify(f);
        if (!old) {
          insert.run(f.id, f.rule, f.severity, f.accountId, f.resource, doc, run.asOf, run.asOf);
          created++;
        } else if (old.last_seen <= run.asOf) update.run(f.severity, doc, run.asOf, run.asOf, f.id);
        else olderSeen.run(run.asOf, f.id);
      }
      // Open findings of the run's rules and scope that it no longer found are resolved.
      const placeholders = run.rules.map(() => '?').join(', ');
      const candidates = run.rules.length
        ? this.db
            .prepare<(string | null)[], { id: string }>(
              `SELECT id FROM findings WHERE resolved_at IS NULL AND last_seen <= ? AND rule IN (${placeholders})${run.accountId ? ' AND account = ?' : ''}`,
            )
            .all(run.asOf, ...run.rules, ...(run.accountId ? [run.accountId] : []))
        : [];
      const resolve = this.db.prepare('UPDATE findings SET resolved_at = ? WHERE id = ?');
      let resolved = 0;
      for (const c of candidates) {
        if (found.has(c.id)) continue;
        resolve.run(run.asOf, c.id);
        resolved++;
      }
      this.db
        .prepare('INSERT INTO analysis_runs (ran_at, as_of, window_days, account, rules) VALUES (?, ?, ?, ?, ?)')
        .run(run.ranAt, run.asOf, run.windowDays, run.accountId ?? null, JSON.stringify(run.rules));
      return { new: created, resolved };
    });
    return tx.immediate();
  }

  async list(q: { rules?: string[]; accountId?: string; ids?: string[] } = {}): Promise<StoredFinding[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (q.rules?.length) {
      where.push(`rule IN (${q.rules.map(() => '?').join(', ')})`);
      params.push(...q.rules);
    }
    if (q.accountId) {
      where.push('account = ?');
      params.push(q.accountId);
    }
    if (q.ids) {
      if (q.ids.length === 0) return [];
      where.push(`id IN (${q.ids.map(() => '?').join(', ')})`);
      params.push(...q.ids);
    }
    return this.db
      .prepare<string[], FindingRow>(`SELECT * FROM findings${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
      .all(...params)
      .map(findingFromRow);
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    const row = this.db.prepare<[string], FindingRow>('SELECT * FROM findings WHERE id = ?').get(id);
    return row ? findingFromRow(row) : undefined;
  }

  async suppress(id: string, s: Suppression): Promise<boolean> {
    return this.db.prepare('UPDATE findings SET suppression = ? WHERE id = ?').run(JSON.stringify(s), id).changes > 0;
  }

  async unsuppress(id: string): Promise<boolean> {
    return this.db.prepare('UPDATE findings SET suppression = NULL WHERE id = ? AND suppression IS NOT NULL').run(id).changes > 0;
  }

  async lastRun(): Promise<AnalysisRun | undefined> {
    const r = this.db
      .prepare<[], { ran_at: string; as_of: string; window_days: number; account: string | null; rules: string }>('SELECT * FROM analysis_runs ORDER BY id DESC LIMIT 1')
      .get();
    return r ? { ranAt: r.ran_at, asOf: r.as_of, windowDays: r.window_days, rules: JSON.parse(r.rules) as string[], ...(r.account ? { accountId: r.account } : {}) } : undefined;
  }
}
