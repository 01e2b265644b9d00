import { EVIDENCE_SAMPLES, type EvidenceGroup, type EvidenceQuery } from '../types-evidence.js';
import { msToTime } from '../encode/time.js';
import { fromPgText, type Pool } from './database.js';
import { eventsWhere } from './events.js';

/** Key columns only on a group's first row (first_rank 1), which starts the group. */
interface SampleRow {
  first_rank: number;
  principal: string | null;
  p_account: string | null;
  api: string | null;
  actions: string[] | null;
  resources: string[] | null;
  error: string | null;
  n: number;
  t: number;
  event_id: string;
}

/**
 * Evidence groups in one statement: the server numbers each group's rows from both ends (in the
 * key's (t, event_id) order) and returns only the first `samples` and the last, with the
 * group's count.
 */
export async function evidenceGroups(pool: Pool, q: EvidenceQuery): Promise<EvidenceGroup[]> {
  if (q.anyAction.length === 0) return [];
  const { clauses: where, params } = eventsWhere({ since: q.since, until: q.until, anyAction: q.anyAction });
  params.push(Math.max(1, q.samples ?? EVIDENCE_SAMPLES));
  const key = 'principal, p_account, api, actions, resources, error';
  const { rows } = await pool.query<SampleRow>(
    `SELECT first_rank,
       CASE WHEN first_rank = 1 THEN principal END AS principal, CASE WHEN first_rank = 1 THEN p_account END AS p_account,
       CASE WHEN first_rank = 1 THEN api END AS api, CASE WHEN first_rank = 1 THEN actions END AS actions,
       CASE WHEN first_rank = 1 THEN resources END AS resources, CASE WHEN first_rank = 1 THEN error END AS error,
       n, t, event_id FROM (
       SELECT ${key}, t, event_id,
         row_number() OVER (PARTITION BY ${key} ORDER BY t, event_id) AS first_rank,
         row_number() OVER (PARTITION BY ${key} ORDER BY t DESC, event_id DESC) AS last_rank,
         count(*) OVER (PARTITION BY ${key}) AS n
       FROM events WHERE ${where.join(' AND ')}) ranked
     WHERE first_rank <= $${params.length} OR last_rank = 1
     ORDER BY ranked.principal, ranked.p_account, ranked.api, ranked.actions::text, ranked.resources::text, ranked.error, t, event_id`,
    params,
  );
  const out: EvidenceGroup[] = [];
  let current: EvidenceGroup | null = null;
  for (const r of rows) {
    const sample = { eventID: fromPgText(r.event_id), eventTime: msToTime(r.t) };
    if (current && Number(r.first_rank) !== 1) {
      current.samples.push(sample);
      current.lastTime = sample.eventTime;
      continue;
    }
    current = {
      principalArn: fromPgText(r.principal),
      principalAccountId: fromPgText(r.p_account),
      eventSource: (JSON.parse(r.api!) as [string, string])[0],
      actions: r.actions!.map((a) => fromPgText(a)),
      resources: r.resources!.map((a) => fromPgText(a)),
      errorCode: fromPgText(r.error),
      count: r.n,
      firstTime: sample.eventTime,
      lastTime: sample.eventTime,
      samples: [sample],
    };
    out.push(current);
  }
  return out;
}
