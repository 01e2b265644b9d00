import type { Database as Db } from 'better-sqlite3';
import { EVIDENCE_SAMPLES, type EvidenceGroup, type EvidenceQuery } from '../types-evidence.js';
import type { Dictionary } from './dictionary.js';
import { decodeEventId } from './codec.js';
import { msToTime, timeToMs } from '../encode/time.js';

/** Key columns are read from a group's first row (first_rank 1), which starts the group. */
type SampleRow = [
  firstRank: number,
  principal: number | null,
  pAccount: number | null,
  api: number,
  actions: number | null,
  resources: number | null,
  error: number | null,
  n: number,
  t: number,
  eventId: Buffer | string,
];

/**
 * Evidence groups in one statement: SQLite numbers each group's rows from both ends (in the
 * index's (t, event_id) order) and returns only the first `samples` and the last, with the
 * group's count; the events themselves are never decoded in JS.
 */
export function evidenceGroups(db: Db, dict: Dictionary, q: EvidenceQuery): EvidenceGroup[] {
  const actionIds = [...new Set(q.anyAction)].map((a) => dict.lookup(a)).filter((id): id is number => id !== undefined);
  if (actionIds.length === 0) return [];
  const where = [`actions IN (SELECT set_id FROM id_set_members WHERE member IN (${actionIds.map(() => '?').join(', ')}))`];
  const params: number[] = [...actionIds];
  if (q.since !== undefined) {
    where.push('t >= ?');
    params.push(timeToMs(q.since));
  }
  if (q.until !== undefined) {
    where.push('t < ?');
    params.push(timeToMs(q.until));
  }
  const samples = Math.max(1, q.samples ?? EVIDENCE_SAMPLES);
  // A window over most of the stored time reads the table in order: through the (t, event_id)
  // index every row is a lookup by rowid (at 5 M events, 3.2 s of CPU instead of 0.5 s).
  const [oldest, newest] = db.prepare<[], [number | null, number | null]>('SELECT min(t), max(t) FROM events').raw().get() ?? [null, null];
  if (oldest === null || newest === null) return [];
  const from = Math.max(oldest, q.since === undefined ? oldest : timeToMs(q.since));
  const to = Math.min(newest + 1, q.until === undefined ? newest + 1 : timeToMs(q.until));
  const scan = (to - from) * 2 >= newest + 1 - oldest ? 'NOT INDEXED' : '';
  const key = 'principal, p_account, api, actions, resources, error';
  const rows = db
    .prepare<number[], SampleRow>(
      `SELECT first_rank, ${key}, n, t, event_id FROM (
         SELECT ${key}, t, event_id,
           row_number() OVER (PARTITION BY ${key} ORDER BY t, event_id) AS first_rank,
           row_number() OVER (PARTITION BY ${key} ORDER BY t DESC, event_id DESC) AS last_rank,
           count(*) OVER (PARTITION BY ${key}) AS n
         FROM events ${scan} WHERE ${where.join(' AND ')})
       WHERE first_rank <= ${samples} OR last_rank = 1
       ORDER BY ${key}, t, event_id`,
    )
    .raw()
    .all(...params);
  const out: EvidenceGroup[] = [];
  const sources = new Map<number, string>();
  let current: EvidenceGroup | null = null;
  for (const [firstRank, principal, pAccount, api, actions, resources, error, n, t, eventId] of rows) {
    const sample = { eventID: decodeEventId(eventId), eventTime: msToTime(t) };
    if (current && firstRank !== 1) {
      current.samples.push(sample);
      current.lastTime = sample.eventTime;
      continue;
    }
    let eventSource = sources.get(api);
    if (eventSource === undefined) sources.set(api, (eventSource = (JSON.parse(dict.value(api)) as [string, string])[0]));
    current = {
      principalArn: dict.valueNullable(principal),
      principalAccountId: dict.valueNullable(pAccount),
      eventSource,
      actions: dict.members(actions).map((id) => dict.value(id)),
      resources: dict.members(resources).map((id) => dict.value(id)),
      errorCode: dict.valueNullable(error),
      count: n,
      firstTime: sample.eventTime,
      lastTime: sample.eventTime,
      samples: [sample],
    };
    out.push(current);
  }
  return out;
}
