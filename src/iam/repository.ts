import type { IamStore } from '../store/types.js';
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

  async saveSnapshot(snapshot: AccountSnapshot, source: string): Promise<void> {
    await this.store.putSnapshot({
      accountId: snapshot.accountId,
      kind: IAM_KIND.authorizationDetails,
      importedAt: snapshot.importedAt,
      source,
      document: serializeSnapshot(snapshot),
    });
  }

  async saveCredentialReport(report: CredentialReport, source: string, importedAt = new Date().toISOString()): Promise<void> {
    const document: StoredCredentialReport = { schema: 1, ...report };
    await this.store.putSnapshot({ accountId: report.accountId, kind: IAM_KIND.credentialReport, importedAt, source, document });
  }

  async saveScpChains(chains: StoredScpChain[], source: string, importedAt = new Date().toISOString()): Promise<void> {
    for (const chain of chains) {
      await this.store.putSnapshot({ accountId: chain.accountId, kind: IAM_KIND.scps, importedAt, source, document: chain });
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

  /** Latest snapshots, SCP chains and credential reports of every account (or of the given ones). */
  async loadModel(opts: { accountIds?: string[] } = {}): Promise<IamModel> {
    const want = opts.accountIds ? new Set(opts.accountIds) : undefined;
    const keep = (a: string) => !want || want.has(a);
    const [snaps, scps, reports] = await Promise.all([
      this.store.latest(IAM_KIND.authorizationDetails),
      this.store.latest(IAM_KIND.scps),
      this.store.latest(IAM_KIND.credentialReport),
    ]);
    return buildIamModel({
      snapshots: snaps.filter((r) => keep(r.accountId)).map((r) => deserializeSnapshot(r.document)),
      scpChains: scps.filter((r) => keep(r.accountId)).map((r) => toScpChain(r.document as StoredScpChain)),
      credentialReports: reports
        .filter((r) => keep(r.accountId))
        .map((r) => {
          const { schema: _s, ...rep } = r.document as StoredCredentialReport;
          return rep;
        }),
    });
  }
}
