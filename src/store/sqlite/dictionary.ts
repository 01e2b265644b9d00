import type { Database as Db, Statement } from 'better-sqlite3';

/** Schema of the shared string dictionary (part of the "events" area's migrations). */
export const DICTIONARY_SQL = `
CREATE TABLE strings (
  id INTEGER PRIMARY KEY,
  s TEXT NOT NULL UNIQUE
);
-- A set of dictionary ids (the actions of one event; before version 3 of the events area, its
-- resources too), interned too, so an event row holds one small integer and SQL can group on it.
CREATE TABLE id_sets (
  id INTEGER PRIMARY KEY,
  members TEXT NOT NULL UNIQUE
);
CREATE TABLE id_set_members (
  member INTEGER NOT NULL,
  set_id INTEGER NOT NULL,
  PRIMARY KEY (member, set_id)
) WITHOUT ROWID;
`;

/**
 * Cache bounds. Hot entries (principals, actions, event names, accounts, action sets) are few
 * and come back after a reset with one indexed read each; the many one-off entries (session
 * names, error codes of rare calls) must not grow memory with the store.
 */
const STRING_CACHE_LIMIT = 50_000;
const SET_CACHE_LIMIT = 10_000;

/**
 * Interns repeated strings (principal ARNs, account ids, event names, actions, session names)
 * into integer ids. Ids are never deleted or reused, so ids cached by one
 * connection stay valid while another process adds entries. Entries added inside a transaction
 * that rolls back are dropped from the cache (see {@link rollback}).
 */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  private readonly values = new Map<number, string>();
  private readonly setIds = new Map<string, number>();
  private readonly setMembers = new Map<number, number[]>();
  private readonly setIdsByJson = new Map<string, number>();
  private pending: { strings: string[]; sets: string[]; json: string[] } = { strings: [], sets: [], json: [] };
  private readonly findId: Statement<[string], number>;
  /** Inserts a new string and returns its id; returns nothing for a string already stored. */
  private readonly addString: Statement<[string], number>;
  private readonly findValue: Statement<[number], string>;
  private readonly findSet: Statement<[string], number>;
  private readonly addSet: Statement<[string], number>;
  private readonly insertMember: Statement<[number, number]>;
  private readonly findSetMembers: Statement<[number], string>;
  private readonly setsWith: Statement<[number], number>;

  constructor(db: Db) {
    this.findId = db.prepare<[string], number>('SELECT id FROM strings WHERE s = ?').pluck();
    this.addString = db.prepare<[string], number>('INSERT INTO strings (s) VALUES (?) ON CONFLICT (s) DO NOTHING RETURNING id').pluck();
    this.findValue = db.prepare<[number], string>('SELECT s FROM strings WHERE id = ?').pluck();
    this.findSet = db.prepare<[string], number>('SELECT id FROM id_sets WHERE members = ?').pluck();
    this.addSet = db.prepare<[string], number>('INSERT INTO id_sets (members) VALUES (?) ON CONFLICT (members) DO NOTHING RETURNING id').pluck();
    this.insertMember = db.prepare<[number, number]>('INSERT OR IGNORE INTO id_set_members (member, set_id) VALUES (?, ?)');
    this.findSetMembers = db.prepare<[number], string>('SELECT members FROM id_sets WHERE id = ?').pluck();
    this.setsWith = db.prepare<[number], number>('SELECT set_id FROM id_set_members WHERE member = ?').pluck();
  }

  /**
   * The id of a string, adding it when new. Call inside a write transaction. A string missing
   * from the cache is most often new (session names), so it is inserted first and
   * looked up only when already stored: one statement rather than two for a new string.
   */
  intern(value: string): number {
    const cached = this.ids.get(value);
    if (cached !== undefined) return cached;
    let id = this.addString.get(value);
    if (id === undefined) id = this.findId.get(value)!;
    else this.pending.strings.push(value);
    this.remember(value, id);
    return id;
  }

  internNullable(value: string | null | undefined): number | null {
    return value === null || value === undefined ? null : this.intern(value);
  }

  /** The id of a string already stored, or undefined (never writes: for query filters). */
  lookup(value: string): number | undefined {
    const cached = this.ids.get(value);
    if (cached !== undefined) return cached;
    const id = this.findId.get(value);
    if (id !== undefined) this.remember(value, id);
    return id;
  }

  value(id: number): string {
    const cached = this.values.get(id);
    if (cached !== undefined) return cached;
    const value = this.findValue.get(id);
    if (value === undefined) throw new Error(`store is inconsistent: string id ${id} is missing`);
    this.remember(value, id);
    return value;
  }

  valueNullable(id: number | null): string | null {
    return id === null ? null : this.value(id);
  }

  /**
   * The id of a list of strings (kept in order, so it reads back exactly as given); null for an
   * empty list. Lists with the same members in another order are different entries (rare: the
   * parser emits them in a stable order).
   */
  internSet(values: readonly string[]): number | null {
    if (values.length === 0) return null;
    const members = values.map((v) => this.intern(v));
    const key = members.join(',');
    const cached = this.setIds.get(key);
    if (cached !== undefined) return cached;
    let id = this.addSet.get(key);
    if (id === undefined) {
      id = this.findSet.get(key)!;
    } else {
      for (const m of members) this.insertMember.run(m, id);
      this.pending.sets.push(key);
    }
    this.rememberSet(key, id, members);
    return id;
  }

  /** internSet of a JSON array of strings (EncodedChunk's form), cached by its text. */
  internSetJson(json: string): number | null {
    if (json === '[]') return null;
    const cached = this.setIdsByJson.get(json);
    if (cached !== undefined) return cached;
    const id = this.internSet(JSON.parse(json) as string[]);
    if (id !== null) {
      if (this.setIdsByJson.size > SET_CACHE_LIMIT) this.setIdsByJson.clear();
      this.setIdsByJson.set(json, id);
      this.pending.json.push(json);
    }
    return id;
  }

  /** The member ids of a set id (empty for null). */
  members(setId: number | null): number[] {
    if (setId === null) return [];
    const cached = this.setMembers.get(setId);
    if (cached) return cached;
    const key = this.findSetMembers.get(setId);
    if (key === undefined) throw new Error(`store is inconsistent: set id ${setId} is missing`);
    const members = key.split(',').map(Number);
    this.rememberSet(key, setId, members);
    return members;
  }

  /** Every set id that contains the string (for "events whose actions include X"). */
  setsContaining(value: string): number[] {
    const id = this.lookup(value);
    return id === undefined ? [] : this.setsWith.all(id);
  }

  /** Forget what the last transaction added: it rolled back, so those ids do not exist. */
  rollback(): void {
    for (const s of this.pending.strings) {
      const id = this.ids.get(s);
      this.ids.delete(s);
      if (id !== undefined) this.values.delete(id);
    }
    for (const key of this.pending.sets) {
      const id = this.setIds.get(key);
      this.setIds.delete(key);
      if (id !== undefined) this.setMembers.delete(id);
    }
    for (const json of this.pending.json) this.setIdsByJson.delete(json);
    this.pending = { strings: [], sets: [], json: [] };
  }

  /** The last transaction committed: keep what it added. */
  commit(): void {
    this.pending = { strings: [], sets: [], json: [] };
  }

  private rememberSet(key: string, id: number, members: number[]): void {
    if (this.setIds.size > SET_CACHE_LIMIT) {
      this.setIds.clear();
      this.setMembers.clear();
    }
    this.setIds.set(key, id);
    this.setMembers.set(id, members);
  }

  private remember(value: string, id: number): void {
    // Bounded: a hostile or huge feed of distinct session names must not grow memory forever.
    if (this.ids.size > STRING_CACHE_LIMIT) {
      this.ids.clear();
      this.values.clear();
    }
    this.ids.set(value, id);
    this.values.set(id, value);
  }
}
