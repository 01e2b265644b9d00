import type { EventQuery } from '../types.js';
import type { Dictionary } from './dictionary.js';
import { timeToMs } from '../encode/time.js';

/** Clauses on the `t` column (milliseconds) for an ISO window [since, until), to extend. */
export function timeWindowWhere(q: { since?: string; until?: string }): { clauses: string[]; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (q.since !== undefined) {
    clauses.push('t >= ?');
    params.push(timeToMs(q.since));
  }
  if (q.until !== undefined) {
    clauses.push('t < ?');
    params.push(timeToMs(q.until));
  }
  return { clauses, params };
}

/** WHERE clause and parameters for a query; null when a filter names something never stored. */
export function eventsWhere(dict: Dictionary, q: EventQuery): { clauses: string[]; params: (string | number)[] } | null {
  const { clauses, params } = timeWindowWhere(q);
  if (q.recipientAccountId !== undefined) {
    const id = dict.lookup(q.recipientAccountId);
    if (id === undefined) return null;
    clauses.push('account = ?');
    params.push(id);
  }
  if (q.principalArn !== undefined) {
    const id = dict.lookup(q.principalArn);
    if (id === undefined) return null;
    clauses.push('principal = ?');
    params.push(id);
  }
  if (q.action !== undefined) {
    const id = dict.lookup(q.action);
    if (id === undefined) return null;
    clauses.push('actions IN (SELECT set_id FROM id_set_members WHERE member = ?)');
    params.push(id);
  }
  if (q.anyAction !== undefined) {
    const ids = [...new Set(q.anyAction)].map((a) => dict.lookup(a)).filter((id): id is number => id !== undefined);
    if (ids.length === 0) return null;
    clauses.push(`actions IN (SELECT set_id FROM id_set_members WHERE member IN (${ids.map(() => '?').join(', ')}))`);
    params.push(...ids);
  }
  if (q.errorsOnly) clauses.push('error IS NOT NULL');
  return { clauses, params };
}
