import type { DetectionMemory } from '../types.js';
import type { Queryable } from './database.js';

interface Entry {
  firstMs: number;
  lastMs: number;
  value: string | null;
}

/** A remembered key's last time is written back only when it moved this much (fewer writes). */
const MEMORY_REFRESH_MS = 3_600_000;

/**
 * Detection memory on PostgreSQL. The commit hook is synchronous and PostgreSQL is not, so the
 * memory is read into a cache once (it is small: identities × networks), the hook reads the cache
 * and its notes are written at the end of the commit's transaction by an upsert that keeps the
 * earliest first time (with its value) and the latest last time, whatever another worker wrote
 * meanwhile. Notes of a transaction reach the cache only once it commits. Keys another worker
 * notes after the cache was read are not seen by this process until it reopens the store.
 */
export class PgDetectionMemory implements DetectionMemory {
  private cache: Map<string, Entry> | null = null;
  private pending = new Map<string, Entry & { ns: string; key: string }>();

  /** Reads the whole memory once (on the first commit that runs a hook). */
  async load(db: Queryable): Promise<void> {
    if (this.cache) return;
    const { rows } = await db.query<{ ns: string; key: string; first_ms: number; last_ms: number; value: string | null }>(
      'SELECT ns, key, first_ms, last_ms, value FROM detect_memory',
    );
    this.cache = new Map(rows.map((r) => [`${r.ns}\u0000${r.key}`, { firstMs: r.first_ms, lastMs: r.last_ms, value: r.value }]));
  }

  get(ns: string, key: string): { firstMs: number; lastMs: number; value: string | null } | undefined {
    const k = `${ns}\u0000${key}`;
    const e = this.pending.get(k) ?? this.cache?.get(k);
    return e ? { firstMs: e.firstMs, lastMs: e.lastMs, value: e.value } : undefined;
  }

  note(ns: string, key: string, ms: number, value?: string): void {
    const k = `${ns}\u0000${key}`;
    const pending = this.pending.get(k);
    const current = pending ?? this.cache?.get(k);
    if (!current) {
      this.pending.set(k, { ns, key, firstMs: ms, lastMs: ms, value: value ?? null });
      return;
    }
    const moves = ms < current.firstMs || (ms > current.lastMs && ms - current.lastMs >= MEMORY_REFRESH_MS);
    if (!moves && !pending) return;
    const entry = pending ?? { ns, key, firstMs: current.firstMs, lastMs: current.lastMs, value: current.value };
    if (ms < entry.firstMs) {
      entry.firstMs = ms;
      entry.value = value ?? null;
    }
    if (ms > entry.lastMs) entry.lastMs = ms;
    this.pending.set(k, entry);
  }

  /** Writes this transaction's notes (call inside it, before COMMIT). */
  async flush(db: Queryable): Promise<void> {
    if (this.pending.size === 0) return;
    const list = [...this.pending.values()].sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await db.query(
      `INSERT INTO detect_memory AS m (ns, key, first_ms, last_ms, value)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
       ON CONFLICT (ns, key) DO UPDATE SET
         value = CASE WHEN excluded.first_ms < m.first_ms THEN excluded.value ELSE m.value END,
         first_ms = least(m.first_ms, excluded.first_ms), last_ms = greatest(m.last_ms, excluded.last_ms)`,
      [list.map((e) => e.ns), list.map((e) => e.key), list.map((e) => e.firstMs), list.map((e) => e.lastMs), list.map((e) => e.value)],
    );
  }

  /** The commit ended: its notes become the cache's, or are dropped. */
  ended(ok: boolean): void {
    if (ok && this.cache) {
      for (const [k, e] of this.pending) this.cache.set(k, { firstMs: e.firstMs, lastMs: e.lastMs, value: e.value });
    }
    this.pending = new Map();
  }
}
