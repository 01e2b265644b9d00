import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { AccountSnapshot } from './types.js';
import type { AuthorizationDetailsPage } from './snapshot/authorization-details.js';
import {
  SnapshotError,
  accountsInPage,
  buildAccountSnapshot,
  looksLikeAuthorizationDetails,
  parseAuthorizationDetailsPage,
  splitPageByAccount,
} from './snapshot/authorization-details.js';
import type { CredentialReport } from './snapshot/credential-report.js';
import {
  credentialReportCsvFromJson,
  looksLikeCredentialReportCsv,
  parseCredentialReport,
} from './snapshot/credential-report.js';
import type { StoredScpChain } from './snapshot/scps.js';
import { looksLikeScpExport, parseScpExport } from './snapshot/scps.js';
import type { IamRepository } from './repository.js';

export type IamFileKind = 'authorization-details' | 'credential-report' | 'scps';

export class IamImportError extends Error {}

export type DetectedInput =
  | { kind: 'authorization-details'; source: string; page: AuthorizationDetailsPage }
  | { kind: 'credential-report'; source: string; report: CredentialReport; warnings: string[] }
  | { kind: 'scps'; source: string; chains: StoredScpChain[] };

/**
 * Recognises an IAM input by content: authorization-details JSON, credential report (CSV or
 * the API's JSON with base64 Content) or an SCP export. `expect` forces a kind (CLI flags).
 */
export function detectIamInput(text: string, source: string, expect?: IamFileKind): DetectedInput {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw new IamImportError(`${source}: invalid JSON (${(err as Error).message})`);
    }
    if ((!expect || expect === 'authorization-details') && looksLikeAuthorizationDetails(value)) {
      return { kind: 'authorization-details', source, page: parseAuthorizationDetailsPage(value, source) };
    }
    if ((!expect || expect === 'scps') && looksLikeScpExport(value)) {
      return { kind: 'scps', source, chains: parseScpExport(value, source) };
    }
    if (!expect || expect === 'credential-report') {
      const cr = credentialReportCsvFromJson(value);
      if (cr) return credentialReportInput(source, cr.csv, cr.generatedAt);
    }
    throw new IamImportError(
      `${source}: JSON is not ${expect ?? 'get-account-authorization-details output, an SCP export or a credential report'}`,
    );
  }
  if ((!expect || expect === 'credential-report') && looksLikeCredentialReportCsv(trimmed)) {
    return credentialReportInput(source, trimmed, null);
  }
  throw new IamImportError(
    `${source}: not recognised (expected authorization-details JSON, a credential report CSV or an SCP export JSON)`,
  );
}

/** A parsed credential report; rows it skipped become warnings naming the source. */
export function credentialReportInput(source: string, csv: string, generatedAt: string | null): DetectedInput {
  const warnings: string[] = [];
  const report = parseCredentialReport(csv, { generatedAt, onWarning: (w) => warnings.push(`${source}: ${w}`) });
  return { kind: 'credential-report', source, report, warnings };
}

