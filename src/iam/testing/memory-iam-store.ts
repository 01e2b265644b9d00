import type { IamSnapshotRow, IamStore } from '../../store/types.js';

/**
 * An in-memory IamStore with the contract's semantics (every put is a new version; latest per
 * account; history newest first). For tests of src/iam that must not depend on a database.
 */
export class MemoryIamStore implements IamStore {
  readonly rows: IamSnapshotRow[] = [];

  async putSnapshot(row: IamSnapshotRow): Promise<void> {
    // stored as JSON, like a database would: reading back must not depend on object identity
    this.rows.push({ ...row, document: JSON.parse(JSON.stringify(row.document)) });
  }

  async latest(kind: string, accountId?: string): Promise<IamSnapshotRow[]> {
    const byAccount = new Map<string, IamSnapshotRow>();
    for (const r of this.rows) {
      if (r.kind !== kind || (accountId && r.accountId !== accountId)) continue;
      byAccount.set(r.accountId, r);
    }
    return [...byAccount.values()];
  }

  async history(kind: string, accountId: string, limit?: number): Promise<IamSnapshotRow[]> {
    const rows = this.rows.filter((r) => r.kind === kind && r.accountId === accountId).reverse();
    return limit ? rows.slice(0, limit) : rows;
  }

  async accounts(): Promise<string[]> {
    return [...new Set(this.rows.map((r) => r.accountId))].sort();
  }
}
