import type { Database as Db, Statement } from 'better-sqlite3';
import type { DetectionMemory } from '../types.js';

/** A remembered key's last time is written back only when it moved this much (fewer writes). */
const MEMORY_REFRESH_MS = 3_600_000;

interface Entry {
  firstMs: number;
  lastMs: number;
  value: string | null;
  storedLastMs: number;
}

/**
 * Entries by namespace, then key: a lookup hashes the caller's key string (often a column value
 * already hashed) rather than a new `ns + key` string built for every call.
 */
class ByNamespace {
  private readonly maps = new Map<string, Map<string, Entry>>();
  size = 0;

  get(ns: string, key: string): Entry | undefined {
    return this.maps.get(ns)?.get(key);
  }

  set(ns: string, key: string, entry: Entry): void {
    let map = this.maps.get(ns);
    if (!map) this.maps.set(ns, (map = new Map()));
    const before = map.size;
    map.set(key, entry);
    this.size += map.size - before;
  }

  *entries(): Generator<[string, string, Entry]> {
    for (const [ns, map] of this.maps) for (const [key, e] of map) yield [ns, key, e];
  }

  clear(): void {
    this.maps.clear();
    this.size = 0;
  }
}

/**
 * The persisted memory with a cache in front. Writes go to the database inside the commit's
 * transaction; entries touched by the transaction are kept apart until it commits, so a rolled
 * back commit (a bad file in a group commit, retried alone) leaves the cache as the database is.
 */
export class SqliteDetectionMemory implements DetectionMemory {
  private readonly cache = new ByNamespace();
  private pending = new ByNamespace();
  private readonly getStmt: Statement<[string, string], { first_ms: number; last_ms: number; value: string | null }>;
  private readonly putStmt: Statement<[string, string, number, number, string | null]>;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT first_ms, last_ms, value FROM detect_memory WHERE ns = ? AND key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO detect_memory (ns, key, first_ms, last_ms, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET
         value = CASE WHEN excluded.first_ms < first_ms THEN excluded.value ELSE value END,
         first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms)`,
    );
  }

  get(ns: string, key: string): { firstMs: number; lastMs: number; value: string | null } | undefined {
    return this.entry(ns, key);
  }

  /** The current entry, read-only: this transaction's, else the committed one (cached once read). */
  private entry(ns: string, key: string): Entry | undefined {
    const hit = this.pending.get(ns, key) ?? this.cache.get(ns, key);
    if (hit) return hit;
    const row = this.getStmt.get(ns, key);
    if (!row) return undefined;
    // Not written by this transaction (it would be pending): committed state.
    const entry = { firstMs: row.first_ms, lastMs: row.last_ms, value: row.value, storedLastMs: row.last_ms };
    this.remember(ns, key, entry);
    return entry;
  }

  /** The transaction committed: what it read and wrote is now what the database holds. */
  commit(): void {
    for (const [ns, key, e] of this.pending.entries()) this.remember(ns, key, e);
    this.pending = new ByNamespace();
  }

  rollback(): void {
    this.pending = new ByNamespace();
  }

  note(ns: string, key: string, ms: number, value?: string): void {
    const current = this.entry(ns, key);
    if (!current) {
      this.putStmt.run(ns, key, ms, ms, value ?? null);
      this.pending.set(ns, key, { firstMs: ms, lastMs: ms, value: value ?? null, storedLastMs: ms });
      return;
    }
    const moves = ms < current.firstMs || (ms > current.lastMs && Math.max(ms, current.lastMs) - current.storedLastMs >= MEMORY_REFRESH_MS);
    if (!moves) {
      // Nothing to write; the cache may still learn the later time (it only matters to this process).
      if (ms > current.lastMs && this.pending.get(ns, key) === current) current.lastMs = ms;
      return;
    }
    // Copy on write: the committed entry stays as it is until this transaction commits.
    const entry = this.pending.get(ns, key) ?? { ...current };
    this.pending.set(ns, key, entry);
    if (ms < entry.firstMs) {
      entry.firstMs = ms;
      entry.value = value ?? null;
    }
    if (ms > entry.lastMs) entry.lastMs = ms;
    this.putStmt.run(ns, key, entry.firstMs, entry.lastMs, entry.value);
    entry.storedLastMs = entry.lastMs;
  }

  private remember(ns: string, key: string, entry: Entry): void {
    // Bounded: identities × networks is small in practice; start over rather than grow without end.
    if (this.cache.size >= 200_000) this.cache.clear();
    this.cache.set(ns, key, entry);
  }
}

