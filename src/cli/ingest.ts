/**
 * `trailscope ingest`: long-polls the SQS queue(s) that announce new CloudTrail files, and
 * ingests each file exactly once. Many `ingest` processes on many machines may share one queue
 * and one database. See src/ingest/worker.ts for the delivery guarantees.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { addDbOption, addSigmaDirOption, withIngestStore, parsePositiveInt, CliError } from './common.js';
import { createClients, connectionOf, loadConfig, resolveConnectors, ConfigError } from '../aws/index.js';
import type { ConnectorConfig, ConnectorFlags, AwsClients } from '../aws/index.js';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { processObject } from '../ingest/object.js';
import { backfillDays, auditAndRepair } from '../ingest/backfill.js';
import { createLogger } from '../ingest/log.js';
import type { LogFormat, Logger } from '../ingest/log.js';
import { defaultConcurrency } from '../ingest/worker.js';
import { runIngestService } from '../ingest/service.js';
import { ConnectorError, selectConnectors } from '../connectors/index.js';
import type { Store } from '../store/index.js';
import type { ConnectorRuntime } from '../ingest/service.js';

interface IngestOptions {
  db?: string;
  sigmaDir?: string[];
  queueUrl?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  endpointUrl?: string;
  roleArn?: string;
  externalId?: string;
  config?: string;
  connector?: string;
  concurrency?: number;
  maxReceives: number;
  exitWhenIdle?: boolean;
  backfillDays?: number;
  auditInterval?: number;
  logFormat: LogFormat;
  waitTimeSeconds: number;
  graceSeconds: number;
  progressInterval: number;
  retryBaseSeconds: number;
}

function parseIntIn(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/**
 * The connectors to run: `--connector NAME` from the database, a `--config` file (imported into
 * the database), a one-off connector from --queue-url and its flags, or every enabled connector.
 */
async function connectorsOf(store: Store, opts: IngestOptions): Promise<ConnectorConfig[]> {
  const flags: ConnectorFlags = {};
  if (opts.queueUrl !== undefined) flags.queueUrl = opts.queueUrl;
  if (opts.bucket !== undefined) flags.bucket = opts.bucket;
  if (opts.prefix !== undefined) flags.prefix = opts.prefix;
  if (opts.region !== undefined) flags.region = opts.region;
  if (opts.endpointUrl !== undefined) flags.endpointUrl = opts.endpointUrl;
  if (opts.roleArn !== undefined) flags.roleArn = opts.roleArn;
  if (opts.externalId !== undefined) flags.externalId = opts.externalId;
  try {
    if (!opts.config && !opts.connector && opts.queueUrl) {
      // The bucket is only needed for --backfill-days and the audit: messages name their bucket.
      const c = resolveConnectors(undefined, { ...flags, bucket: opts.bucket ?? 'unknown-bucket' });
      return opts.bucket ? c : c.map((x) => ({ ...x, bucket: '' }));
    }
    const config = opts.config ? await loadConfig(opts.config) : undefined;
    return await selectConnectors(store, { ...(config ? { config } : {}), ...(opts.connector ? { only: opts.connector } : {}), flags, oneOffNeeds: 'queueUrl' });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ConnectorError) throw new CliError(err.message);
    throw err;
  }
}

