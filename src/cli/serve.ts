/** `trailscope serve`: ingestion, IAM sync, analysis and the HTTP API in one process. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { addDbOption, addSigmaDirOption, CliError, parsePositiveInt, withIngestStore } from './common.js';
import { createLogger, type LogFormat } from '../ingest/index.js';
import { terminalLine } from '../model/index.js';
import type { Connector } from '../connectors/index.js';
import type { Store } from '../store/index.js';
import { addRetentionDaysOption } from './retention.js';

interface ServeOptions {
  db?: string;
  retentionDays?: number;
  sigmaDir?: string[];
  host: string;
  port: string;
  tokenFile?: string;
  iamSyncHours: string;
  analysisInterval: number;
  connectorPoll: number;
  logFormat: LogFormat;
  concurrency?: number;
  maxReceives: number;
  waitTimeSeconds: number;
  graceSeconds: number;
  retryBaseSeconds: number;
}

function readToken(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new CliError(`--token-file ${file}: ${(err as Error).message}`);
  }
  if (token.length < 16) throw new CliError(`--token-file ${file}: the token must be at least 16 characters (e.g. openssl rand -hex 32 > ${file})`);
  return token;
}

/** IAM sync of one connector with its read role, as `trailscope iam sync --role-arn` does. */
async function syncConnector(store: Store, c: Connector): Promise<void> {
  const { createSyncClients, syncIam, importIamInputs, IamRepository } = await import('../iam/index.js');
  const clients = createSyncClients({ ...(c.region ? { region: c.region } : {}), ...(c.roleArn ? { roleArn: c.roleArn, externalId: c.externalId } : {}) });
  const result = await syncIam(clients, { credentialReport: true, scps: c.type === 'organization' });
  if (result.inputs.length === 0) throw new Error(result.problems.map((p) => p.message).join('; ') || 'nothing could be read');
  await importIamInputs(result.inputs, new IamRepository(store.iam));
}

export function registerServe(program: Command): void {
  addDbOption(
    addRetentionDaysOption(
    addSigmaDirOption(program.command('serve'))
      .description('Run the service: ingestion of every enabled connector, IAM sync on a schedule, analysis after every change, and the HTTP API')
      .option('--host <address>', 'address to listen on; anything but loopback needs --token-file', '127.0.0.1')
      .option('--port <n>', 'port (0: any free port)', '7878')
      .option('--token-file <file>', 'a file holding the API token; every /api call then needs Authorization: Bearer <token>')
      .option('--iam-sync-hours <n>', 'sync each enabled connector\'s IAM configuration with its role every N hours (0: never)', '6')
      .option('--analysis-interval <seconds>', 'how often to look for changes that call for a new analysis', parsePositiveInt('--analysis-interval'), 60)
      .option('--connector-poll <seconds>', 'how often to re-read the enabled connectors', parsePositiveInt('--connector-poll'), 15)
      .addOption(new Option('--log-format <format>', 'stderr log lines').choices(['text', 'json']).default('text'))
      .option('--concurrency <n>', 'messages in flight per connector', parsePositiveInt('--concurrency'))
      .option('--max-receives <n>', 'receives before a failing message is quarantined', parsePositiveInt('--max-receives'), 5)
      .option('--wait-time-seconds <n>', 'SQS long-poll wait (0-20)', (v) => Number(v), 20)
      .option('--grace-seconds <n>', 'on SIGTERM, time in-flight messages get to finish', (v) => Number(v), 25)
      .option('--retry-base-seconds <n>', 'first retry delay of a transiently failed message', (v) => Number(v), 30),
    ),
  )
    .addHelpText('after', '\nExamples:\n  trailscope serve --db trailscope.db\n  trailscope serve --host 0.0.0.0 --port 8443 --token-file /etc/trailscope/token')
    .action(async (opts: ServeOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, got "${opts.port}"`);
      const iamSyncHours = Number(opts.iamSyncHours);
      if (!(iamSyncHours >= 0)) throw new CliError(`--iam-sync-hours must be a number ≥ 0, got "${opts.iamSyncHours}"`);
      const token = opts.tokenFile ? readToken(opts.tokenFile) : undefined;
      const { isLoopback } = await import('../server/index.js');
      if (!isLoopback(opts.host) && !token) throw new CliError(`listening on ${opts.host} needs --token-file (only 127.0.0.1, ::1 and localhost are allowed without a token)`);
      const log = createLogger(opts.logFormat);
      const { startService } = await import('../service/index.js');
      await withIngestStore(opts, async (store) => {
        const service = await startService({
          store,
          log,
          host: opts.host,
          port,
          ...(token ? { token } : {}),
          iamSyncHours,
          syncIam: (c) => syncConnector(store, c),
          analysisPollMs: opts.analysisInterval * 1000,
          connectorPollMs: opts.connectorPoll * 1000,
          ingestion: {
            concurrency: opts.concurrency,
            maxReceives: opts.maxReceives,
            waitTimeSeconds: opts.waitTimeSeconds,
            graceSeconds: opts.graceSeconds,
            progressInterval: 60,
            retryBaseSeconds: opts.retryBaseSeconds,
          },
        });
        process.stderr.write(terminalLine(`trailscope: serving ${service.url}${token ? ' (token required)' : ''}; Ctrl-C or SIGTERM to stop`));
        let signals = 0;
        const onSignal = () => {
          if (++signals > 1) process.exit(130);
          log.info('stopping: in-flight messages finish or are released');
          void service.stop();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          await service.done;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    });
}
