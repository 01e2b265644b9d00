import { EVIDENCE_SAMPLES, type EvidenceGroup, type EvidenceQuery, type EvidenceSample } from '../types-evidence.js';
import { msToTime, timeToMs } from '../encode/time.js';
import { windowParts, type WindowParts } from '../evidence-window.js';
import { fromPgText, toPgText, type Pool } from './database.js';
import { FOLD_COLUMNS, refreshEvidenceDays } from './evidence-daily.js';

/** A group's part: a summary day, or the events of a window's edge (or of the whole window). */
interface PartRow {
  principal: string | null;
  p_account: string | null;
  api: string;
  actions: string[];
  resources: string[];
  error: string | null;
  n: number;
  first_samples: [number, string][];
  last_sample: [number, string];
}

/**
 * Evidence groups: the window's whole days from the daily summary (./evidence-daily.ts), its
 * edge days from their events, in one statement ordered by the group key; the parts of a group
 * arrive together and are folded here. More samples than the summary keeps read the window's
 * events alone.
 */
export async function evidenceGroups(pool: Pool, q: EvidenceQuery): Promise<EvidenceGroup[]> {
  if (q.anyAction.length === 0) return [];
  const { rows: span } = await pool.query<{ oldest: number | null; newest: number | null }>('SELECT min(t) AS oldest, max(t) AS newest FROM events');
  const { oldest, newest } = span[0] ?? { oldest: null, newest: null };
  if (oldest === null || newest === null) return [];
  const from = Math.max(oldest, q.since === undefined ? oldest : timeToMs(q.since));
  const to = Math.min(newest + 1, q.until === undefined ? newest + 1 : timeToMs(q.until));
  if (from >= to) return [];
  const samples = Math.max(1, q.samples ?? EVIDENCE_SAMPLES);
  const anyAction = [...new Set(q.anyAction)].map((a) => toPgText(a));
  let parts: WindowParts = { lo: 1, hi: 0, edges: [[from, to]] };
  if (samples <= EVIDENCE_SAMPLES) {
    await refreshEvidenceDays(pool, anyAction);
    parts = await windowParts(from, to, async (a, b) => {
      const { rows } = await pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM events WHERE t >= $1 AND t < $2) AS any', [a, b]);
      return rows[0]!.any;
    });
  }
  const params: unknown[] = [anyAction, parts.lo, parts.hi];
  const edges = parts.edges.map(([a, b]) => `(t >= $${params.push(a)} AND t < $${params.push(b)})`);
  const { rows } = await pool.query<PartRow>(
    `SELECT * FROM (
       SELECT principal, p_account, api, actions, resources, error, n, first_samples, last_sample
       FROM evidence_daily WHERE day >= $2 AND day <= $3 AND actions ?| $1::text[]
       ${edges.length === 0 ? '' : `UNION ALL SELECT ${FOLD_COLUMNS(String(samples))} FROM events WHERE (${edges.join(' OR ')}) AND actions ?| $1::text[] GROUP BY 1, 2, 3, 4, 5, 6`}
     ) parts
     ORDER BY principal, p_account, api, actions::text, resources::text, error`,
    params,
  );
  const out: EvidenceGroup[] = [];
  for (let i = 0; i < rows.length; ) {
    const r = rows[i]!;
    let n = r.n;
    let first = r.first_samples;
    let last = r.last_sample;
    // most groups have one part, its samples already in order
    for (i++; i < rows.length && sameKey(rows[i]!, r); i++) {
      const part = rows[i]!;
      n += part.n;
      first = first.concat(part.first_samples).sort(bySample);
      if (bySample(part.last_sample, last) > 0) last = part.last_sample;
    }
    if (first.length > samples) first = first.slice(0, samples);
    const kept = first.some((s) => bySample(s, last) === 0) ? first : [...first, last];
    const sampled: EvidenceSample[] = kept.map(([t, id]) => ({ eventID: fromPgText(id), eventTime: msToTime(t) }));
    out.push({
      principalArn: fromPgText(r.principal),
      principalAccountId: fromPgText(r.p_account),
      eventSource: (JSON.parse(r.api) as [string, string])[0],
      actions: r.actions.map((a) => fromPgText(a)),
      resources: r.resources.map((a) => fromPgText(a)),
      errorCode: fromPgText(r.error),
      count: n,
      firstTime: sampled[0]!.eventTime,
      lastTime: sampled[sampled.length - 1]!.eventTime,
      samples: sampled,
    });
  }
  return out;
}

function sameKey(a: PartRow, b: PartRow): boolean {
  return (
    a.principal === b.principal &&
    a.p_account === b.p_account &&
    a.api === b.api &&
    a.error === b.error &&
    sameList(a.actions, b.actions) &&
    sameList(a.resources, b.resources)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The server's (t, event_id COLLATE "C") order: event ids by their UTF-8 bytes. */
function bySample(a: [number, string], b: [number, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  const x = a[1];
  const y = b[1];
  if (x === y) return 0;
  // UTF-16 order is UTF-8's but for surrogates against U+E000..U+FFFF
  if (!ABOVE_D7FF.test(x) && !ABOVE_D7FF.test(y)) return x < y ? -1 : 1;
  return Buffer.compare(Buffer.from(x), Buffer.from(y));
}

const ABOVE_D7FF = /[\uD800-\uFFFF]/;
