import type { Database as Db } from 'better-sqlite3';
import { EVIDENCE_SAMPLES, type EvidenceGroup, type EvidenceQuery } from '../types-evidence.js';
import type { Dictionary } from './dictionary.js';
import { eventsWhere } from './events-where.js';
import { decodeEventId, decodeResources } from './codec.js';
import { msToTime, timeToMs } from '../encode/time.js';
import { EvidenceFolds, keptSamples, keyId, type GroupKey } from './evidence-fold.js';
import { absorbDays, refreshEvidenceDays, scanRows, storedSpan } from './evidence-daily.js';
import { windowParts } from '../evidence-window.js';

/**
 * Evidence groups of a window: the whole days inside it from the daily summary
 * (./evidence-daily.ts), the part-days at its edges from their events, folded together here.
 * A read-only file, or more samples than the summary keeps, scans the window's events instead.
 * Either way the groups are the same: counts add up over days, and a group's first samples are
 * among its days' first.
 */
export async function evidenceGroups(db: Db, dict: Dictionary, q: EvidenceQuery): Promise<EvidenceGroup[]> {
  if (!eventsWhere(dict, { anyAction: q.anyAction })) return [];
  const [oldest, newest] = storedSpan(db);
  if (oldest === null || newest === null) return [];
  const from = Math.max(oldest, q.since === undefined ? oldest : timeToMs(q.since));
  const to = Math.min(newest + 1, q.until === undefined ? newest + 1 : timeToMs(q.until));
  if (from >= to) return [];
  const samples = Math.max(1, q.samples ?? EVIDENCE_SAMPLES);
  const folds = new EvidenceFolds(samples);
  if (samples <= EVIDENCE_SAMPLES && from >= 0 && refreshEvidenceDays(db, dict, q.anyAction)) {
    const wanted = new Set(q.anyAction.map((a) => dict.lookup(a)).filter((id): id is number => id !== undefined));
    const has = db.prepare<[number, number], number>('SELECT 1 FROM events WHERE t >= ? AND t < ? LIMIT 1').pluck();
    const parts = await windowParts(from, to, (a, b) => has.get(a, b) !== undefined);
    for (const [a, b] of parts.edges) scanInto(db, dict, q.anyAction, a, b, folds);
    absorbDays(db, dict, parts.lo, parts.hi, wanted, folds);
  } else {
    scanInto(db, dict, q.anyAction, from, to, folds);
  }
  return groupsOf(dict, folds);
}

/** Folds the matching events of [from, to) (ms). */
function scanInto(db: Db, dict: Dictionary, anyAction: string[], from: number, to: number, folds: EvidenceFolds): void {
  const where = eventsWhere(dict, { since: msToTime(from), until: msToTime(to), anyAction });
  if (!where) return;
  for (const row of scanRows(db, where, to - from)) {
    const key = row.slice(0, 6) as GroupKey;
    folds.add(keyId(key), key, [row[6], row[7]]);
  }
}

function groupsOf(dict: Dictionary, folds: EvidenceFolds): EvidenceGroup[] {
  const out: EvidenceGroup[] = [];
  const sources = new Map<number, string>();
  for (const f of folds.ordered()) {
    const [principal, pAccount, api, actions, resources, error] = f.key;
    let eventSource = sources.get(api);
    if (eventSource === undefined) sources.set(api, (eventSource = (JSON.parse(dict.value(api)) as [string, string])[0]));
    const sampled = keptSamples(f).map(([t, id]) => ({ eventID: decodeEventId(id), eventTime: msToTime(t) }));
    out.push({
      principalArn: dict.valueNullable(principal),
      principalAccountId: dict.valueNullable(pAccount),
      eventSource,
      actions: dict.members(actions).map((id) => dict.value(id)),
      resources: decodeResources(resources),
      errorCode: dict.valueNullable(error),
      count: f.count,
      firstTime: sampled[0]!.eventTime,
      lastTime: sampled[sampled.length - 1]!.eventTime,
      samples: sampled,
    });
  }
  return out;
}
