/**
 * `trailscope connector add|list|show|edit|enable|disable|remove|import`: the trails trailscope
 * reads, kept in the database (the one source of truth; `--config` files are imported into it).
 */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { READ_ONLY } from './analysis-options.js';
import { renderTable } from '../analysis/index.js';
import { terminalLine } from '../model/index.js';
import { ConfigError, loadConfig } from '../aws/index.js';
import type { ConnectorFlags } from '../aws/index.js';
import { ConnectorError, importConfig, listConnectors } from '../connectors/index.js';
import type { TrailMode } from '../connectors/index.js';
import { changeConnector, connectorDocument, createConnector, deleteConnector, enableConnector, findConnector, UseCaseError } from '../app/index.js';

interface FieldOptions {
  db?: string;
  type?: 'account' | 'organization';
  bucket?: string;
  prefix?: string;
  queueUrl?: string;
  region?: string;
  accountId?: string;
  organizationId?: string;
  kmsKeyArn?: string;
  roleArn?: string;
  endpointUrl?: string;
  trail?: TrailMode;
  externalId?: string;
}

const FIELDS = ['type', 'bucket', 'prefix', 'queueUrl', 'region', 'accountId', 'organizationId', 'kmsKeyArn', 'roleArn', 'endpointUrl'] as const;

function addFieldOptions(cmd: Command, editing: boolean): Command {
  const clear = editing ? ' ("" clears it)' : '';
  return cmd
    .option('--type <type>', 'account | organization (default: organization when --organization-id is given)')
    .option('--bucket <name>', "the trail's S3 bucket")
    .option('--prefix <prefix>', `the trail's S3 key prefix, without AWSLogs/${clear}`)
    .option('--queue-url <url>', `the SQS queue announcing new files: its URL or its ARN${clear}`)
    .option('--region <region>', `AWS region of the queue and the API calls${clear}`)
    .option('--account-id <id>', `the account (12 digits)${clear}`)
    .option('--organization-id <o-id>', `the organization (o-…)${clear}`)
    .option('--kms-key-arn <arn>', `the KMS key encrypting the trail's files${clear}`)
    .option('--role-arn <arn>', `the read role to assume (with the connector's ExternalId)${clear}`)
    .option('--endpoint-url <url>', `S3/SQS-compatible endpoint${clear}`)
    .option('--trail <mode>', 'existing | new: read a trail that exists, or one the CloudFormation template creates');
}

function flagsOf(opts: FieldOptions): ConnectorFlags {
  const flags: ConnectorFlags = {};
  for (const k of FIELDS) if (opts[k] !== undefined) (flags as Record<string, unknown>)[k] = opts[k];
  return flags;
}

function trailOf(value: string | undefined): TrailMode | undefined {
  if (value === undefined) return undefined;
  if (value !== 'existing' && value !== 'new') throw new CliError(`--trail must be existing or new, got "${value}"`);
  return value;
}

async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConnectorError || err instanceof ConfigError || err instanceof UseCaseError) throw new CliError(err.message);
    throw err;
  }
}

