/**
 * `trailscope ingest`: long-polls the SQS queue(s) that announce new CloudTrail files, and
 * ingests each file exactly once. Many `ingest` processes on many machines may share one queue
 * and one database. See src/ingest/worker.ts for the delivery guarantees.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { addDbOption, addSigmaDirOption, withIngestStore, parsePositiveInt, CliError } from './common.js';
import { addRetentionDaysOption } from './retention.js';
import type { ConnectorFlags } from '../aws/index.js';
import { createLogger } from '../ingest/index.js';
import type { LogFormat } from '../ingest/index.js';
import { defaultConcurrency } from '../ingest/index.js';
import { ingestionConnectors, runIngestion, UseCaseError } from '../app/index.js';

interface IngestOptions {
  db?: string;
  retentionDays?: number;
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

/** The flags of a one-off connector (or overriding the fields of --connector / --config's). */
function flagsOf(opts: IngestOptions): ConnectorFlags {
  const flags: ConnectorFlags = {};
  if (opts.queueUrl !== undefined) flags.queueUrl = opts.queueUrl;
  if (opts.bucket !== undefined) flags.bucket = opts.bucket;
  if (opts.prefix !== undefined) flags.prefix = opts.prefix;
  if (opts.region !== undefined) flags.region = opts.region;
  if (opts.endpointUrl !== undefined) flags.endpointUrl = opts.endpointUrl;
  if (opts.roleArn !== undefined) flags.roleArn = opts.roleArn;
  if (opts.externalId !== undefined) flags.externalId = opts.externalId;
  return flags;
}

export function registerIngest(program: Command): void {
  addDbOption(
    addRetentionDaysOption(
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
    ),
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

Memory: between full collections V8's heap grows to about twice what the worker holds
(TRAILSCOPE_HEAP_GROWING_PERCENT, default 100; 0 leaves V8's own sizing; a
--max-old-space-size given to Node in NODE_OPTIONS also leaves it alone).

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

      try {
        const result = await withIngestStore(opts, async (store) => {
          try {
            const connectors = await ingestionConnectors(store, { configFile: opts.config, connector: opts.connector, flags: flagsOf(opts) });
            return await runIngestion(store, connectors, opts, log, stop.signal);
          } catch (err) {
            if (err instanceof UseCaseError) throw new CliError(err.message);
            throw err;
          }
        });
        if (result.failed.length > 0) {
          throw new CliError(result.failed.map((f) => `connector ${f.connector}: ${f.error}`).join('\n'));
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
