import type { AccountSnapshot, IamGroup, IamRole, IamUser, ManagedPolicy, ScpChain } from './types.js';
import type { CredentialReport } from './snapshot/credential-report.js';
import { mergeCredentialReport } from './snapshot/credential-report.js';

/**
 * Everything the analysers need about IAM configuration: the latest snapshot of every account
 * (credential-report fields already merged into users), SCP chains and the raw credential
 * reports (which also carry the root user's row).
 */
export interface IamModel {
  accounts: Map<string, AccountSnapshot>;
  scpChains: Map<string, ScpChain>;
  credentialReports: Map<string, CredentialReport>;
  /** Users, roles and groups of every account by ARN. */
  identities: Map<string, IamUser | IamRole | IamGroup>;
  /** When each account's snapshot was taken (set by IamRepository.loadModel): where event replay starts. */
  snapshotTakenAt?: Map<string, string>;
}

export type IamPrincipal = IamUser | IamRole | IamGroup;

export function buildIamModel(input: {
  snapshots: AccountSnapshot[];
  scpChains?: ScpChain[];
  credentialReports?: CredentialReport[];
}): IamModel {
  const credentialReports = new Map((input.credentialReports ?? []).map((r) => [r.accountId, r]));
  const accounts = new Map<string, AccountSnapshot>();
  const identities = new Map<string, IamPrincipal>();
  for (const s of input.snapshots) {
    const snap: AccountSnapshot = { ...s, users: mergeCredentialReport(s.users, credentialReports.get(s.accountId)) };
    accounts.set(snap.accountId, snap);
    for (const x of [...snap.users, ...snap.roles, ...snap.groups]) identities.set(x.arn, x);
  }
  return {
    accounts,
    scpChains: new Map((input.scpChains ?? []).map((c) => [c.accountId, c])),
    credentialReports,
    identities,
  };
}

/** The JSON form of an AccountSnapshot stored as kind 'authorization-details'. */
export interface StoredAccountSnapshot extends Omit<AccountSnapshot, 'policies'> {
  schema: 1;
  policies: ManagedPolicy[];
}

export function serializeSnapshot(s: AccountSnapshot): StoredAccountSnapshot {
  return { schema: 1, ...s, policies: [...s.policies.values()] };
}

export function deserializeSnapshot(doc: unknown): AccountSnapshot {
  const d = doc as StoredAccountSnapshot;
  if (!d || d.schema !== 1 || !Array.isArray(d.policies)) {
    throw new Error('stored IAM snapshot has an unknown shape (expected schema 1); re-import it');
  }
  const { schema: _schema, policies, ...rest } = d;
  return { ...rest, policies: new Map(policies.map((p) => [p.arn, p])) };
}