function printShow(doc: Record<string, unknown>): void {
  const lines = Object.entries(doc).map(([k, v]) => `${k.padEnd(14)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  for (const l of lines) process.stdout.write(terminalLine(l));
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerConnector(program: Command): void {
  const connector = program.command('connector').description('The trails trailscope reads (accounts and organizations), kept in the database');

  addDbOption(addFieldOptions(connector.command('add').description('Add a connector; it gets its own random ExternalId').requiredOption('--name <name>', 'a unique name (letters, digits, ., _, -)'), false))
    .option('--external-id <id>', 'use this ExternalId instead of a new random one (a role that already trusts it)')
    .option('--json', 'print the connector as JSON')
    .action(async (opts: FieldOptions & { name: string; json?: boolean }) => {
      const trail = trailOf(opts.trail);
      await withStore(opts, (store) =>
        run(async () => {
          const c = await createConnector(store, { ...flagsOf(opts), name: opts.name, ...(opts.externalId ? { externalId: opts.externalId } : {}), ...(trail ? { trail } : {}) });
          const doc = await connectorDocument(store, c);
          if (opts.json) printJson(doc);
          else {
            process.stdout.write(terminalLine(`added connector ${c.name} (ExternalId ${c.externalId})`));
            process.stdout.write(terminalLine(`next: trailscope onboard cloudformation --connector ${c.name} --out trailscope-${c.name}.yaml, deploy it, then trailscope doctor --connector ${c.name}`));
          }
        }),
      );
    });

  addDbOption(connector.command('list').description('Every connector with its status').option('--json', 'a JSON array'))
    .action(async (opts: { db?: string; json?: boolean }) => {
      await withStore(opts, (store) =>
        run(async () => {
          const docs = await Promise.all((await listConnectors(store)).map((c) => connectorDocument(store, c)));
          if (opts.json) return printJson(docs);
          if (docs.length === 0) {
            process.stderr.write('trailscope: no connector yet: add one with trailscope connector add --name N --bucket B --queue-url U\n');
            return;
          }
          const headers = ['name', 'type', 'status', 'bucket', 'queue', 'files', 'last file'];
          const rows = docs.map((d) => [d.name, d.type, d.status, d.bucket, d.queueUrl ?? '-', (d.ingestion as { files: number }).files, (d.ingestion as { lastFileAt: string | null }).lastFileAt ?? '-'].map(String));
          process.stdout.write(renderTable(headers, rows));
        }),
        READ_ONLY,
      );
    });

  addDbOption(connector.command('show <name>').description('One connector: its settings, ExternalId and status').option('--json', 'a JSON object'))
    .action(async (name: string, opts: { db?: string; json?: boolean }) => {
      await withStore(opts, (store) => run(async () => {
        const doc = await connectorDocument(store, await findConnector(store, name));
        if (opts.json) printJson(doc);
        else printShow(doc);
      }), READ_ONLY);
    });

  addDbOption(addFieldOptions(connector.command('edit <name>').description('Change settings of a connector (name and ExternalId stay)'), true))
    .option('--json', 'print the connector as JSON')
    .action(async (name: string, opts: FieldOptions & { json?: boolean }) => {
      const trail = trailOf(opts.trail);
      const flags = flagsOf(opts);
      if (Object.keys(flags).length === 0 && !trail) throw new CliError('nothing to change: give the fields to set, e.g. --queue-url U');
      await withStore(opts, (store) => run(async () => {
        const c = await changeConnector(store, name, { ...flags, ...(trail ? { trail } : {}) });
        if (opts.json) printJson(await connectorDocument(store, c));
        else process.stdout.write(terminalLine(`updated connector ${c.name}`));
      }), READ_ONLY);
    });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    addDbOption(connector.command(`${verb} <name>`).description(enabled ? 'Resume ingestion and backfill of a connector' : 'Stop ingesting a connector (its data stays until it is removed)'))
      .action(async (name: string, opts: { db?: string }) => {
        await withStore(opts, (store) => run(async () => {
          const c = await enableConnector(store, name, enabled);
          process.stdout.write(terminalLine(`connector ${c.name} ${enabled ? 'enabled' : 'disabled'}${enabled ? '' : ': running ingest and backfill processes leave it at their next start'}`));
        }), READ_ONLY);
      });
  }

  addDbOption(connector.command('remove <name>').description('Remove a connector and what it brought in (the events only it delivered, with their usage, coverage and detections; its ingestion records), after a confirmation').option('--yes', 'do not ask (scripts)').option('--json', 'print what was deleted as JSON'))
    .action(async (name: string, opts: { db?: string; yes?: boolean; json?: boolean }) => {
      await withStore(opts, (store) => run(async () => {
        const c = await findConnector(store, name);
        if (!opts.yes) {
          if (!process.stdin.isTTY) throw new CliError(`removing connector ${c.name} deletes the events only it delivered and its ingestion records: confirm with --yes`);
          if (!(await confirm(`Remove connector ${c.name}, the events only it delivered and its ingestion records? [y/N] `))) throw new CliError('nothing removed');
        }
        const { deleted: removed } = await deleteConnector(store, name);
        if (opts.json) return printJson({ connector: name, deleted: removed });
        const parts = Object.entries(removed).map(([k, v]) => `${v} ${k}`);
        process.stdout.write(terminalLine(`removed connector ${name}: deleted ${parts.join(', ')}`));
      }), READ_ONLY);
    });

  addDbOption(connector.command('import').description('Import the connectors of a YAML --config file (idempotent)').requiredOption('--config <file>', 'the YAML file').option('--json', 'print what changed as JSON'))
    .action(async (opts: { db?: string; config: string; json?: boolean }) => {
      await withStore(opts, (store) => run(async () => {
        const result = await importConfig(store, await loadConfig(opts.config));
        if (opts.json) return printJson(result);
        process.stdout.write(terminalLine(`connectors: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged`));
      }));
    });
}
