/**
 * The graph's CloudTrail input: evidence groups (EventStore.evidenceGroups), one per distinct
 * call (caller, API, actions, resources, error) with its count, first/last time and the first
 * event ids, so building the graph costs what the distinct calls cost, not what the events do.
 */
import type { NormalizedEvent } from '../model/index.js';
import type { EventStore, EvidenceGroup, EvidenceSample } from '../store/index.js';
import { canonicalAction } from '../parse/index.js';
import { bySampleOrder, evidenceActions } from './evidence.js';

/**
 * The window's groups of escalation-relevant calls (succeeded or failed). `present`: actions
 * seen in the window at all (lower-cased, e.g. from usage aggregates): others are not asked for.
 */
export async function loadEscalationEvidence(
  events: Pick<EventStore, 'evidenceGroups'>,
  q: { since: string; until: string },
  present?: ReadonlySet<string>,
): Promise<EvidenceGroup[]> {
  // calls without an IAM principal (web identity, SAML, another account's AssumeRole) have no usage rows: always asked
  const wanted = new Set(evidenceActions().filter((a) => !present || present.has(a) || a.startsWith('sts:assumerole')));
  if (wanted.size === 0) return [];
  // The store is asked for every evidence action, always the same list, and the groups are
  // filtered here: a store summarising the actions it is asked for would otherwise rebuild its
  // summary each time a new action shows up in the window. It matches IAM's spelling exactly.
  const anyAction = [...new Set(evidenceActions().map((a) => canonicalAction(a) ?? a))];
  const groups = await events.evidenceGroups({ since: q.since, until: q.until, anyAction });
  return present ? groups.filter((g) => g.actions.some((a) => wanted.has(a.toLowerCase()))) : groups;
}

/** The store's default samples per group (EVIDENCE_SAMPLES, src/store/types-evidence.ts). */
const SAMPLES = 20;

/** Events folded as the store folds them (tests, and events that never went through a store). */
export function evidenceGroupsOf(events: readonly NormalizedEvent[], samples = SAMPLES): EvidenceGroup[] {
  const groups = new Map<string, { group: EvidenceGroup; all: EvidenceSample[] }>();
  for (const e of events) {
    const key = JSON.stringify([e.principalArn, e.principalAccountId, e.eventSource, e.eventName, e.actions, e.resources, e.errorCode]);
    let g = groups.get(key);
    if (!g) {
      const group: EvidenceGroup = {
        principalArn: e.principalArn,
        principalAccountId: e.principalAccountId,
        eventSource: e.eventSource,
        actions: [...e.actions],
        resources: [...e.resources],
        errorCode: e.errorCode,
        count: 0,
        firstTime: e.eventTime,
        lastTime: e.eventTime,
        samples: [],
      };
      groups.set(key, (g = { group, all: [] }));
    }
    g.group.count++;
    g.all.push({ eventID: e.eventID, eventTime: e.eventTime });
  }
  return [...groups.values()].map(({ group, all }) => {
    all.sort(bySampleOrder);
    const kept = all.length > samples + 1 ? [...all.slice(0, samples), all[all.length - 1]!] : all;
    return { ...group, firstTime: all[0]!.eventTime, lastTime: all[all.length - 1]!.eventTime, samples: kept };
  });
}

/** The sampled calls' times by eventID (path context: the times of step calls). */
export function evidenceTimes(groups: readonly EvidenceGroup[]): Map<string, string> {
  const times = new Map<string, string>();
  for (const g of groups) for (const s of g.samples) times.set(s.eventID, s.eventTime);
  return times;
}
