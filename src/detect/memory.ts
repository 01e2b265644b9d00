import type { DetectionMemory } from '../store/index.js';

/** DetectionMemory in a Map: re-scans (`detect`) and tests. The store keeps its own, persisted. */
export class InMemoryDetectionMemory implements DetectionMemory {
  private readonly entries = new Map<string, { firstMs: number; lastMs: number; value: string | null }>();

  get(ns: string, key: string): { firstMs: number; lastMs: number; value: string | null } | undefined {
    return this.entries.get(`${ns}\u0000${key}`);
  }

  note(ns: string, key: string, ms: number, value?: string): void {
    const k = `${ns}\u0000${key}`;
    const e = this.entries.get(k);
    if (!e) {
      this.entries.set(k, { firstMs: ms, lastMs: ms, value: value ?? null });
      return;
    }
    if (ms < e.firstMs) {
      e.firstMs = ms;
      e.value = value ?? null;
    }
    if (ms > e.lastMs) e.lastMs = ms;
  }
}
