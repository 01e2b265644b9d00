import type { Database as Db, Statement } from 'better-sqlite3';
import type { UsageQuery, UsageRow } from '../types.js';
import type { Dictionary } from './dictionary.js';
import { decodeEventId, decodeResources } from './codec.js';
import { HOUR_MS, msToTime, timeToMs } from '../encode/time.js';
import { dailyTotals, HOURS_PER_DAY, refreshDailyUsage } from './usage-daily.js';
import { principalsSeen, type PrincipalSeen } from './usage-principals.js';

/** What the aggregator needs of one inserted event row. */
export interface EventRowForUsage {
  id: number;
  /** The stored (encoded) eventID, kept in the bucket as evidence. */
  eid: Buffer | string;
  t: number;
  principal: number | null;
  session: number | null;
  error: number | null;
  actions: number | null;
}

const SESSIONS_PER_BUCKET = 8;
const SAMPLES_PER_ROW = 3;
const SESSIONS_PER_ROW = 20;
/** The action id of events that mapped to no IAM action (activity without a permission). */
const NO_ACTION = 0;

interface Bucket {
  principal: number;
  action: number;
  hour: number;
  ok: number;
  n: number;
  first: number;
  last: number;
  /** Stored eventID of the latest event (evidence). */
  sample: Buffer | string;
  sessions: number[];
}

interface AggRow {
  principal: number;
  action: number;
  hour: number;
  ok: number;
  n: number;
  first_ms: number;
  last_ms: number;
  sample: Buffer | string;
  sessions: string;
}

/** One output row being assembled: samples are [time, stored eventID], newest kept. */
interface Group {
  principal: number;
  action: number;
  /** A resource ARN (byResource queries), or null. */
  resource: string | null;
  ok: number;
  n: number;
  first: number;
  last: number;
  /** Up to SAMPLES_PER_ROW [time, stored eventID], newest first. */
  samples: [number, Buffer | string][];
  sessions: Set<number> | null;
}

function ids(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}

/**
 * Usage aggregation. Writes: per commit, inserted events are folded into hourly buckets of
 * (principal, action, hour, success) in usage_hourly, in the same transaction. Reads: whole
 * hours inside [since, until) come from the buckets; the partial hours at either edge are
 * computed from the event rows, so windows are exact to the millisecond while a query over
 * millions of events reads only the buckets. byResource queries read event rows (they are
 * meant for one principal at a time).
 */
export class UsageAggregator {
  private readonly getBucket: Statement<[number, number, number, number], AggRow>;
  private readonly putBucket: Statement<[number, number, number, number, number, number, number, Buffer | string, string]>;
  private readonly addBucket: Statement<[number, number, number, number, number, number, number, Buffer | string, string]>;

