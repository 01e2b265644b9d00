import type { Command } from 'commander';
import { CliError, addDbOption, parseTime, printJson, withStore } from './common.js';
import { IamRepository } from '../iam/index.js';
import { terminalLine } from '../model/index.js';
import type { DetectedInput, ImportSummary } from '../iam/index.js';
import { importIamInputs, readIamFile } from '../iam/index.js';
import type { SyncClientOptions, SyncClients } from '../iam/index.js';
import { createSyncClients, syncIam, syncOrganization } from '../iam/index.js';
import { reconcileSnapshot, type Reconciliation } from '../iam/index.js';

/** Lines telling how the configuration replayed from CloudTrail compares with a new snapshot. */
export function formatReconciliation(r: Reconciliation): string[] {
  const head = `account ${r.accountId}: ${r.replayedEvents} IAM change event(s) replayed from the previous snapshot (${r.since}) to this one (${r.until})`;
  if (r.differences.length === 0) return [`${head}: the replayed configuration matches the snapshot`];
  return [`${head}: ${r.differences.length} difference(s) from the snapshot (changes CloudTrail did not show, or not yet ingested):`, ...r.differences.map((d) => `  ${d}`)];
}

/** Formats an import summary as lines for people. */
export function formatImportSummary(summary: ImportSummary): string[] {
  const lines: string[] = [];
  for (const s of summary.snapshots) {
    lines.push(
      `account ${s.accountId}: ${s.users} users, ${s.roles} roles, ${s.groups} groups, ${s.policies} managed policies` +
        (s.awsManagedFromData ? ` (${s.awsManagedFromData} AWS-managed resolved from shipped data)` : ''),
    );
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
    if (s.unresolvedPolicyArns.length) {
      lines.push(`  ${s.unresolvedPolicyArns.length} unresolved policies (permissions they grant are not counted):`);
      for (const arn of s.unresolvedPolicyArns) lines.push(`    ${arn}`);
    }
  }
  for (const c of summary.credentialReports) lines.push(`account ${c.accountId}: credential report with ${c.users} users`);
  for (const s of summary.scps) {
    lines.push(
      `SCPs for ${s.accounts} accounts` + (s.managementAccounts.length ? ` (management account ${s.managementAccounts.join(', ')} exempt)` : ''),
    );
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
  }
  for (const w of summary.warnings ?? []) lines.push(`warning: ${w}`);
  if (lines.length === 0) lines.push('nothing imported');
  return lines;
}

function wrap(err: unknown): never {
  if (err instanceof CliError) throw err;
  throw new CliError(err instanceof Error ? err.message : String(err));
}

export interface IamCommandDeps {
  /** Clients for `iam sync`, also called per member account with its role (tests inject mocks). */
  syncClients?: (opts: SyncClientOptions) => SyncClients & { credentials?: SyncClientOptions['masterCredentials'] };
  out?: (line: string) => void;
}

