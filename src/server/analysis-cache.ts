/**
 * Analysis results cached per (as-of, window, account, store watermark): the console asks the
 * same question many times while nothing changes. The watermark moves with every event commit
 * and IAM import, so a cached result is never stale. Analyses without an explicit as-of use the
 * current minute.
 */
import type { Store } from '../store/index.js';

export class AnalysisCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  constructor(
    private readonly store: Store,
    private readonly max = 16,
  ) {}

  async watermark(): Promise<string> {
    const [stats, iam] = await Promise.all([this.store.events.stats(), this.store.iam.inventory()]);
    return JSON.stringify([stats.events, stats.files, stats.newestEventTime, iam.map((r) => `${r.accountId}:${r.kind}:${r.snapshots}:${r.lastTakenAt}`).sort()]);
  }

  async get<T>(kind: string, params: Record<string, unknown>, compute: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([kind, params, await this.watermark()]);
    let hit = this.entries.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = compute();
      this.entries.set(key, hit);
      hit.catch(() => this.entries.delete(key));
      while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    return hit;
  }
}
