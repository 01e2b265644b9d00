import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import type { GetAccountAuthorizationDetailsCommandOutput } from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { DetectedInput } from './import.js';
import { credentialReportInput } from './import.js';
import { accountsInPage } from './snapshot/authorization-details.js';
import { parseAuthorizationDetailsPage } from './snapshot/authorization-details.js';
import { credentialReportCsvFromJson } from './snapshot/credential-report.js';
import type { ScpExport } from './snapshot/scps.js';
import { parseScpExport } from './snapshot/scps.js';
import { prepareAwsSdk } from '../aws/index.js';

/**
 * Pulls IAM configuration live through the AWS SDK v3: every page of
 * GetAccountAuthorizationDetails, the credential report (generated and waited for) and the
 * Organization's SCPs. Each part fails on its own: a denied Organizations call is reported
 * with a fix and the IAM parts are still returned.
 */
export interface SyncClients {
  iam: Pick<IAMClient, 'send'>;
  organizations?: Pick<OrganizationsClient, 'send'>;
}

type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;

export interface SyncClientOptions {
  region?: string;
  roleArn?: string;
  externalId?: string;
  /** Credentials to assume roleArn with (default: the default chain). */
  masterCredentials?: AwsCredentialIdentityProvider;
}

export interface CreatedSyncClients extends SyncClients {
  /** The assumed role's provider, when roleArn was given (to chain into member accounts). */
  credentials?: AwsCredentialIdentityProvider;
}

/** Clients on the default credential chain, or on an assumed role (with external id). */
export function createSyncClients(opts: SyncClientOptions = {}): CreatedSyncClients {
  prepareAwsSdk();
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const credentials = opts.roleArn
    ? fromTemporaryCredentials({
        params: {
          RoleArn: opts.roleArn,
          RoleSessionName: 'trailscope-iam-sync',
          ...(opts.externalId ? { ExternalId: opts.externalId } : {}),
        },
        clientConfig: { region },
        ...(opts.masterCredentials ? { masterCredentials: opts.masterCredentials } : {}),
      })
    : undefined;
  const config = credentials ? { region, credentials } : { region };
  return { iam: new IAMClient(config), organizations: new OrganizationsClient(config), ...(credentials ? { credentials } : {}) };
}

