/** What `trailscope migrate` counts on both sides: every kind of row a user would miss. */
import type { Store, TransferTable } from '../types.js';

export interface StoreCount {
  /** A name for people, e.g. "events", "usage rows". */
  what: string;
  n: number;
}

const TABLE_NAMES: [TransferTable, string][] = [
  ['files', 'file records'],
  ['usage_hourly', 'usage rows'],
  ['principals', 'principals'],
  ['coverage_hourly', 'coverage hours'],
  ['findings', 'findings'],
  ['analysis_runs', 'analysis runs'],
  ['doctor_runs', 'doctor runs'],
  ['quarantine', 'quarantined messages'],
  ['health_problems', 'health problems'],
  ['connector_counters', 'connector counters'],
  ['kv_state', 'state entries'],
  ['detect_memory', 'detection memory entries'],
  ['event_origins', 'events with their connector'],
  ['event_claims', 'events delivered again by another connector'],
];

/** Counts of a store (events, raw records excepted: they are counted while read). */
export async function countStore(store: Store): Promise<StoreCount[]> {
  const [stats, connectors, inventory, detections, changes] = await Promise.all([
    store.events.stats(),
    store.connectors.list(),
    store.iam.inventory(),
    store.detections.list(),
    store.detections.changes(),
  ]);
  const out: StoreCount[] = [
    { what: 'events', n: stats.events },
    { what: 'connectors', n: connectors.length },
    { what: 'IAM snapshots', n: inventory.reduce((n, r) => n + r.snapshots, 0) },
    { what: 'detections', n: detections.length },
    { what: 'changes', n: changes.length },
  ];
  for (const [table, what] of TABLE_NAMES) out.push({ what, n: await store.transfer.count(table) });
  return out;
}