  constructor(
    private readonly db: Db,
    private readonly dict: Dictionary,
  ) {
    this.getBucket = db.prepare('SELECT * FROM usage_hourly WHERE principal = ? AND action = ? AND hour = ? AND ok = ?');
    this.putBucket = db.prepare(
      `INSERT OR REPLACE INTO usage_hourly (principal, action, hour, ok, n, first_ms, last_ms, sample, sessions)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.addBucket = db.prepare(
      `INSERT INTO usage_hourly (principal, action, hour, ok, n, first_ms, last_ms, sample, sessions)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
  }

  /** Folds newly inserted events into the buckets. Call inside the insert's transaction. */
  add(rows: readonly EventRowForUsage[]): void {
    // Keyed by numbers, not strings: this runs for every inserted event.
    const buckets = new Map<number, Map<number, Map<number, Bucket>>>();
    const actionsOf = new Map<number | null, number[]>();
    for (const r of rows) {
      if (r.principal === null) continue;
      const hour = Math.floor(r.t / HOUR_MS);
      const ok = r.error === null ? 1 : 0;
      let actions = actionsOf.get(r.actions);
      if (!actions) {
        const members = distinct(this.dict.members(r.actions));
        actions = members.length ? members : [NO_ACTION];
        actionsOf.set(r.actions, actions);
      }
      let byPrincipal = buckets.get(hour * 2 + ok);
      if (!byPrincipal) buckets.set(hour * 2 + ok, (byPrincipal = new Map()));
      let byAction = byPrincipal.get(r.principal);
      if (!byAction) byPrincipal.set(r.principal, (byAction = new Map()));
      for (const action of actions) {
        let b = byAction.get(action);
        if (!b) {
          b = { principal: r.principal, action, hour, ok, n: 0, first: r.t, last: r.t, sample: r.eid, sessions: [] };
          byAction.set(action, b);
        }
        b.n++;
        if (r.t < b.first) b.first = r.t;
        if (r.t >= b.last) {
          b.last = r.t;
          b.sample = r.eid;
        }
        if (r.session !== null && b.sessions.length < SESSIONS_PER_BUCKET && !b.sessions.includes(r.session)) b.sessions.push(r.session);
      }
    }
    for (const byPrincipal of buckets.values()) for (const byAction of byPrincipal.values()) this.saveBuckets(byAction.values());
  }

  /**
   * Most buckets of a commit are new (the bench's 200,004 events of two accounts fill 133,703
   * hourly buckets), so each is first inserted as it is and merged with the stored one only when that
   * insert finds one: one statement rather than a read and a write for a new bucket. The merge
   * rewrites the row with INSERT OR REPLACE, whose insert trigger marks the day for the rollup.
   */
  private saveBuckets(buckets: Iterable<Bucket>): void {
    for (const b of buckets) {
      if (this.addBucket.run(b.principal, b.action, b.hour, b.ok, b.n, b.first, b.last, b.sample, b.sessions.join(',')).changes > 0) continue;
      const old = this.getBucket.get(b.principal, b.action, b.hour, b.ok);
      if (old) {
        b.n += old.n;
        b.first = Math.min(b.first, old.first_ms);
        if (old.last_ms > b.last) {
          b.last = old.last_ms;
          b.sample = old.sample;
        }
        const sessions = ids(old.sessions);
        for (const s of b.sessions) if (sessions.length < SESSIONS_PER_BUCKET && !sessions.includes(s)) sessions.push(s);
        b.sessions = sessions;
      }
      this.putBucket.run(b.principal, b.action, b.hour, b.ok, b.n, b.first, b.last, b.sample, b.sessions.join(','));
    }
  }

  /** Principal filter as SQL over a `principal` column; null when the filter matches nothing. */
  private principalFilter(q: { principalArn?: string; principalAccountId?: string }): { sql: string[]; params: number[] } | null {
    const sql: string[] = [];
    const params: number[] = [];
    if (q.principalArn !== undefined) {
      const id = this.dict.lookup(q.principalArn);
      if (id === undefined) return null;
      sql.push('principal = ?');
      params.push(id);
    }
    if (q.principalAccountId !== undefined) {
      const id = this.dict.lookup(q.principalAccountId);
      if (id === undefined) return null;
      sql.push('principal IN (SELECT principal FROM principals WHERE account = ?)');
      params.push(id);
    }
    return { sql, params };
  }

  /** Folds event rows with t in [from, to) into groups (resources split when byResource). */
  private scanEvents(
    from: number,
    to: number,
    filter: { sql: string[]; params: number[] },
    byResource: boolean,
    fold: (g: Omit<Group, 'samples' | 'sessions' | 'n'> & { eid: Buffer | string; session: number | null }) => void,
  ): void {
    if (from >= to) return;
    const where = ['principal IS NOT NULL', ...filter.sql];
    const params: number[] = [...filter.params];
    if (Number.isFinite(from)) {
      where.push('t >= ?');
      params.push(from);
    }
    if (Number.isFinite(to)) {
      where.push('t < ?');
      params.push(to);
    }
    const stmt = this.db.prepare<number[], { eid: Buffer | string; t: number; principal: number; session: number | null; error: number | null; actions: number | null; resources: string | null }>(
      `SELECT event_id AS eid, t, principal, session, error, actions, resources FROM events WHERE ${where.join(' AND ')}`,
    );
    for (const r of stmt.iterate(...params)) {
      const ok = r.error === null ? 1 : 0;
      const actions = distinct(this.dict.members(r.actions));
      const resources: (string | null)[] = byResource && r.resources !== null ? distinct(decodeResources(r.resources)) : [null];
      for (const action of actions.length ? actions : [NO_ACTION]) {
        for (const resource of resources) {
          fold({ principal: r.principal, action, resource, ok, first: r.t, last: r.t, eid: r.eid, session: r.session });
        }
      }
    }
  }

  query(q: UsageQuery): UsageRow[] {
    const filter = this.principalFilter(q);
    if (!filter) return [];
    const since = q.since === undefined ? -Infinity : timeToMs(q.since);
    const until = q.until === undefined ? Infinity : timeToMs(q.until);
    const groups = new Map<string, Group>();
    const group = (principal: number, action: number, resource: string | null, ok: number): Group => {
      // the ARN last, where any comma in it cannot shift the other fields
      const key = `${principal},${action},${ok},${resource === null ? '' : `=${resource}`}`;
      let g = groups.get(key);
      if (!g) {
        g = { principal, action, resource, ok, n: 0, first: Infinity, last: -Infinity, samples: [], sessions: null };
        groups.set(key, g);
      }
      return g;
    };
    const addSample = (g: Group, t: number, eid: Buffer | string) => {
      const list = g.samples;
      if (list.length === SAMPLES_PER_ROW) {
        if (t <= list[SAMPLES_PER_ROW - 1]![0]) return;
        list.pop();
      }
      let at = list.length;
      while (at > 0 && list[at - 1]![0] < t) at--;
      list.splice(at, 0, [t, eid]);
    };
    const addSession = (g: Group, s: number) => {
      g.sessions ??= new Set();
      if (g.sessions.size < SESSIONS_PER_ROW) g.sessions.add(s);
    };
    const foldEvent = (e: { principal: number; action: number; resource: string | null; ok: number; first: number; eid: Buffer | string; session: number | null }) => {
      if (e.action === NO_ACTION) return;
      const g = group(e.principal, e.action, e.resource, e.ok);
      g.n++;
      if (e.first < g.first) g.first = e.first;
      if (e.first > g.last) g.last = e.first;
      addSample(g, e.first, e.eid);
      if (e.session !== null) addSession(g, e.session);
    };

    if (q.byResource) {
      this.scanEvents(since, until, filter, true, foldEvent);
    } else {
      // Whole hours [lo, hi) come from the buckets, whole days of them from the daily rollup;
      // the rest from event rows.
      const lo = Number.isFinite(since) ? Math.ceil(since / HOUR_MS) : -Infinity;
      const hi = Number.isFinite(until) ? Math.floor(until / HOUR_MS) : Infinity;
      if (lo < hi) {
        const foldHours = (from: number, to: number) => {
          if (from >= to) return;
          const where = [`action != ${NO_ACTION}`, ...filter.sql];
          const params: number[] = [...filter.params];
          if (Number.isFinite(from)) {
            where.push('hour >= ?');
            params.push(from);
          }
          if (Number.isFinite(to)) {
            where.push('hour < ?');
            params.push(to);
          }
          // Folded in SQL (one row per group instead of one per bucket-hour): the totals and the
          // sessions in bucket order, then each group's newest buckets for the sample event ids.
          const bucketWhere = where.join(' AND ');
          const totals = this.db
            .prepare<number[], [number, number, number, number, number, number, string | null]>(
              `SELECT principal, action, ok, sum(n), min(first_ms), max(last_ms), group_concat(nullif(sessions, ''), ',' ORDER BY hour)
               FROM usage_hourly WHERE ${bucketWhere} GROUP BY principal, action, ok`,
            )
            .raw();
          for (const [principal, action, ok, n, first, last, sessions] of totals.iterate(...params)) {
            const g = group(principal, action, null, ok);
            g.n += n;
            if (first < g.first) g.first = first;
            if (last > g.last) g.last = last;
            if (sessions && (g.sessions?.size ?? 0) < SESSIONS_PER_ROW) for (const s of ids(sessions)) addSession(g, s);
          }
          const newest = this.db
            .prepare<number[], [number, number, number, number, Buffer | string]>(
              `SELECT principal, action, ok, last_ms, sample FROM (
                 SELECT principal, action, ok, last_ms, sample,
                   row_number() OVER (PARTITION BY principal, action, ok ORDER BY last_ms DESC) AS rank
                 FROM usage_hourly WHERE ${bucketWhere}) WHERE rank <= ${SAMPLES_PER_ROW}`,
            )
            .raw();
          for (const [principal, action, ok, last, sample] of newest.iterate(...params)) addSample(group(principal, action, null, ok), last, sample);
        };
        const dayLo = Math.ceil(lo / HOURS_PER_DAY);
        const dayHi = Math.floor(hi / HOURS_PER_DAY);
        // sessions are kept first-come up to a limit: fold in time order (head hours, days, tail hours)
        if (dayLo < dayHi && refreshDailyUsage(this.db)) {
          foldHours(lo, dayLo * HOURS_PER_DAY);
          const days = dailyTotals(this.db, dayLo, dayHi, filter);
          for (const d of days.totals()) {
            const g = group(d.principal, d.action, null, d.ok);
            g.n += d.n;
            if (d.first_ms < g.first) g.first = d.first_ms;
            if (d.last_ms > g.last) g.last = d.last_ms;
            if (d.sessions && (g.sessions?.size ?? 0) < SESSIONS_PER_ROW) for (const s of ids(d.sessions)) addSession(g, s);
          }
          for (const d of days.newest()) {
            const g = group(d.principal, d.action, null, d.ok);
            addSample(g, d.s1_ms, d.s1);
            if (d.s2 !== null) addSample(g, d.s2_ms!, d.s2);
            if (d.s3 !== null) addSample(g, d.s3_ms!, d.s3);
          }
          foldHours(dayHi * HOURS_PER_DAY, hi);
        } else {
          foldHours(lo, hi);
        }
        this.scanEvents(since, lo * HOUR_MS, filter, false, foldEvent);
        this.scanEvents(hi * HOUR_MS, until, filter, false, foldEvent);
      } else {
        this.scanEvents(since, until, filter, false, foldEvent);
      }
    }

    const all = [...groups.values()];
    const accounts = this.accountsOf(new Set(all.map((g) => g.principal)));
    const d = this.dict;
    const rows: UsageRow[] = all.map((g) => ({
      principalArn: d.value(g.principal),
      principalAccountId: accounts.get(g.principal) ?? null,
      action: d.value(g.action),
      resource: g.resource,
      success: g.ok === 1,
      count: g.n,
      firstSeen: msToTime(g.first),
      lastSeen: msToTime(g.last),
      sampleEventIds: g.samples.map((s) => decodeEventId(s[1])),
      sessionNames: g.sessions ? [...g.sessions].map((s) => d.value(s)).sort() : [],
    }));
    rows.sort(
      (a, b) =>
        cmp(a.principalArn, b.principalArn) ||
        cmp(a.action, b.action) ||
        cmp(a.resource ?? '', b.resource ?? '') ||
        Number(b.success) - Number(a.success),
    );
    return rows;
  }

  private accountsOf(principals: Set<number>): Map<number, string | null> {
    const stmt = this.db.prepare<[number], { account: number | null }>('SELECT account FROM principals WHERE principal = ?');
    const out = new Map<number, string | null>();
    for (const p of principals) out.set(p, this.dict.valueNullable(stmt.get(p)?.account ?? null));
    return out;
  }

  principals(q: { until?: string; principalAccountId?: string }): PrincipalSeen[] {
    const filter = this.principalFilter(q);
    return principalsSeen(this.db, this.dict, filter, q.until, (from, to, fold) => this.scanEvents(from, to, filter!, false, fold));
  }
}

function distinct<T>(ids: T[]): T[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