export interface SyncOptions {
  credentialReport?: boolean;
  scps?: boolean;
  /** Waits between credential-report generation polls (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  pollIntervalMs?: number;
  maxPolls?: number;
}

export interface SyncProblem {
  part: 'authorization-details' | 'credential-report' | 'scps' | 'member-account';
  message: string;
  accountId?: string;
}

export interface SyncResult {
  inputs: DetectedInput[];
  problems: SyncProblem[];
  pages: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? 'Error';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAccessDenied(err: unknown): boolean {
  return /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(errorName(err));
}

export async function syncIam(clients: SyncClients, opts: SyncOptions = {}): Promise<SyncResult> {
  const inputs: DetectedInput[] = [];
  const problems: SyncProblem[] = [];

  // 1. authorization details, every page
  let pages = 0;
  let marker: string | undefined;
  try {
    do {
      const out: GetAccountAuthorizationDetailsCommandOutput = await clients.iam.send(
        new GetAccountAuthorizationDetailsCommand(marker ? { Marker: marker } : {}),
      );
      pages++;
      inputs.push({
        kind: 'authorization-details',
        source: `sync:GetAccountAuthorizationDetails#${pages}`,
        page: parseAuthorizationDetailsPage(out, `GetAccountAuthorizationDetails page ${pages}`),
      });
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
  } catch (err) {
    problems.push({
      part: 'authorization-details',
      message: isAccessDenied(err)
        ? `iam:GetAccountAuthorizationDetails was denied (${errorMessage(err)}); grant it (the AWS-managed SecurityAudit policy includes it)`
        : `GetAccountAuthorizationDetails failed: ${errorName(err)}: ${errorMessage(err)}`,
    });
  }

  // 2. credential report: generate, wait until COMPLETE, fetch
  if (opts.credentialReport !== false) {
    try {
      const report = await fetchCredentialReport(clients.iam, opts);
      if (report) inputs.push(report);
      else problems.push({ part: 'credential-report', message: 'the credential report was not ready in time; run sync again later' });
    } catch (err) {
      problems.push({
        part: 'credential-report',
        message: isAccessDenied(err)
          ? `iam:GenerateCredentialReport/iam:GetCredentialReport were denied (${errorMessage(err)}); grant both to read password, access key and MFA state`
          : `credential report failed: ${errorName(err)}: ${errorMessage(err)}`,
      });
    }
  }

  // 3. SCPs from Organizations
  if (opts.scps !== false && clients.organizations) {
    try {
      const exp = await fetchScpExport(clients.organizations);
      if (exp) inputs.push({ kind: 'scps', source: 'sync:organizations', chains: parseScpExport(exp, 'Organizations SCPs') });
    } catch (err) {
      const name = errorName(err);
      let message: string;
      if (name === 'AWSOrganizationsNotInUseException') {
        message = 'this account is not in an AWS Organization; no SCPs apply';
      } else if (isAccessDenied(err)) {
        message = `Organizations access was denied (${errorMessage(err)}); SCPs can only be read from the management account or a delegated administrator with organizations:ListPolicies, DescribePolicy, ListTargetsForPolicy, ListAccounts, ListParents and DescribeOrganization — permissions were analysed without SCPs`;
      } else if (name === 'PolicyTypeNotEnabledException') {
        message = 'SCPs are not enabled in this Organization; no SCPs apply';
      } else {
        message = `reading SCPs failed: ${name}: ${errorMessage(err)}`;
      }
      problems.push({ part: 'scps', message });
    }
  }
  return { inputs, problems, pages };
}

async function fetchCredentialReport(iam: SyncClients['iam'], opts: SyncOptions): Promise<DetectedInput | undefined> {
  const sleep = opts.sleep ?? defaultSleep;
  const maxPolls = opts.maxPolls ?? 30;
  const interval = opts.pollIntervalMs ?? 2000;
  for (let poll = 0; poll < maxPolls; poll++) {
    const gen = await iam.send(new GenerateCredentialReportCommand({}));
    if (gen.State === 'COMPLETE') {
      try {
        const out = await iam.send(new GetCredentialReportCommand({}));
        const parsed = credentialReportCsvFromJson(out);
        if (!parsed) throw new Error('GetCredentialReport returned no CSV content');
        const generatedAt = out.GeneratedTime ? new Date(out.GeneratedTime).toISOString() : parsed.generatedAt;
        return credentialReportInput('sync:GetCredentialReport', parsed.csv, generatedAt);
      } catch (err) {
        // generated but not readable yet (a race between the two calls): wait and retry
        if (!/CredentialReportNotReady|ReportInProgress|CredentialReportNotPresent/.test(errorName(err))) throw err;
      }
    }
    await sleep(interval);
  }
  return undefined;
}

async function fetchScpExport(org: NonNullable<SyncClients['organizations']>): Promise<ScpExport | undefined> {
  const orgOut = await org.send(new DescribeOrganizationCommand({}));
  const policies: ScpExport['policies'] = [];
  let token: string | undefined;
  do {
    const page = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', ...(token ? { NextToken: token } : {}) }));
    for (const summary of page.Policies ?? []) {
      if (!summary.Id) continue;
      const desc = await org.send(new DescribePolicyCommand({ PolicyId: summary.Id }));
      const targets: string[] = [];
      let tt: string | undefined;
      do {
        const tp = await org.send(new ListTargetsForPolicyCommand({ PolicyId: summary.Id, ...(tt ? { NextToken: tt } : {}) }));
        for (const t of tp.Targets ?? []) if (t.TargetId) targets.push(t.TargetId);
        tt = tp.NextToken;
      } while (tt);
      policies.push({ id: summary.Id, name: summary.Name ?? summary.Id, document: desc.Policy?.Content ?? '', targets });
    }
    token = page.NextToken;
  } while (token);

  const accounts: ScpExport['accounts'] = [];
  const parentOf = new Map<string, string | null>();
  const parentsCached = async (childId: string): Promise<string | null> => {
    if (parentOf.has(childId)) return parentOf.get(childId)!;
    const out = await org.send(new ListParentsCommand({ ChildId: childId }));
    const id = out.Parents?.[0]?.Id ?? null;
    parentOf.set(childId, id);
    return id;
  };
  let at: string | undefined;
  do {
    const page = await org.send(new ListAccountsCommand(at ? { NextToken: at } : {}));
    for (const a of page.Accounts ?? []) {
      if (!a.Id) continue;
      const parents: string[] = [];
      let cur: string | null = await parentsCached(a.Id);
      while (cur) {
        parents.push(cur);
        if (cur.startsWith('r-')) break;
        cur = await parentsCached(cur);
      }
      accounts.push({ id: a.Id, parents, ...(a.Name ? { name: a.Name } : {}) });
    }
    at = page.NextToken;
  } while (at);
  return {
    managementAccountId: orgOut.Organization?.MasterAccountId ?? null,
    organizationId: orgOut.Organization?.Id ?? null,
    policies,
    accounts,
  };
}

export interface OrganizationSyncOptions extends SyncOptions {
  /** Clients for a member account (assuming the member role there). */
  clientsFor: (accountId: string) => SyncClients;
  /** Accounts pulled at the same time (default 4). */
  concurrency?: number;
}

/**
 * The whole Organization: the caller's account and SCPs first (through `base`, which must reach
 * Organizations), then every other account listed by Organizations through `clientsFor` (a role
 * assumed in each). A member that cannot be read is reported and skipped.
 */
export async function syncOrganization(base: SyncClients, opts: OrganizationSyncOptions): Promise<SyncResult> {
  const first = await syncIam(base, { ...opts, scps: true });
  const scps = first.inputs.find((i) => i.kind === 'scps');
  if (!scps || scps.kind !== 'scps') {
    first.problems.push({
      part: 'member-account',
      message: 'member accounts were not pulled: listing them needs Organizations access (see the scps problem)',
    });
    return first;
  }
  const done = new Set<string>();
  for (const input of first.inputs) if (input.kind === 'authorization-details') for (const a of accountsInPage(input.page)) done.add(a);
  const todo = scps.chains.map((c) => c.accountId).filter((a) => !done.has(a));
  const results: SyncResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const accountId = todo[next++]!;
      try {
        const r = await syncIam(opts.clientsFor(accountId), { ...opts, scps: false });
        for (const p of r.problems) p.accountId = accountId;
        for (const i of r.inputs) i.source = `${i.source}@${accountId}`;
        results.push(r);
      } catch (err) {
        results.push({ inputs: [], pages: 0, problems: [{ part: 'member-account', accountId, message: `${errorName(err)}: ${errorMessage(err)}` }] });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, todo.length) }, worker));
  return {
    inputs: [...first.inputs, ...results.flatMap((r) => r.inputs)],
    problems: [...first.problems, ...results.flatMap((r) => r.problems)],
    pages: first.pages + results.reduce((n, r) => n + r.pages, 0),
  };
}
