import type { Database as Db } from 'better-sqlite3';
import { immediateUnlessReadOnly, type AreaMigrations } from './database.js';
import type { Dictionary } from './dictionary.js';
import { EVIDENCE_SAMPLES } from '../types-evidence.js';
import { DAY_MS, dayBatches, dayOf } from '../evidence-window.js';
import { eventsWhere } from './events-where.js';
import { EvidenceFolds, keptSamples, keyId, type GroupKey, type SampleRow } from './evidence-fold.js';

/**
 * Daily summary of the evidence groups (see ../types-evidence.ts), so that an analysis reads
 * one row per (day, distinct call) instead of scanning the window's events: at 5 M events 4 %
 * of the events match the escalation actions, and finding them meant reading every row.
 *
 * The summary covers the actions asked for so far (evidence_tracked): a query naming an action
 * not yet tracked adds it and marks every day for a rebuild. Rebuilds are lazy, as for
 * usage_daily: a commit marks the days of the events it inserted, a delete marks its day (a
 * trigger, so retention and connector removal need not know), and the next evidence query
 * rebuilds the marked days from their events. A row keeps the group's count on that day, its
 * first EVIDENCE_SAMPLES events in (t, event_id) order and its last.
 */
export const EVIDENCE_DAILY_MIGRATIONS: AreaMigrations = {
  area: 'evidence-daily',
  steps: [
    `CREATE TABLE evidence_daily (
      day INTEGER NOT NULL,
      principal INTEGER,
      p_account INTEGER,
      api INTEGER NOT NULL,
      actions INTEGER,
      resources INTEGER, -- JSON text since version 2, as events.resources
      error INTEGER,
      n INTEGER NOT NULL,
      samples TEXT NOT NULL
    );
    CREATE INDEX evidence_daily_day ON evidence_daily (day);
    CREATE TABLE evidence_daily_dirty (day INTEGER PRIMARY KEY);
    CREATE TABLE evidence_tracked (action TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER events_delete_evidence_dirty AFTER DELETE ON events
      BEGIN INSERT OR IGNORE INTO evidence_daily_dirty (day) VALUES (CAST(OLD.t / ${DAY_MS} AS INTEGER)); END;`,
    // events.resources became JSON text (events area, version 3): the summary's groups keyed
    // by set ids are rebuilt from the events at the next query.
    `INSERT OR IGNORE INTO evidence_daily_dirty (day) SELECT DISTINCT day FROM evidence_daily;
    DELETE FROM evidence_daily;`,
  ],
};

/** Marks the days of these event times for the next rebuild (inside the writer's transaction). */
export function markEvidenceDays(db: Db, rows: readonly { t: number }[]): void {
  let previous = NaN;
  const days = new Set<number>();
  for (const { t } of rows) {
    const day = dayOf(t);
    if (day === previous) continue;
    days.add((previous = day));
  }
  if (days.size === 0) return;
  const mark = db.prepare<[number]>('INSERT OR IGNORE INTO evidence_daily_dirty (day) VALUES (?)');
  for (const day of days) mark.run(day);
}

type DayRow = [...GroupKey, n: number, samples: string];
type EventRow = [...GroupKey, t: number, eventId: Buffer | string];

/**
 * Tracks `anyAction` and rebuilds every marked day, in IMMEDIATE transactions of at most a week
 * (dayBatches; a batch that holds most of the stored time is still read in one pass over the
 * table, see scanRows). Returns false when the database cannot be written (a read-only file):
 * callers then scan the events.
 *
 * A newly tracked action marks every stored day without deleting its rows: until a day is
 * rebuilt its rows still answer, in another process, a query for the actions tracked before.
 */
export function refreshEvidenceDays(db: Db, dict: Dictionary, anyAction: readonly string[]): boolean {
  const tracked = new Set(db.prepare<[], string>('SELECT action FROM evidence_tracked').pluck().all());
  const dirty = db.prepare<[], number>('SELECT count(*) FROM evidence_daily_dirty').pluck().get() ?? 0;
  const untracked = anyAction.filter((a) => !tracked.has(a));
  if (dirty === 0 && untracked.length === 0) return true;
  if (untracked.length > 0) {
    const widen = db.transaction(() => {
      const track = db.prepare<[string]>('INSERT OR IGNORE INTO evidence_tracked (action) VALUES (?)');
      let widened = false;
      for (const a of untracked) widened = track.run(a).changes > 0 || widened;
      if (widened) db.prepare(`INSERT OR IGNORE INTO evidence_daily_dirty (day) SELECT DISTINCT CAST(t / ${DAY_MS} AS INTEGER) FROM events`).run();
    });
    if (!immediateUnlessReadOnly(() => widen.immediate())) return false;
  }
  const marked = db.prepare<[number, number], number>('SELECT day FROM evidence_daily_dirty WHERE day BETWEEN ? AND ? ORDER BY day').pluck();
  const clear = db.prepare<[number, number]>('DELETE FROM evidence_daily WHERE day BETWEEN ? AND ?');
  const done = db.prepare<[number, number]>('DELETE FROM evidence_daily_dirty WHERE day BETWEEN ? AND ?');
  const rebuild = db.transaction((lo: number, hi: number) => {
    const all = db.prepare<[], string>('SELECT action FROM evidence_tracked').pluck().all();
    // re-read inside the transaction: another process may have rebuilt some days meanwhile
    for (const [from, to] of runsOf(marked.all(lo, hi))) {
      clear.run(from, to);
      writeDays(db, dict, all, from, to);
      done.run(from, to);
    }
  });
  // Days marked later are left to the next refresh: a busy writer cannot keep this loop going.
  const days = db.prepare<[], number>('SELECT day FROM evidence_daily_dirty ORDER BY day').pluck().all();
  for (const batch of dayBatches(days)) {
    if (!immediateUnlessReadOnly(() => rebuild.immediate(batch[0]!, batch[batch.length - 1]!))) return false;
  }
  return true;
}