export function registerIngest(program: Command): void {
  addDbOption(
    addSigmaDirOption(program.command('ingest'))
      .description(
        'Ingest CloudTrail log files announced on SQS (S3 event notifications, SNS, CloudTrail SNS or EventBridge). Deletes a message only after all its files are committed; runs until SIGINT/SIGTERM.',
      )
      .option('--queue-url <url>', 'SQS queue URL')
      .option('--bucket <name>', 'the trail bucket (needed only for --backfill-days and --audit-interval)')
      .option('--prefix <prefix>', "the trail's S3 key prefix, without AWSLogs/ (backfill and audit)")
      .option('--region <region>', 'AWS region of the queue (default from the environment)')
      .option('--endpoint-url <url>', 'S3/SQS-compatible endpoint (LocalStack, MinIO, fauxqs)')
      .option('--role-arn <arn>', 'role to assume for reading the queue and the bucket')
      .option('--external-id <id>', "ExternalId required by the role's trust policy")
      .option('--config <file>', 'YAML file of connectors: imported into the database (idempotent), then they run together')
      .option('--connector <name>', 'run only this connector of the database (or of --config); flags override its fields')
      .option('--concurrency <n>', `messages in flight per connector (default ${defaultConcurrency()}: 8 × cores, at most 64)`, parsePositiveInt('--concurrency'))
      .option('--max-receives <n>', 'receives before a message that keeps failing is quarantined (ignored when the queue has a redrive policy)', parsePositiveInt('--max-receives'), 5)
      .option('--exit-when-idle', 'exit 0 once a receive returns nothing and nothing is in flight (and the backfill is over)')
      .option('--backfill-days <n>', 'on first start, also ingest the last N days from the bucket (once; remembered in the store)', parsePositiveInt('--backfill-days'))
      .option('--audit-interval <minutes>', 'every N minutes, compare recent bucket keys with what was ingested and ingest what no notification announced', parsePositiveInt('--audit-interval'))
      .addOption(new Option('--log-format <format>', 'stderr log lines').choices(['text', 'json']).default('text'))
      .option('--wait-time-seconds <n>', 'SQS long-poll wait (0-20)', parseIntIn('--wait-time-seconds', 0, 20), 20)
      .option('--grace-seconds <n>', 'on SIGINT/SIGTERM, time in-flight messages get to finish before they are released', parseIntIn('--grace-seconds', 0, 3600), 25)
      .option('--progress-interval <seconds>', 'progress line interval (0 = off)', parseIntIn('--progress-interval', 0, 86_400), 60)
      .option('--retry-base-seconds <n>', 'first retry delay of a transiently failed message, doubled per receive', parseIntIn('--retry-base-seconds', 0, 900), 30),
  )
    .addHelpText(
      'after',
      `
Examples:
  trailscope ingest --queue-url https://sqs.eu-west-1.amazonaws.com/111122223333/trailscope --db trailscope.db
  trailscope ingest --connector prod
  trailscope ingest                      # every enabled connector in the database
  trailscope ingest --config trailscope.yaml --backfill-days 7 --audit-interval 60 --log-format json

IAM: sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility, sqs:GetQueueAttributes on
the queue; s3:GetObject (and kms:Decrypt for SSE-KMS trails) on the bucket; s3:ListBucket for
--backfill-days and --audit-interval.

Exit codes: 0 stopped cleanly (signal or --exit-when-idle), 1 a connector could not run.`,
    )
    .action(async (opts: IngestOptions) => {
      const log = createLogger(opts.logFormat);
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          log.info('stopping: no new messages; in-flight ones finish or are released', { signal: sig, graceSeconds: opts.graceSeconds });
          stop.abort();
        } else {
          // A second signal: leave now. Unfinished messages reappear after their visibility timeout;
          // commits are atomic, so nothing is lost or doubled.
          log.warn('second signal: exiting immediately', { signal: sig });
          process.exit(130);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      const clientsByConnector: AwsClients[] = [];
      try {
        const result = await withIngestStore(opts, async (store) => {
          // The queue URL names its region (https://sqs.<region>.amazonaws.com/...): use it when none is given.
          const connectors = (await connectorsOf(store, opts)).map((c) => {
            const m = c.queueUrl && !c.region ? /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(c.queueUrl) : null;
            return m ? { ...c, region: m[1]! } : c;
          });
          const missingQueue = connectors.filter((c) => !c.queueUrl);
          if (missingQueue.length === connectors.length) {
            throw new CliError(`no queueUrl for connector(s) ${missingQueue.map((c) => c.name).join(', ')}: add queueUrl to the config or pass --queue-url`);
          }
          if ((opts.backfillDays || opts.auditInterval) && connectors.some((c) => !c.bucket)) {
            throw new CliError('--backfill-days and --audit-interval need the bucket: pass --bucket (or set bucket in --config)');
          }
          const runtimes: ConnectorRuntime<ConnectorConfig>[] = connectors.map((connector) => {
            const clients = createClients(connectionOf(connector));
            clientsByConnector.push(clients);
            const scope = {
              ...(connector.prefix ? { prefix: connector.prefix } : {}),
              ...(connector.accountId ? { accountIds: [connector.accountId] } : {}),
            };
            return {
              connector,
              sqs: clients.sqs,
              processFile: (f) => processObject({ store, clients, connector: connector.name, bucket: f.bucket, key: f.key, ...(f.etag ? { etag: f.etag } : {}), ...(f.size !== undefined ? { size: f.size } : {}) }),
              backfill: async (days, signal) => {
                const summary = await backfillDays({
                  store,
                  clients,
                  connector: connector.name,
                  bucket: connector.bucket,
                  ...scope,
                  ...(connector.organizationId ? { orgIds: [connector.organizationId] } : {}),
                  days,
                  signal,
                  onFailure: (f) => log.warn('backfill: file failed', { connector: connector.name, bucket: f.bucket, key: f.key, kind: f.kind, code: f.code, reason: f.reason, fix: f.fix }),
                });
                log.info('backfill summary', { connector: connector.name, listed: summary.listed, imported: summary.imported, alreadyDone: summary.alreadyDone, eventsNew: summary.eventsNew, duplicates: summary.duplicates, failed: summary.failed, seconds: summary.seconds });
                return summary;
              },
              audit: async (signal) => {
                // A backlog on the queue is not a missing notification: audit once it is worked off.
                const backlog = await queueBacklog(clients, connector.queueUrl, log, connector.name);
                if (backlog > 0) return { missing: 0, skipped: `${backlog} message(s) waiting on the queue` };
                const hours = Math.max(1, Math.ceil((2 * (opts.auditInterval ?? 60)) / 60));
                const r = await auditAndRepair({ store, clients, connector: connector.name, bucket: connector.bucket, ...scope, hours, signal });
                for (const f of r.failures) log.warn('audit: file failed', { connector: connector.name, bucket: f.bucket, key: f.key, code: f.code, reason: f.reason, fix: f.fix });
                return { missing: r.missing, sample: r.sample, ingested: r.ingested, listed: r.listed };
              },
            };
          });
          return runIngestService({
            runtimes,
            store,
            log,
            signal: stop.signal,
            worker: {
              ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
              maxReceives: opts.maxReceives,
              waitTimeSeconds: opts.waitTimeSeconds,
              exitWhenIdle: opts.exitWhenIdle === true,
              graceMs: opts.graceSeconds * 1000,
              progressEveryMs: opts.progressInterval * 1000,
              retryBaseSeconds: opts.retryBaseSeconds,
            },
            ...(opts.backfillDays ? { backfillDays: opts.backfillDays } : {}),
            ...(opts.auditInterval ? { auditIntervalMinutes: opts.auditInterval } : {}),
          });
        });
        if (result.failed.length > 0) {
          throw new CliError(result.failed.map((f) => `connector ${f.connector}: ${f.error}`).join('\n'));
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        for (const c of clientsByConnector) c.destroy();
      }
    });
}

async function queueBacklog(clients: AwsClients, queueUrl: string | undefined, log: Logger, connector: string): Promise<number> {
  if (!queueUrl) return 0;
  try {
    const out = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) || 0;
  } catch (err) {
    log.warn('audit: cannot read the queue backlog; auditing anyway', { connector, error: (err as Error).name });
    return 0;
  }
}