export function registerIam(program: Command, deps: IamCommandDeps = {}): void {
  const out = deps.out ?? ((line: string) => process.stdout.write(terminalLine(line)));
  const iam = program.command('iam').description('IAM configuration: snapshots, credential reports, SCPs');

  addDbOption(
    iam
      .command('import')
      .description(
        'import get-account-authorization-details JSON (several files or pages of one account merge), credential report CSV and SCP export JSON; the kind is detected from content',
      )
      .argument('[files...]', 'files to import (.json, .csv, optionally .gz)')
      .option('--credential-report <file>', 'an IAM credential report (CSV or the GetCredentialReport JSON)')
      .option('--scps <file>', 'an SCP export: {"policies":[{"id","name","document","targets"}],"accounts":[{"id","parents"}]}')
      .option('--account-id <id>', 'account for authorization details that name none')
      .option(
        '--taken-at <time>',
        "when the files were exported (ISO-8601, or 7d / 12h ago); --as-of picks snapshots by it (default: a credential report's generated time, else now)",
      )
      .option('--json', 'print the summary as JSON'),
  ).action(async (files: string[], opts: { db?: string; credentialReport?: string; scps?: string; accountId?: string; takenAt?: string; json?: boolean }) => {
    if (files.length === 0 && !opts.credentialReport && !opts.scps) {
      throw new CliError('nothing to import: give authorization-details files, --credential-report or --scps');
    }
    const takenAt = opts.takenAt === undefined ? undefined : parseTime(opts.takenAt);
    if (takenAt !== undefined && Date.parse(takenAt) > Date.now() + 60_000) {
      throw new CliError(`--taken-at ${opts.takenAt} is in the future: give the time the files were exported`);
    }
    let inputs: DetectedInput[];
    try {
      inputs = await Promise.all([
        ...files.map((f) => readIamFile(f)),
        ...(opts.credentialReport ? [readIamFile(opts.credentialReport, 'credential-report')] : []),
        ...(opts.scps ? [readIamFile(opts.scps, 'scps')] : []),
      ]);
    } catch (err) {
      wrap(err);
    }
    const summary = await withStore(opts, async (store) => {
      try {
        const r = await importIamInputs(inputs, new IamRepository(store.iam), {
          ...(opts.accountId ? { accountId: opts.accountId } : {}),
          ...(takenAt ? { takenAt } : {}),
        });
        const reconciliation: Reconciliation[] = [];
        for (const snap of r.snapshots) {
          const rec = await reconcileSnapshot(store, snap, takenAt ?? snap.importedAt);
          if (rec) reconciliation.push(rec);
        }
        return { ...r.summary, reconciliation };
      } catch (err) {
        wrap(err);
      }
    });
    if (opts.json) printJson(summary);
    else [...formatImportSummary(summary), ...summary.reconciliation.flatMap(formatReconciliation)].forEach(out);
  });

  addDbOption(
    iam
      .command('sync')
      .description(
        'pull GetAccountAuthorizationDetails, the credential report and Organizations SCPs with the AWS SDK (default credentials or --role-arn)',
      )
      .option('--role-arn <arn>', 'role to assume for the pull')
      .option('--external-id <id>', 'external id for --role-arn')
      .option('--region <region>', 'AWS region for the API endpoints')
      .option('--no-credential-report', 'skip the credential report')
      .option('--no-scps', 'skip Organizations SCPs')
      .option(
        '--org-role-name <name>',
        'also pull every member account of the Organization through this role in each (e.g. a read-only audit role); needs Organizations access',
      )
      .option('--json', 'print the summary as JSON'),
  ).action(
    async (opts: {
      db?: string;
      roleArn?: string;
      externalId?: string;
      region?: string;
      credentialReport: boolean;
      scps: boolean;
      orgRoleName?: string;
      json?: boolean;
    }) => {
      if (opts.externalId && !opts.roleArn) throw new CliError('--external-id needs --role-arn');
      const clientOpts = {
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.roleArn ? { roleArn: opts.roleArn } : {}),
        ...(opts.externalId ? { externalId: opts.externalId } : {}),
      };
      const factory = deps.syncClients ?? createSyncClients;
      const clients = factory(clientOpts);
      const orgRole = opts.orgRoleName;
      if (orgRole && !opts.scps) throw new CliError('--org-role-name needs SCPs/Organizations access; drop --no-scps');
      const result = orgRole
        ? await syncOrganization(clients, {
            credentialReport: opts.credentialReport,
            clientsFor: (accountId) =>
              factory({
                ...(opts.region ? { region: opts.region } : {}),
                roleArn: `arn:aws:iam::${accountId}:role/${orgRole}`,
                ...(opts.externalId ? { externalId: opts.externalId } : {}),
                ...(clients.credentials ? { masterCredentials: clients.credentials } : {}),
              }),
          })
        : await syncIam(clients, { credentialReport: opts.credentialReport, scps: opts.scps });
      if (result.inputs.length === 0) {
        throw new CliError(`nothing could be read: ${result.problems.map((p) => p.message).join('; ')}`);
      }
      const summary = await withStore(opts, async (store) => {
        try {
          return (await importIamInputs(result.inputs, new IamRepository(store.iam))).summary;
        } catch (err) {
          wrap(err);
        }
      });
      if (opts.json) printJson({ ...summary, problems: result.problems });
      else {
        formatImportSummary(summary).forEach(out);
        for (const p of result.problems) out(`warning: ${p.part}${p.accountId ? ` (${p.accountId})` : ''}: ${p.message}`);
      }
      // SCPs or the credential report missing is common (member accounts); no snapshot is not
      if (result.problems.some((p) => p.part === 'authorization-details' && !p.accountId)) process.exitCode = 2;
    },
  );
}
