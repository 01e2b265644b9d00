import type { Store } from '../store/index.js';
import { DetectionEngine } from './engine.js';
import { driftClassifier } from './drift/classify.js';
import { defaultEventRules } from './sigma-rules.js';
import type { EventRule } from './types.js';

/**
 * Makes every later commit of events into this store run the event rules (built-in, the shipped
 * Sigma rules, and `extraRules`) and the drift classifier in its transaction (ingest, import,
 * backfill). Returns the engine (its errors).
 */
export function attachDetections(store: Store, extraRules: readonly EventRule[] = []): DetectionEngine {
  const engine = new DetectionEngine(defaultEventRules(extraRules), [driftClassifier]);
  store.detections.setCommitHook(engine.hook());
  return engine;
}
