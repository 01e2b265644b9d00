import type { IamInventoryRow, IamSnapshotRow, IamStore } from '../../store/index.js';

const taken = (r: IamSnapshotRow): number => Date.parse(r.takenAt ?? r.importedAt);

/**
 * An in-memory IamStore with the contract's semantics (every put is a new version; latest per
 * account; history newest first). For tests of src/iam that must not depend on a database.
 */
export class MemoryIamStore implements IamStore {
  readonly rows: IamSnapshotRow[] = [];

  async putSnapshot(row: IamSnapshotRow): Promise<void> {
    // stored as JSON, like a database would: reading back must not depend on object identity
    this.rows.push({ ...row, takenAt: row.takenAt ?? row.importedAt, document: JSON.parse(JSON.stringify(row.document)) });
  }

  async latest(kind: string, accountId?: string): Promise<IamSnapshotRow[]> {
    return this.latestUntil(kind, Infinity, accountId);
  }

  async latestAt(kind: string, at: string, accountId?: string): Promise<IamSnapshotRow[]> {
    return this.latestUntil(kind, Date.parse(at), accountId);
  }

  private latestUntil(kind: string, maxMs: number, accountId?: string): IamSnapshotRow[] {
    const byAccount = new Map<string, IamSnapshotRow>();
    for (const r of this.ordered()) {
      if (r.kind !== kind || (accountId && r.accountId !== accountId) || taken(r) > maxMs) continue;
      byAccount.set(r.accountId, r);
    }
    return [...byAccount.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  }

  async history(kind: string, accountId: string, limit?: number): Promise<IamSnapshotRow[]> {
    const rows = this.ordered()
      .filter((r) => r.kind === kind && r.accountId === accountId)
      .reverse();
    return limit ? rows.slice(0, limit) : rows;
  }

  /** Oldest first by taken time, then insertion order (a stable sort keeps it). */
  private ordered(): IamSnapshotRow[] {
    return [...this.rows].sort((a, b) => taken(a) - taken(b));
  }

  async inventory(): Promise<IamInventoryRow[]> {
    const out = new Map<string, IamInventoryRow>();
    for (const r of this.ordered()) {
      const key = `${r.accountId}\0${r.kind}`;
      const t = new Date(taken(r)).toISOString();
      const row = out.get(key);
      if (row) {
        row.snapshots++;
        row.lastTakenAt = t;
      } else out.set(key, { accountId: r.accountId, kind: r.kind, snapshots: 1, firstTakenAt: t, lastTakenAt: t });
    }
    return [...out.values()].sort((a, b) => (a.accountId + a.kind < b.accountId + b.kind ? -1 : 1));
  }

  async accounts(): Promise<string[]> {
    return [...new Set(this.rows.map((r) => r.accountId))].sort();
  }
}
