import type { UsageQuery, UsageRow } from '../types.js';
import { HOUR_MS, msToTime, timeToMs } from '../encode/time.js';
import type { Pool, Queryable } from './database.js';
import { HOURS_PER_DAY, markUsageHours, refreshDailyUsage } from './usage-daily.js';
import { fromPgText, toPgText } from './database.js';

/** An inserted event as usage sees it; strings as stored (toPgText). */
export interface UsageEvent {
  eid: string;
  t: number;
  principal: string | null;
  session: string | null;
  ok: boolean;
  actions: readonly string[];
}

const SESSIONS_PER_BUCKET = 8;
const SAMPLES_PER_ROW = 3;
const SESSIONS_PER_ROW = 20;
/** The action of events that mapped to no IAM action (activity without a permission). */
const NO_ACTION = '';

interface Bucket {
  hour: number;
  principal: string;
  action: string;
  ok: boolean;
  n: number;
  first: number;
  last: number;
  sample: string;
  sessions: string[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Folds inserted events into hourly buckets and adds them to usage_hourly with one upsert that
 * adds to what is stored (count, first/last, the newer sample, sessions up to 8): correct however
 * many workers commit at once. Rows are sent in key order so concurrent commits lock in one order.
 */
export async function addUsage(db: Queryable, events: readonly UsageEvent[]): Promise<void> {
  const buckets = new Map<string, Bucket>();
  for (const e of events) {
    if (e.principal === null) continue;
    const hour = Math.floor(e.t / HOUR_MS);
    const actions = e.actions.length ? new Set(e.actions) : [NO_ACTION];
    for (const action of actions) {
      const k = `${hour}\u0000${e.principal}\u0000${action}\u0000${e.ok}`;
      let b = buckets.get(k);
      if (!b) buckets.set(k, (b = { hour, principal: e.principal, action, ok: e.ok, n: 0, first: e.t, last: e.t, sample: e.eid, sessions: [] }));
      b.n++;
      if (e.t < b.first) b.first = e.t;
      if (e.t >= b.last) {
        b.last = e.t;
        b.sample = e.eid;
      }
      if (e.session !== null && b.sessions.length < SESSIONS_PER_BUCKET && !b.sessions.includes(e.session)) b.sessions.push(e.session);
    }
  }
  if (buckets.size === 0) return;
  const list = [...buckets.values()].sort((a, b) => a.hour - b.hour || cmp(a.principal, b.principal) || cmp(a.action, b.action) || Number(a.ok) - Number(b.ok));
  await db.query(
    `INSERT INTO usage_hourly AS u (hour, principal, action, ok, n, first_ms, last_ms, sample, sessions)
     SELECT hour, principal, action, ok, n, first_ms, last_ms, sample, sessions::jsonb
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[])
       AS b(hour, principal, action, ok, n, first_ms, last_ms, sample, sessions)
     ON CONFLICT (hour, principal, action, ok) DO UPDATE SET
       n = u.n + excluded.n,
       first_ms = least(u.first_ms, excluded.first_ms),
       last_ms = greatest(u.last_ms, excluded.last_ms),
       sample = CASE WHEN excluded.last_ms >= u.last_ms THEN excluded.sample ELSE u.sample END,
       sessions = CASE WHEN jsonb_array_length(u.sessions) >= ${SESSIONS_PER_BUCKET} THEN u.sessions ELSE (
         SELECT coalesce(jsonb_agg(s ORDER BY o), '[]'::jsonb) FROM (
           SELECT s, min(o) AS o FROM jsonb_array_elements_text(u.sessions || excluded.sessions) WITH ORDINALITY AS x(s, o)
           GROUP BY s ORDER BY min(o) LIMIT ${SESSIONS_PER_BUCKET}) AS merged) END`,
    [
      list.map((b) => b.hour),
      list.map((b) => b.principal),
      list.map((b) => b.action),
      list.map((b) => b.ok),
      list.map((b) => b.n),
      list.map((b) => b.first),
      list.map((b) => b.last),
      list.map((b) => b.sample),
      list.map((b) => JSON.stringify(b.sessions)),
    ],
  );
  await markUsageHours(db, [...new Set(list.map((b) => b.hour))]);
}

interface Group {
  principal: string;
  action: string;
  resource: string | null;
  ok: boolean;
  n: number;
  first: number;
  last: number;
  /** Up to SAMPLES_PER_ROW [time, eventID], newest first. */
  samples: [number, string][];
  sessions: Set<string> | null;
}

interface Filter {
  sql: string[];
  params: unknown[];
}

/** Principal filter over a `principal` column, numbering parameters from $1. */
function principalFilter(q: { principalArn?: string; principalAccountId?: string }): Filter {
  const f: Filter = { sql: [], params: [] };
  if (q.principalArn !== undefined) {
    f.params.push(toPgText(q.principalArn));
    f.sql.push(`principal = $${f.params.length}`);
  }
  if (q.principalAccountId !== undefined) {
    f.params.push(toPgText(q.principalAccountId));
    f.sql.push(`principal IN (SELECT principal FROM principals WHERE account = $${f.params.length})`);
  }
  return f;
}

function withBounds(f: Filter, column: string, from: number, to: number): Filter {
  const out: Filter = { sql: [...f.sql], params: [...f.params] };
  if (Number.isFinite(from)) {
    out.params.push(from);
    out.sql.push(`${column} >= $${out.params.length}`);
  }
  if (Number.isFinite(to)) {
    out.params.push(to);
    out.sql.push(`${column} < $${out.params.length}`);
  }
  return out;
}

interface ScannedEvent {
  principal: string;
  action: string;
  resource: string | null;
  ok: boolean;
  t: number;
  eid: string;
  session: string | null;
}

/** Folds event rows with t in [from, to) (resources split when byResource). */
async function scanEvents(db: Queryable, from: number, to: number, filter: Filter, byResource: boolean, fold: (e: ScannedEvent) => void): Promise<void> {
  if (from >= to) return;
  const f = withBounds(filter, 't', from, to);
  const { rows } = await db.query<{ eid: string; t: number; principal: string; session: string | null; error: string | null; actions: string[]; resources: string[] | null }>(
    `SELECT event_id AS eid, t, principal, session, error, actions${byResource ? ', resources' : ''} FROM events WHERE ${['principal IS NOT NULL', ...f.sql].join(' AND ')}`,
    f.params,
  );
  for (const r of rows) {
    const ok = r.error === null;
    const actions = r.actions.length ? [...new Set(r.actions)] : [NO_ACTION];
    const resources: (string | null)[] = byResource && r.resources ? [...new Set(r.resources)] : [null];
    for (const action of actions) for (const resource of resources) fold({ principal: r.principal, action, resource, ok, t: r.t, eid: r.eid, session: r.session });
  }
}

/**
 * Usage over [since, until): whole hours from usage_hourly (folded in SQL), the partial hours at
 * either edge from the event rows, so windows are exact to the millisecond. byResource reads
 * event rows (meant for one principal at a time).
 */
export async function queryUsage(db: Pool, q: UsageQuery): Promise<UsageRow[]> {
  const filter = principalFilter(q);
  const since = q.since === undefined ? -Infinity : timeToMs(q.since);
  const until = q.until === undefined ? Infinity : timeToMs(q.until);
  const groups = new Map<string, Group>();
  const group = (principal: string, action: string, resource: string | null, ok: boolean): Group => {
    const key = JSON.stringify([principal, action, resource, ok]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { principal, action, resource, ok, n: 0, first: Infinity, last: -Infinity, samples: [], sessions: null }));
    return g;
  };
  const addSample = (g: Group, t: number, eid: string) => {
    const list = g.samples;
    if (list.length === SAMPLES_PER_ROW) {
      if (t <= list[SAMPLES_PER_ROW - 1]![0]) return;
      list.pop();
    }
    let at = list.length;
    while (at > 0 && list[at - 1]![0] < t) at--;
    list.splice(at, 0, [t, eid]);
  };
  const addSession = (g: Group, s: string) => {
    g.sessions ??= new Set();
    if (g.sessions.size < SESSIONS_PER_ROW) g.sessions.add(s);
  };
  const foldEvent = (e: ScannedEvent) => {
    if (e.action === NO_ACTION) return;
    const g = group(e.principal, e.action, e.resource, e.ok);
    g.n++;
    if (e.t < g.first) g.first = e.t;
    if (e.t > g.last) g.last = e.t;
    addSample(g, e.t, e.eid);
    if (e.session !== null) addSession(g, e.session);
  };

  if (q.byResource) {
    await scanEvents(db, since, until, filter, true, foldEvent);
  } else {
    const lo = Number.isFinite(since) ? Math.ceil(since / HOUR_MS) : -Infinity;
    const hi = Number.isFinite(until) ? Math.floor(until / HOUR_MS) : Infinity;
    if (lo < hi) {
      const foldHours = async (from: number, to: number) => {
        if (from >= to) return;
        const f = withBounds(filter, 'hour', from, to);
        const where = [`action <> ''`, ...f.sql].join(' AND ');
        const totals = await db.query<{ principal: string; action: string; ok: boolean; n: number; first: number; last: number; sessions: string[][] }>(
          `SELECT principal, action, ok, sum(n) AS n, min(first_ms) AS first, max(last_ms) AS last, jsonb_agg(sessions ORDER BY hour) AS sessions
           FROM usage_hourly WHERE ${where} GROUP BY principal, action, ok`,
          f.params,
        );
        for (const r of totals.rows) {
          const g = group(r.principal, r.action, null, r.ok);
          g.n += r.n;
          if (r.first < g.first) g.first = r.first;
          if (r.last > g.last) g.last = r.last;
          for (const list of r.sessions) for (const s of list) addSession(g, s);
        }
        const newest = await db.query<{ principal: string; action: string; ok: boolean; last_ms: number; sample: string }>(
          `SELECT principal, action, ok, last_ms, sample FROM (
             SELECT principal, action, ok, last_ms, sample,
               row_number() OVER (PARTITION BY principal, action, ok ORDER BY last_ms DESC) AS rank
             FROM usage_hourly WHERE ${where}) AS b WHERE rank <= ${SAMPLES_PER_ROW}`,
          f.params,
        );
        for (const r of newest.rows) addSample(group(r.principal, r.action, null, r.ok), r.last_ms, r.sample);
      };
      const dayLo = Math.ceil(lo / HOURS_PER_DAY);
      const dayHi = Math.floor(hi / HOURS_PER_DAY);
      // sessions are kept first-come up to a limit: fold in time order (head hours, days, tail hours)
      if (dayLo < dayHi) {
        await refreshDailyUsage(db);
        await foldHours(lo, dayLo * HOURS_PER_DAY);
        const f = withBounds(filter, 'day', dayLo, dayHi);
        const days = await db.query<{ principal: string; action: string; ok: boolean; n: number; first: number; last: number; sessions: string[][]; samples: [number, string][][] }>(
          `SELECT principal, action, ok, sum(n) AS n, min(first_ms) AS first, max(last_ms) AS last, jsonb_agg(sessions ORDER BY day) AS sessions,
             to_jsonb((array_agg(samples ORDER BY day DESC))[1:${SAMPLES_PER_ROW}]) AS samples
           FROM usage_daily WHERE ${[`action <> ''`, ...f.sql].join(' AND ')} GROUP BY principal, action, ok`,
          f.params,
        );
        // Each day holds its newest samples (at least one), so the newest SAMPLES_PER_ROW of the
        // window are among its newest SAMPLES_PER_ROW days: only those days' samples are shipped.
        for (const r of days.rows) {
          const g = group(r.principal, r.action, null, r.ok);
          g.n += r.n;
          if (r.first < g.first) g.first = r.first;
          if (r.last > g.last) g.last = r.last;
          for (const list of r.sessions) for (const s of list) addSession(g, s);
          for (const list of r.samples) for (const [t, eid] of list) addSample(g, t, eid);
        }
        await foldHours(dayHi * HOURS_PER_DAY, hi);
      } else {
        await foldHours(lo, hi);
      }
      await scanEvents(db, since, lo * HOUR_MS, filter, false, foldEvent);
      await scanEvents(db, hi * HOUR_MS, until, filter, false, foldEvent);
    } else {
      await scanEvents(db, since, until, filter, false, foldEvent);
    }
  }

  const all = [...groups.values()];
  const accounts = await principalInfo(db, [...new Set(all.map((g) => g.principal))]);
  const rows: UsageRow[] = all.map((g) => ({
    principalArn: fromPgText(g.principal),
    principalAccountId: fromPgText(accounts.get(g.principal)?.account ?? null),
    action: fromPgText(g.action),
    resource: fromPgText(g.resource),
    success: g.ok,
    count: g.n,
    firstSeen: msToTime(g.first),
    lastSeen: msToTime(g.last),
    sampleEventIds: g.samples.map((s) => fromPgText(s[1])),
    sessionNames: g.sessions ? [...g.sessions].map((s) => fromPgText(s)).sort() : [],
  }));
  rows.sort((a, b) => cmp(a.principalArn, b.principalArn) || cmp(a.action, b.action) || cmp(a.resource ?? '', b.resource ?? '') || Number(b.success) - Number(a.success));
  return rows;
}

async function principalInfo(db: Queryable, principals: string[]): Promise<Map<string, { account: string | null; itype: string | null }>> {
  if (principals.length === 0) return new Map();
  const { rows } = await db.query<{ principal: string; account: string | null; itype: string | null }>(
    'SELECT principal, account, itype FROM principals WHERE principal = ANY($1::text[])',
    [principals],
  );
  return new Map(rows.map((r) => [r.principal, { account: r.account, itype: r.itype }]));
}

/** Principals with their first activity and last successful activity (buckets, then the edge hour from events). */
export async function queryPrincipals(
  db: Pool,
  q: { until?: string; principalAccountId?: string },
): Promise<{ principalArn: string; principalAccountId: string | null; identityType: string | null; firstSeen: string; lastSeen: string | null }[]> {
  const filter = principalFilter(q);
  const until = q.until === undefined ? Infinity : timeToMs(q.until);
  const hi = Number.isFinite(until) ? Math.floor(until / HOUR_MS) : Infinity;
  const seen = new Map<string, { first: number; lastOk: number | null }>();
  const fold = (p: string, first: number, lastOk: number | null) => {
    const s = seen.get(p);
    if (!s) seen.set(p, { first, lastOk });
    else {
      if (first < s.first) s.first = first;
      if (lastOk !== null && (s.lastOk === null || lastOk > s.lastOk)) s.lastOk = lastOk;
    }
  };
  const foldRows = async (table: 'usage_hourly' | 'usage_daily', f: Filter) => {
    const { rows } = await db.query<{ principal: string; first: number; last_ok: number | null }>(
      `SELECT principal, min(first_ms) AS first, max(CASE WHEN ok THEN last_ms END) AS last_ok
       FROM ${table}${f.sql.length ? ` WHERE ${f.sql.join(' AND ')}` : ''} GROUP BY principal`,
      f.params,
    );
    for (const r of rows) fold(r.principal, r.first, r.last_ok);
  };
  // whole days before hi from the daily rollup, the hours after them from the buckets
  await refreshDailyUsage(db);
  const dayHi = Math.floor(hi / HOURS_PER_DAY);
  await foldRows('usage_daily', withBounds(filter, 'day', -Infinity, dayHi));
  if (dayHi * HOURS_PER_DAY < hi) await foldRows('usage_hourly', withBounds(filter, 'hour', dayHi * HOURS_PER_DAY, hi));
  if (Number.isFinite(hi)) await scanEvents(db, hi * HOUR_MS, until, filter, false, (e) => fold(e.principal, e.t, e.ok ? e.t : null));
  const info = await principalInfo(db, [...seen.keys()]);
  const out = [...seen].map(([p, s]) => ({
    principalArn: fromPgText(p),
    principalAccountId: fromPgText(info.get(p)?.account ?? null),
    identityType: fromPgText(info.get(p)?.itype ?? null),
    firstSeen: msToTime(s.first),
    lastSeen: s.lastOk === null ? null : msToTime(s.lastOk),
  }));
  out.sort((a, b) => cmp(a.principalArn, b.principalArn));
  return out;
}
