import type { Pool } from './database.js';

/** Months outside [1970, 2200) go to events_default instead of a partition of their own. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;
/** Any constant shared by every trailscope process: serialises partition creation. */
const PARTITION_LOCK = 0x7472_6c32; // "trl2"

/** [year, month 0-11] → partition name and its bounds in ms. Names are built from numbers only. */
function monthOf(ms: number): { name: string; from: number; to: number } | null {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (!(y >= FIRST_YEAR && y <= LAST_YEAR)) return null;
  return { name: `events_${y}_${String(m + 1).padStart(2, '0')}`, from: Date.UTC(y, m, 1), to: Date.UTC(y, m + 1, 1) };
}

/**
 * Monthly partitions of events, created when a commit first needs one (and the next month with
 * it, so the partition of the coming month exists before time reaches it). Creation runs in its
 * own short transaction before the commit, under an advisory lock so concurrent workers do not
 * race on the same DDL, and never inside a commit: its locks would last the whole commit. An empty partition left by a failed commit
 * is harmless. events_default never holds a row of a month that gets a partition (it takes only
 * times outside the partitioned years), so creating one never has rows to move.
 */
export class Partitions {
  private readonly known = new Set<string>();

  constructor(private readonly pool: Pool) {}

  async ensure(times: ArrayLike<number>): Promise<void> {
    const missing = new Map<string, { name: string; from: number; to: number }>();
    let lastMonthMs = Number.NaN;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      // Files are mostly of one hour: skip the Date work while still in the month seen last.
      if (t >= lastMonthMs && t < lastMonthMs + 27 * 86_400_000) continue;
      const m = monthOf(t);
      if (!m) continue;
      lastMonthMs = m.from;
      for (const month of [m, monthOf(m.to)]) {
        if (month && !this.known.has(month.name)) missing.set(month.name, month);
      }
    }
    if (missing.size === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      const { rows } = await client.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass",
      );
      const existing = new Set(rows.map((r) => r.name));
      for (const m of missing.values()) {
        if (existing.has(m.name)) continue;
        // CREATE then ATTACH, not CREATE … PARTITION OF: attaching locks the parent in SHARE UPDATE
        // EXCLUSIVE mode, so other workers' commits go on meanwhile; the CHECK spares the scan.
        await client.query(
          `CREATE TABLE ${m.name} (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (t >= ${m.from} AND t < ${m.to}))`,
        );
        await client.query(`ALTER TABLE events ATTACH PARTITION ${m.name} FOR VALUES FROM (${m.from}) TO (${m.to})`);
      }
      await client.query('COMMIT');
      for (const name of missing.keys()) this.known.add(name);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
