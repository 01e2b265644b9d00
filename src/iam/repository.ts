import type { IamStore } from '../store/index.js';
import type { AccountSnapshot } from './types.js';
import type { CredentialReport } from './snapshot/credential-report.js';
import type { StoredScpChain } from './snapshot/scps.js';
import { toScpChain } from './snapshot/scps.js';
import type { IamModel } from './model.js';
import { buildIamModel, deserializeSnapshot, serializeSnapshot } from './model.js';

/** Snapshot kinds src/iam stores through IamStore. */
export const IAM_KIND = {
  authorizationDetails: 'authorization-details',
  credentialReport: 'credential-report',
  scps: 'scps',
} as const;

interface StoredCredentialReport extends CredentialReport {
  schema: 1;
}

/**
 * Saves normalised IAM documents (never the raw AWS forms) and loads the latest of each
 * account into an IamModel. Every save adds a version; IamStore keeps the previous ones for drift.
 */
export class IamRepository {
  constructor(private readonly store: IamStore) {}

  /** `takenAt`: when the configuration was captured (default: snapshot.importedAt). */
  async saveSnapshot(snapshot: AccountSnapshot, source: string, takenAt?: string): Promise<void> {
    await this.store.putSnapshot({
      accountId: snapshot.accountId,
      kind: IAM_KIND.authorizationDetails,
      importedAt: snapshot.importedAt,
      ...(takenAt ? { takenAt } : {}),
      source,
      document: serializeSnapshot(snapshot),
    });
  }

  /** A report is taken when AWS generated it (when known), unless `takenAt` says otherwise. */
  async saveCredentialReport(report: CredentialReport, source: string, importedAt = new Date().toISOString(), takenAt?: string): Promise<void> {
    const document: StoredCredentialReport = { schema: 1, ...report };
    const taken = takenAt ?? report.generatedAt ?? undefined;
    await this.store.putSnapshot({ accountId: report.accountId, kind: IAM_KIND.credentialReport, importedAt, ...(taken ? { takenAt: taken } : {}), source, document });
  }

  async saveScpChains(chains: StoredScpChain[], source: string, importedAt = new Date().toISOString(), takenAt?: string): Promise<void> {
    for (const chain of chains) {
      await this.store.putSnapshot({ accountId: chain.accountId, kind: IAM_KIND.scps, importedAt, ...(takenAt ? { takenAt } : {}), source, document: chain });
    }
  }

  /** The latest snapshot of one account, or undefined. */
  async latestSnapshot(accountId: string): Promise<AccountSnapshot | undefined> {
    const [row] = await this.store.latest(IAM_KIND.authorizationDetails, accountId);
    return row ? deserializeSnapshot(row.document) : undefined;
  }

  /** The snapshots of an account, newest first (for drift). */
  async snapshotHistory(accountId: string, limit?: number): Promise<AccountSnapshot[]> {
    const rows = await this.store.history(IAM_KIND.authorizationDetails, accountId, limit);
    return rows.map((r) => deserializeSnapshot(r.document));
  }

  /**
   * Snapshots, SCP chains and credential reports of every account (or of the given ones): the
   * latest, or with `at` the ones in force at that time (the latest taken at or before it), so
   * that a run `--as-of` a past time sees the configuration of that time.
   */
  async loadModel(opts: { accountIds?: string[]; at?: string } = {}): Promise<IamModel> {
    const want = opts.accountIds ? new Set(opts.accountIds) : undefined;
    const keep = (a: string) => !want || want.has(a);
    const pick = (kind: string) => (opts.at === undefined ? this.store.latest(kind) : this.store.latestAt(kind, opts.at));
    const [snaps, scps, reports] = await Promise.all([pick(IAM_KIND.authorizationDetails), pick(IAM_KIND.scps), pick(IAM_KIND.credentialReport)]);
    const kept = snaps.filter((r) => keep(r.accountId));
    const model = buildIamModel({
      snapshots: kept.map((r) => deserializeSnapshot(r.document)),
      scpChains: scps.filter((r) => keep(r.accountId)).map((r) => toScpChain(r.document as StoredScpChain)),
      credentialReports: reports
        .filter((r) => keep(r.accountId))
        .map((r) => {
          const { schema: _s, ...rep } = r.document as StoredCredentialReport;
          return rep;
        }),
    });
    model.snapshotTakenAt = new Map(kept.map((r) => [r.accountId, r.takenAt ?? r.importedAt]));
    return model;
  }
}
