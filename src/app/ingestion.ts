/**
 * The ingestion runtime, shared by `trailscope ingest` and `trailscope serve`: one SQS worker per
 * connector (with its backfill and audit), until `signal` aborts or, with exitWhenIdle, the
 * queues are empty. See src/ingest/service.ts for the delivery guarantees.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ConfigError, createClients, connectionOf, loadConfig, resolveConnectors } from '../aws/index.js';
import type { AwsClients, ConnectorConfig, ConnectorFlags } from '../aws/index.js';
import { ConnectorError, selectConnectors } from '../connectors/index.js';
import { processObject, ParsePool, defaultParseThreads } from '../ingest/index.js';
import { backfillDays, auditAndRepair } from '../ingest/index.js';
import type { Logger } from '../ingest/index.js';
import { runIngestService } from '../ingest/index.js';
import type { ConnectorRuntime } from '../ingest/index.js';
import type { Store } from '../store/index.js';
import { UseCaseError } from './errors.js';

export interface IngestionOptions {
  concurrency?: number | undefined;
  maxReceives: number;
  waitTimeSeconds: number;
  exitWhenIdle?: boolean | undefined;
  graceSeconds: number;
  progressInterval: number;
  retryBaseSeconds: number;
  backfillDays?: number | undefined;
  auditInterval?: number | undefined;
}

/**
 * The connectors `ingest` runs: `connector` from the database, a `configFile` (imported into the
 * database), a one-off connector from the flags' queue URL, or every enabled connector.
 */
export async function ingestionConnectors(store: Store, sel: { configFile?: string | undefined; connector?: string | undefined; flags: ConnectorFlags }): Promise<ConnectorConfig[]> {
  try {
    if (!sel.configFile && !sel.connector && sel.flags.queueUrl) {
      // The bucket is only needed for --backfill-days and the audit: messages name their bucket.
      const c = resolveConnectors(undefined, { ...sel.flags, bucket: sel.flags.bucket ?? 'unknown-bucket' });
      return sel.flags.bucket ? c : c.map((x) => ({ ...x, bucket: '' }));
    }
    const config = sel.configFile ? await loadConfig(sel.configFile) : undefined;
    return await selectConnectors(store, { ...(config ? { config } : {}), ...(sel.connector ? { only: sel.connector } : {}), flags: sel.flags, oneOffNeeds: 'queueUrl' });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ConnectorError) throw new UseCaseError(err.message);
    throw err;
  }
}

export async function runIngestion(store: Store, configured: ConnectorConfig[], o: IngestionOptions, log: Logger, signal: AbortSignal) {
  // The queue URL names its region (https://sqs.<region>.amazonaws.com/...): use it when none is given.
  const connectors = configured.map((c) => {
    const m = c.queueUrl && !c.region ? /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(c.queueUrl) : null;
    return m ? { ...c, region: m[1]! } : c;
  });
  const clientsByConnector: AwsClients[] = [];
  // Objects are parsed and encoded on worker threads; this thread receives, fetches and commits.
  const parsePool = new ParsePool(defaultParseThreads());
  // Threads load while the queue is first read; until one is ready, files are parsed here.
  void parsePool.warmUp();
  try {
    const missingQueue = connectors.filter((c) => !c.queueUrl);
    if (missingQueue.length === connectors.length) {
      throw new UseCaseError(`no queueUrl for connector(s) ${missingQueue.map((c) => c.name).join(', ')}: add queueUrl to the config or pass --queue-url`);
    }
    if ((o.backfillDays || o.auditInterval) && connectors.some((c) => !c.bucket)) {
      throw new UseCaseError('--backfill-days and --audit-interval need the bucket: pass --bucket (or set bucket in --config)');
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
        processFile: (f) => processObject({ store, clients, parsePool, connector: connector.name, bucket: f.bucket, key: f.key, ...(f.etag ? { etag: f.etag } : {}), ...(f.size !== undefined ? { size: f.size } : {}) }),
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
          const hours = Math.max(1, Math.ceil((2 * (o.auditInterval ?? 60)) / 60));
          const r = await auditAndRepair({ store, clients, connector: connector.name, bucket: connector.bucket, ...scope, hours, signal });
          for (const f of r.failures) log.warn('audit: file failed', { connector: connector.name, bucket: f.bucket, key: f.key, code: f.code, reason: f.reason, fix: f.fix });
          return { missing: r.missing, sample: r.sample, ingested: r.ingested, listed: r.listed };
        },
      };
    });
    // Awaited here, so the finally below runs once ingestion is over, not as it starts.
    return await runIngestService({
      runtimes,
      store,
      log,
      signal: signal,
      worker: {
        ...(o.concurrency ? { concurrency: o.concurrency } : {}),
        maxReceives: o.maxReceives,
        waitTimeSeconds: o.waitTimeSeconds,
        exitWhenIdle: o.exitWhenIdle === true,
        graceMs: o.graceSeconds * 1000,
        progressEveryMs: o.progressInterval * 1000,
        retryBaseSeconds: o.retryBaseSeconds,
      },
      ...(o.backfillDays ? { backfillDays: o.backfillDays } : {}),
      ...(o.auditInterval ? { auditIntervalMinutes: o.auditInterval } : {}),
    });
  } finally {
    for (const c of clientsByConnector) c.destroy();
    await parsePool.close();
  }
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