/** Folds the days lo..hi (inclusive) from their events and writes their summary rows. */
function writeDays(db: Db, dict: Dictionary, tracked: readonly string[], lo: number, hi: number): void {
  const where = eventsWhere(dict, { since: new Date(lo * DAY_MS).toISOString(), until: new Date((hi + 1) * DAY_MS).toISOString(), anyAction: [...tracked] });
  if (!where) return;
  const byDay = new Map<number, EvidenceFolds>();
  let folds: EvidenceFolds | undefined;
  let current = NaN;
  for (const row of scanRows(db, where, (hi + 1 - lo) * DAY_MS)) {
    const day = dayOf(row[6]);
    if (day !== current) {
      current = day;
      folds = byDay.get(day);
      if (!folds) byDay.set(day, (folds = new EvidenceFolds(EVIDENCE_SAMPLES)));
    }
    const key = row.slice(0, 6) as GroupKey;
    folds!.add(keyId(key), key, [row[6], row[7]]);
  }
  const put = db.prepare('INSERT INTO evidence_daily (day, principal, p_account, api, actions, resources, error, n, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [day, dayFolds] of byDay) {
    for (const f of dayFolds.folds.values()) put.run(day, ...f.key, f.count, encodeSamples(keptSamples(f)));
  }
}

/**
 * The matching event rows of a time range: in table order when the range holds most of the
 * stored time (through the (t, event_id) index every row is a lookup by rowid: at 5 M events,
 * 3.2 s of CPU instead of 0.5 s), through the index otherwise.
 */
export function scanRows(db: Db, where: { clauses: string[]; params: (string | number)[] }, span: number): IterableIterator<EventRow> {
  const [oldest, newest] = storedSpan(db);
  const stored = oldest === null || newest === null ? 0 : newest + 1 - oldest;
  const scan = span * 2 >= stored ? 'NOT INDEXED' : '';
  return db
    .prepare<(string | number)[], EventRow>(`SELECT principal, p_account, api, actions, resources, error, t, event_id FROM events ${scan} WHERE ${where.clauses.join(' AND ')}`)
    .raw()
    .iterate(...where.params);
}

/** The oldest and newest stored event times (ms); two subqueries, so that each is one index seek (min and max together scan). */
export function storedSpan(db: Db): [oldest: number | null, newest: number | null] {
  return db.prepare<[], [number | null, number | null]>('SELECT (SELECT min(t) FROM events), (SELECT max(t) FROM events)').raw().get() ?? [null, null];
}

/** Adds the summary rows of days lo..hi whose actions include one of `wanted` (action ids). */
export function absorbDays(db: Db, dict: Dictionary, lo: number, hi: number, wanted: ReadonlySet<number>, folds: EvidenceFolds): void {
  if (lo > hi) return;
  const matches = new Map<number | null, boolean>();
  const rows = db
    .prepare<[number, number], DayRow>('SELECT principal, p_account, api, actions, resources, error, n, samples FROM evidence_daily WHERE day BETWEEN ? AND ?')
    .raw()
    .iterate(lo, hi);
  for (const row of rows) {
    const actions = row[3];
    let match = matches.get(actions);
    if (match === undefined) matches.set(actions, (match = dict.members(actions).some((id) => wanted.has(id))));
    if (!match) continue;
    const key = row.slice(0, 6) as GroupKey;
    folds.absorb(keyId(key), key, row[6], decodeSamples(row[7]));
  }
}

/** Consecutive days as [first, last] runs. */
function runsOf(days: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const d of days) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}

/** [t, "u" + hex of a UUID blob | "s" + text id, ...] */
function encodeSamples(rows: readonly SampleRow[]): string {
  return JSON.stringify(rows.flatMap(([t, id]) => [t, typeof id === 'string' ? `s${id}` : `u${id.toString('hex')}`]));
}

function decodeSamples(text: string): SampleRow[] {
  const flat = JSON.parse(text) as (number | string)[];
  const rows: SampleRow[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const id = flat[i + 1] as string;
    rows.push([flat[i] as number, id[0] === 's' ? id.slice(1) : Buffer.from(id.slice(1), 'hex')]);
  }
  return rows;
}
