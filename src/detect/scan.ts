/**
 * Re-scanning stored events (`trailscope detect`): the same engine as the commit hook, over
 * events read back from the store, writing with the same dedup keys, so running it twice (or
 * after ingestion already detected) changes nothing. Stateful rules need history: events of the
 * `baselineDays` before `since` are fed to the state providers without being judged.
 */
import type { Store } from '../store/index.js';
import type { NormalizedEvent } from '../model/index.js';
import { DetectionEngine, EventsBatch } from './engine.js';
import { InMemoryDetectionMemory } from './memory.js';
import type { EventRule } from './types.js';
import { driftClassifier } from './drift/classify.js';

export interface ScanOptions {
  since?: string;
  until?: string;
  /** Days of history before `since` that stateful rules learn from (default 30). */
  baselineDays?: number;
  /** Also rebuild the drift timeline (default true). */
  changes?: boolean;
}

export interface ScanResult {
  events: number;
  detections: number;
  newDetections: number;
  changes: number;
  newChanges: number;
  errors: { rule: string; eventId: string; message: string }[];
}

const BATCH = 2000;

export async function scanStoredEvents(store: Store, rules: readonly EventRule[], opts: ScanOptions = {}): Promise<ScanResult> {
  const engine = new DetectionEngine(rules, opts.changes === false ? [] : [driftClassifier]);
  const memory = new InMemoryDetectionMemory();
  const result: ScanResult = { events: 0, detections: 0, newDetections: 0, changes: 0, newChanges: 0, errors: [] };
  if (opts.since !== undefined && rules.some((r) => r.state)) {
    const from = new Date(Date.parse(opts.since) - (opts.baselineDays ?? 30) * 86_400_000).toISOString();
    let batch: NormalizedEvent[] = [];
    for await (const e of store.events.iterate({ since: from, until: opts.since })) {
      batch.push(e);
      if (batch.length >= BATCH) {
        engine.run(new EventsBatch(batch), memory, { observeOnly: true });
        batch = [];
      }
    }
    engine.run(new EventsBatch(batch), memory, { observeOnly: true });
  }
  let batch: NormalizedEvent[] = [];
  const flush = async () => {
    const found = engine.run(new EventsBatch(batch), memory);
    result.events += batch.length;
    result.detections += found.detections.length;
    result.changes += found.changes.length;
    const written = await store.detections.put(found);
    result.newDetections += written.detections;
    result.newChanges += written.changes;
    batch = [];
  };
  for await (const e of store.events.iterate({ ...(opts.since ? { since: opts.since } : {}), ...(opts.until ? { until: opts.until } : {}) })) {
    batch.push(e);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  result.errors = [...engine.errors];
  return result;
}
