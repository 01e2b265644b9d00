/**
 * The principals seen in the usage aggregates up to a time (SqliteUsage.principals): first seen
 * and last successful call, from the daily rollup for whole days, the hourly buckets after them,
 * and the events of the last partial hour.
 */
import type { Database as Db } from 'better-sqlite3';
import type { Dictionary } from './dictionary.js';
import { HOUR_MS, msToTime, timeToMs } from '../encode/time.js';
import { HOURS_PER_DAY, refreshDailyUsage } from './usage-daily.js';

export interface PrincipalSeen {
  principalArn: string;
  principalAccountId: string | null;
  identityType: string | null;
  firstSeen: string;
  lastSeen: string | null;
}

/** Folds the events of [from, to) ms of the filtered principals (the aggregator's event scan). */
export type ScanEvents = (from: number, to: number, fold: (e: { principal: number; first: number; ok: number | boolean }) => void) => void;

export function principalsSeen(
  db: Db,
  dict: Dictionary,
  filter: { sql: string[]; params: number[] } | null,
  untilTime: string | undefined,
  scanEvents: ScanEvents,
): PrincipalSeen[] {
  if (!filter) return [];
  const until = untilTime === undefined ? Infinity : timeToMs(untilTime);
  const hi = Number.isFinite(until) ? Math.floor(until / HOUR_MS) : Infinity;
  const seen = new Map<number, { first: number; lastOk: number | null }>();
  const fold = (p: number, first: number, lastOk: number | null) => {
    const s = seen.get(p);
    if (!s) seen.set(p, { first, lastOk });
    else {
      if (first < s.first) s.first = first;
      if (lastOk !== null && (s.lastOk === null || lastOk > s.lastOk)) s.lastOk = lastOk;
    }
  };
  const foldHours = (from: number, to: number) => {
    if (from >= to) return;
    const where = [...filter.sql];
    const params = [...filter.params];
    if (Number.isFinite(from)) {
      where.push('hour >= ?');
      params.push(from);
    }
    if (Number.isFinite(to)) {
      where.push('hour < ?');
      params.push(to);
    }
    const rows = db
      .prepare<number[], { principal: number; first: number; last_ok: number | null }>(
        `SELECT principal, min(first_ms) AS first, max(CASE WHEN ok = 1 THEN last_ms END) AS last_ok
         FROM usage_hourly${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY principal`,
      )
      .all(...params);
    for (const r of rows) fold(r.principal, r.first, r.last_ok);
  };
  // whole days before hi from the daily rollup, the hours after them from the buckets
  const dayHi = Math.floor(hi / HOURS_PER_DAY);
  if (refreshDailyUsage(db)) {
    const where = [...filter.sql];
    const params = [...filter.params];
    if (Number.isFinite(dayHi)) {
      where.push('day < ?');
      params.push(dayHi);
    }
    const rows = db
      .prepare<number[], { principal: number; first: number; last_ok: number | null }>(
        `SELECT principal, min(first_ms) AS first, max(CASE WHEN ok = 1 THEN last_ms END) AS last_ok
         FROM usage_daily${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY principal`,
      )
      .all(...params);
    for (const r of rows) fold(r.principal, r.first, r.last_ok);
    foldHours(dayHi * HOURS_PER_DAY, hi);
  } else {
    foldHours(-Infinity, hi);
  }
  if (Number.isFinite(hi)) {
    scanEvents(hi * HOUR_MS, until, (e) => fold(e.principal, e.first, e.ok ? e.first : null));
  }
  const info = db.prepare<[number], { account: number | null; itype: number | null }>('SELECT account, itype FROM principals WHERE principal = ?');
  const out = [...seen].map(([p, s]) => {
    const i = info.get(p);
    return {
      principalArn: dict.value(p),
      principalAccountId: dict.valueNullable(i?.account ?? null),
      identityType: dict.valueNullable(i?.itype ?? null),
      firstSeen: msToTime(s.first),
      lastSeen: s.lastOk === null ? null : msToTime(s.lastOk),
    };
  });
  out.sort((a, b) => cmp(a.principalArn, b.principalArn));
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
