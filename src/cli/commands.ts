import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

/**
 * Every command, by name, with the one-line summary `trailscope --help` lists.
 * A command's module (and whatever it imports: the AWS SDK, the IAM libraries,
 * the analysis) is loaded only when that command runs, so `--help`, `--version`
 * and light commands start as fast as Node itself. One entry per command; each
 * command lives in its own file.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<RegisterCommand>;
}

export const commandIndex: readonly CommandEntry[] = [
  { name: 'generate', summary: 'Write a synthetic AWS organization with planted cases and their known answers', load: async () => (await import('./generate.js')).registerGenerate },
  { name: 'import', summary: 'Import CloudTrail files from files or directories (idempotent)', load: async () => (await import('./import.js')).registerImport },
  { name: 'events', summary: 'List stored events', load: async () => (await import('./events.js')).registerEvents },
  { name: 'iam', summary: 'IAM configuration: snapshots, credential reports, SCPs', load: async () => (await import('./iam.js')).registerIam },
  { name: 'identities', summary: 'IAM users and roles with granted, used, unused and unknown actions', load: async () => (await import('./identities.js')).registerIdentities },
  { name: 'findings', summary: 'Run the CIEM rules and print their findings', load: async () => (await import('./findings.js')).registerFindings },
  { name: 'suppress', summary: 'Suppress a finding, with a reason and an optional end', load: async () => (await import('./suppress.js')).registerSuppress },
  { name: 'unsuppress', summary: 'Lift the suppression of a finding', load: async () => (await import('./suppress.js')).registerUnsuppress },
  { name: 'policy', summary: 'Least-privilege policies from observed use', load: async () => (await import('./policy.js')).registerPolicy },
  { name: 'paths', summary: 'Attack paths to admin-equivalent principals', load: async () => (await import('./paths.js')).registerPaths },
  { name: 'coverage', summary: 'Which parts of the window CloudTrail logs cover, per account and region', load: async () => (await import('./coverage.js')).registerCoverage },
  { name: 'status', summary: 'Ingestion status per connector and account, with health problems and fixes', load: async () => (await import('./status.js')).registerStatus },
  { name: 'connector', summary: 'The trails trailscope reads: add, list, show, edit, enable, disable, remove, import', load: async () => (await import('./connector.js')).registerConnector },
  { name: 'onboard', summary: 'The CloudFormation that grants trailscope read access to a connector\'s trail', load: async () => (await import('./onboard.js')).registerOnboard },
  { name: 'doctor', summary: 'Validate and troubleshoot ingestion for each connector, with fixes', load: async () => (await import('./doctor.js')).registerDoctor },
  { name: 'demo', summary: 'The whole pipeline live on an emulated AWS, no account needed: generated trail, notifications, ingestion, console', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'serve', summary: 'Run the service: ingestion, IAM sync, analysis and the HTTP API', load: async () => (await import('./serve.js')).registerServe },
  { name: 'ingest', summary: 'Ingest CloudTrail files announced on SQS until stopped', load: async () => (await import('./ingest.js')).registerIngest },
  { name: 'backfill', summary: 'Import what a trail already delivered to its S3 bucket', load: async () => (await import('./backfill.js')).registerBackfill },
  { name: 'detect', summary: 'Run the event detection rules over stored events', load: async () => (await import('./detect.js')).registerDetect },
  { name: 'retention', summary: 'How many days of events the store keeps: show, set, apply now', load: async () => (await import('./retention.js')).registerRetention },
  { name: 'migrate', summary: 'Copy a store into another (SQLite to PostgreSQL and back), counts compared', load: async () => (await import('./migrate.js')).registerMigrate },
  { name: 'drift', summary: 'The configuration change timeline', load: async () => (await import('./drift.js')).registerDrift },
];

/**
 * The command an argument vector runs (`trailscope help X` counts as X), or
 * undefined for `--help`, `--version` and no command. The program itself takes
 * no option with a value, so the first word that is not an option is the command.
 */
export function invokedCommand(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  if (words[0] === 'help') return words[1];
  return words[0];
}