export async function readIamFile(path: string, expect?: IamFileKind): Promise<DetectedInput> {
  let buf = await readFile(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return detectIamInput(buf.toString('utf8'), path, expect);
}

export interface AccountImportSummary {
  accountId: string;
  users: number;
  roles: number;
  groups: number;
  policies: number;
  awsManagedFromData: number;
  unresolvedPolicyArns: string[];
  sources: string[];
  /** e.g. the output was truncated (IsTruncated) and its last page is missing */
  warnings: string[];
}

export interface ImportSummary {
  snapshots: AccountImportSummary[];
  /** About the inputs as a whole, e.g. a file that merged several accounts and was split. */
  warnings: string[];
  credentialReports: { accountId: string; users: number; source: string }[];
  scps: { accounts: number; managementAccounts: string[]; warnings: string[]; source: string }[];
}

/**
 * Groups authorization-details pages by account (several pages or files of one account merge),
 * builds the snapshots and saves everything through the repository (when given).
 */
export async function importIamInputs(
  inputs: DetectedInput[],
  repo: IamRepository | undefined,
  /**
   * importedAt: when it reached the store (default now). takenAt: when the configuration was
   * captured, for every input (default: a credential report's generated time, else importedAt).
   */
  opts: { importedAt?: string; takenAt?: string; accountId?: string } = {},
): Promise<{ summary: ImportSummary; snapshots: AccountSnapshot[] }> {
  const importedAt = opts.importedAt ?? new Date().toISOString();
  const takenAt = opts.takenAt;
  const warnings: string[] = [];
  const byAccount = new Map<string, { pages: AuthorizationDetailsPage[]; sources: string[] }>();
  for (const input of inputs) {
    if (input.kind !== 'authorization-details') continue;
    const accounts = [...accountsInPage(input.page)].sort();
    if (accounts.length > 1) {
      // a merged export (several accounts' outputs in one file, as tools publish them): one snapshot per account
      if (opts.accountId) {
        throw new SnapshotError(`${input.source}: authorization details merge accounts ${accounts.join(', ')}; --account-id ${opts.accountId} cannot apply to all of them: drop it`);
      }
      const { pages, unassigned } = splitPageByAccount(input.page);
      warnings.push(
        `${input.source} merged the authorization details of ${accounts.length} accounts (${accounts.join(', ')}): imported one snapshot per account, split by the account in each ARN` +
          (unassigned.length
            ? `; ${unassigned.length} user(s), group(s) or role(s) whose ARN names no account were left out (${unassigned.slice(0, 3).join(', ')}${unassigned.length > 3 ? ', …' : ''})`
            : ''),
      );
      for (const [account, page] of pages) {
        const entry = byAccount.get(account) ?? { pages: [], sources: [] };
        entry.pages.push(page);
        if (!entry.sources.includes(input.source)) entry.sources.push(input.source);
        byAccount.set(account, entry);
      }
      continue;
    }
    // a page with no account-bearing ARN (e.g. only AWS-managed policies) joins the only account
    const account = accounts[0] ?? opts.accountId ?? (byAccount.size === 1 ? [...byAccount.keys()][0] : undefined) ?? '';
    const entry = byAccount.get(account) ?? { pages: [], sources: [] };
    entry.pages.push(input.page);
    entry.sources.push(input.source);
    byAccount.set(account, entry);
  }
  const orphan = byAccount.get('');
  if (orphan) {
    byAccount.delete('');
    if (byAccount.size === 1) {
      const only = [...byAccount.values()][0]!;
      only.pages.push(...orphan.pages);
      only.sources.push(...orphan.sources);
    } else {
      throw new SnapshotError(
        `${orphan.sources.join(', ')}: authorization details name no account (no user, group, role or customer-managed policy ARN); pass --account-id`,
      );
    }
  }

  const summary: ImportSummary = { snapshots: [], warnings, credentialReports: [], scps: [] };
  const snapshots: AccountSnapshot[] = [];
  for (const [accountId, { pages, sources }] of byAccount) {
    const snap = buildAccountSnapshot(pages, { importedAt, accountId });
    snapshots.push(snap);
    if (repo) await repo.saveSnapshot(snap, sources.join(','), takenAt);
    summary.snapshots.push({
      accountId,
      users: snap.users.length,
      roles: snap.roles.length,
      groups: snap.groups.length,
      policies: snap.policies.size,
      awsManagedFromData: [...snap.policies.values()].filter((p) => p.resolvedFrom === 'aws-managed-data').length,
      unresolvedPolicyArns: snap.unresolvedPolicyArns,
      sources,
      warnings: truncated(pages),
    });
  }
  for (const input of inputs) {
    if (input.kind === 'credential-report') {
      summary.warnings.push(...input.warnings);
      if (repo) await repo.saveCredentialReport(input.report, input.source, importedAt, takenAt);
      summary.credentialReports.push({
        accountId: input.report.accountId,
        users: input.report.rows.filter((r) => !r.isRoot).length,
        source: input.source,
      });
    } else if (input.kind === 'scps') {
      if (repo) await repo.saveScpChains(input.chains, input.source, importedAt, takenAt);
      summary.scps.push({
        accounts: input.chains.length,
        managementAccounts: input.chains.filter((c) => c.isManagementAccount).map((c) => c.accountId),
        warnings: summariseWarnings(input.chains.flatMap((c) => c.warnings)),
        source: input.source,
      });
    }
  }
  return { summary, snapshots };
}

/** Every truncated page must be followed by another: n pages hold at most n-1 truncated ones. */
function truncated(pages: AuthorizationDetailsPage[]): string[] {
  const t = pages.filter((p) => p.IsTruncated === true).length;
  if (t === 0 || t < pages.length) return [];
  return [
    `${t} of ${pages.length} page(s) say IsTruncated with no final page: the output is incomplete; import every page (the AWS CLI without --max-items writes them all)`,
  ];
}

/** Collapses per-account repeats ("no SCP listed for 1111…", "…2222…") into one line with a count. */
function summariseWarnings(warnings: string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const w of warnings) {
    const ids = w.match(/\b\d{12}\b/g) ?? [];
    const shape = w.replace(/\b\d{12}\b/g, '<account>');
    const list = groups.get(shape) ?? [];
    list.push(...(ids.length ? ids : [w]));
    groups.set(shape, list);
  }
  return [...groups].map(([shape, ids]) => {
    const distinct = [...new Set(ids)];
    if (!shape.includes('<account>')) return shape;
    if (distinct.length === 1) return shape.replace(/<account>/g, distinct[0]!);
    return `${shape.replace(/<account>/g, 'the account')} (${distinct.length} accounts: ${distinct.slice(0, 3).join(', ')}${distinct.length > 3 ? ', …' : ''})`;
  });
}
