import type { Command } from 'commander';
import { escapeForTerminal, terminalLine } from '../model/index.js';
import { addDbOption, withIngestStore, CliError, parseTime, parsePositiveInt } from './common.js';
import { createClients, connectionOf, loadConfig, ConfigError } from '../aws/index.js';
import type { ConnectorConfig } from '../aws/index.js';
import { ConnectorError, selectConnectors } from '../connectors/index.js';
import type { ConnectorFlags } from '../aws/index.js';
import { runBackfill, MAX_BACKFILL_DAYS } from '../ingest/index.js';
import type { BackfillSummary, BackfillProgress } from '../ingest/index.js';
import { SourceError } from '../sources/index.js';

interface BackfillCliOptions {
  db?: string;
  config?: string;
  connector?: string;
  bucket?: string;
  prefix?: string;
  days?: number;
  since?: string;
  until?: string;
  account?: string[];
  organizationId?: string;
  region?: string[];
  awsRegion?: string;
  endpointUrl?: string;
  roleArn?: string;
  externalId?: string;
  profile?: string;
  concurrency?: number;
  digests?: boolean;
  insights?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function registerBackfill(program: Command): void {
  addDbOption(
    program
      .command('backfill')
      .description('Import what a trail already delivered to its S3 bucket, by delivery time: every account (organization trails too) and region. Resumable and safe beside `ingest`.')
      .option('--bucket <name>', 'the trail bucket')
      .option('--prefix <prefix>', "the trail's S3 key prefix, without AWSLogs/")
      .option('--days <n>', `the last N days (default 7, at most ${MAX_BACKFILL_DAYS}; use --since for more)`, parsePositiveInt('--days'))
      .option('--since <time>', 'start of the delivery-time range: ISO-8601 or 7d / 12h ago (no limit)')
      .option('--until <time>', 'end of the range, exclusive (default now)')
      .option('--account <id>', 'only this account folder (repeatable, or comma-separated)', collect)
      .option('--organization-id <o-id>', 'only this organization folder')
      .option('--region <region>', 'only this CloudTrail region folder (repeatable, or comma-separated)', collect)
      .option('--aws-region <region>', 'AWS region for API calls (default from the environment; S3 follows the bucket)')
      .option('--endpoint-url <url>', 'S3-compatible endpoint (LocalStack, MinIO, fauxqs)')
      .option('--role-arn <arn>', 'role to assume for reading the bucket')
      .option('--external-id <id>', "ExternalId required by the role's trust policy")
      .option('--profile <name>', 'shared-config profile for the base credentials')
      .option('--config <file>', 'YAML file of connectors: imported into the database (idempotent), then backfilled')
      .option('--connector <name>', 'backfill this connector of the database (default: every enabled one, or those of --config)')
      .option('--concurrency <n>', 'files imported at once (default 8)', parsePositiveInt('--concurrency'))
      .option('--insights', 'also import CloudTrail Insights files (CloudTrail-Insight/ folders)')
      .option('--digests', 'also record digest files (they hold no events; not downloaded)')
      .option('--json', 'print the summary as JSON on stdout'),
  )
    .addHelpText(
      'after',
      `
Examples:
  trailscope backfill --bucket org-trail-archive --days 30
  trailscope backfill --bucket logs --prefix trails/prod --since 2026-01-01T00:00:00Z --until 2026-02-01T00:00:00Z
  trailscope backfill --connector org --days 90 --account 111122223333 --region eu-west-1

Interrupt it any time (Ctrl-C): a rerun with the same range continues where it stopped.
Exit codes: 0 ok, 2 when any file failed (each is named on stderr with the reason and the fix).`,
    )
    .action(async (opts: BackfillCliOptions) => {
      if (opts.days !== undefined && opts.since !== undefined) throw new CliError('give --days or --since, not both');
      if (opts.days !== undefined && opts.days > MAX_BACKFILL_DAYS) {
        throw new CliError(`--days is at most ${MAX_BACKFILL_DAYS}; for a longer history give the start explicitly with --since`);
      }
      const now = new Date();
      const until = opts.until ? parseTime(opts.until, now) : now.toISOString();
      const since = opts.since ? parseTime(opts.since, now) : new Date(Date.parse(until) - (opts.days ?? 7) * 86_400_000).toISOString();
      if (since >= until) throw new CliError(`--since (${since}) must be before --until (${until})`);

      const flags: ConnectorFlags = {};
      if (opts.bucket) flags.bucket = opts.bucket;
      if (opts.prefix !== undefined) flags.prefix = opts.prefix;
      if (opts.organizationId) flags.organizationId = opts.organizationId;
      if (opts.awsRegion) flags.region = opts.awsRegion;
      if (opts.endpointUrl) flags.endpointUrl = opts.endpointUrl;
      if (opts.roleArn) flags.roleArn = opts.roleArn;
      if (opts.externalId) flags.externalId = opts.externalId;
      for (const a of opts.account ?? []) if (!/^\d{12}$/.test(a)) throw new CliError(`--account: "${a}" is not a 12-digit account id`);

      const tty = process.stderr.isTTY === true;
      const summaries: (BackfillSummary & { connector: string })[] = [];
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        if (tty) process.stderr.write('\r\x1b[K');
        process.stderr.write('trailscope: stopping; files in flight finish (Ctrl-C again to quit now). Rerun to continue.\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await withIngestStore(opts, async (store) => {
          let connectors: ConnectorConfig[];
          try {
            const config = opts.config ? await loadConfig(opts.config) : undefined;
            connectors = await selectConnectors(store, { ...(config ? { config } : {}), ...(opts.connector ? { only: opts.connector } : {}), flags, oneOffNeeds: 'bucket' });
          } catch (err) {
            if (err instanceof ConfigError || err instanceof ConnectorError) throw new CliError(err.message);
            throw err;
          }
          for (const connector of connectors) {
            if (stop.signal.aborted) break;
            const clients = createClients({ ...connectionOf(connector), ...(opts.profile ? { profile: opts.profile } : {}) });
            let lastDraw = 0;
            try {
              const accountIds = opts.account?.length ? opts.account : connector.accountId ? [connector.accountId] : undefined;
              const orgIds = connector.organizationId ? [connector.organizationId] : undefined;
              const s = await runBackfill({
                store,
                clients,
                connector: connector.name,
                bucket: connector.bucket,
                ...(connector.prefix ? { prefix: connector.prefix } : {}),
                since,
                until,
                ...(accountIds ? { accountIds } : {}),
                ...(orgIds ? { orgIds } : {}),
                ...(opts.region?.length ? { regions: opts.region } : {}),
                ...(opts.digests || opts.insights
                  ? { kinds: ['events' as const, ...(opts.insights ? ['insight' as const] : []), ...(opts.digests ? ['digest' as const] : [])] }
                  : {}),
                ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
                signal: stop.signal,
                onProgress: (p) => {
                  if (!tty || Date.now() - lastDraw < 200) return;
                  lastDraw = Date.now();
                  process.stderr.write(`\r\x1b[K${escapeForTerminal(progressLine(connector.name, p))}`);
                },
                onFailure: (f) => {
                  if (tty) process.stderr.write('\r\x1b[K');
                  process.stderr.write(terminalLine(`trailscope: failed (${f.kind}, ${f.code}): s3://${f.bucket}/${f.key}: ${f.reason} (fix: ${f.fix})`));
                },
              });
              summaries.push({ ...s, connector: connector.name });
            } catch (err) {
              if (err instanceof SourceError) throw new CliError(`connector ${connector.name}: ${err.reason} (fix: ${err.fix})`);
              if (err instanceof RangeError) throw new CliError(err.message);
              throw err;
            } finally {
              if (tty) process.stderr.write('\r\x1b[K');
              clients.destroy();
            }
          }
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      printSummaries(summaries, opts.json === true);
      const failed = summaries.reduce((n, s) => n + s.failed, 0);
      if (failed > 0) throw new CliError(`${failed} file(s) failed; see the lines above for each reason and fix`, 2);
      if (stop.signal.aborted) throw new CliError('interrupted; run the same command again to continue', 130);
    });
}

function progressLine(connector: string, p: BackfillProgress): string {
  const total = p.listingDone ? `${p.listed}` : `${p.listed}+ (listing)`;
  return `${connector}: ${p.finished}/${total} files, ${p.eventsNew} new events (${p.eventsPerSecond}/s), ${p.alreadyDone} already done, ${p.failed} failed`;
}

function printSummaries(list: (BackfillSummary & { connector: string })[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(list.length === 1 ? list[0] : list) + '\n');
    return;
  }
  for (const s of list) {
    const lines = [
      `connector:     ${s.connector} (s3://${s.bucket}/${s.prefix ? `${s.prefix}/` : ''}AWSLogs/, ${s.since} .. ${s.until})`,
      `files listed:  ${s.listed}${s.resumedFolders ? ` (${s.resumedFolders} region folder(s) resumed from an earlier run)` : ''}`,
      `imported:      ${s.imported}`,
      `events new:    ${s.eventsNew}`,
      `duplicates:    ${s.duplicates}`,
      `already done:  ${s.alreadyDone}`,
      `skipped:       ${s.skipped}`,
      `failed:        ${s.failed}`,
      `time:          ${s.seconds.toFixed(1)}s${s.seconds > 0 ? ` (${Math.round(s.eventsNew / s.seconds)} events/s)` : ''}`,
    ];
    if (s.rejectedRecords) lines.push(`rejected records: ${s.rejectedRecords}`);
    if (s.aborted) lines.push('interrupted: run the same command again to continue');
    else if (s.listed === 0 && s.resumedFolders > 0) lines.push('already complete: earlier runs covered this range');
    else if (s.listed === 0) lines.push('nothing to import in this range (wrong --prefix or --bucket? the keys must be under [prefix/]AWSLogs/)');
    process.stdout.write(lines.map(terminalLine).join(''));
  }
}
