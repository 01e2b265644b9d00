/**
 * `trailscope serve`: in one process, ingestion of every enabled connector (the same runtime as
 * `ingest`, restarted when the set of enabled connectors changes), IAM sync per connector on a
 * schedule, the analysis after every change that matters (recorded as findings), and the API.
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectorConfig } from '../aws/index.js';
import { listConnectors, ingestConfigOf, type Connector } from '../connectors/index.js';
import { findFindings } from '../app/index.js';
import { runIngestion, type IngestionOptions } from '../app/index.js';
import { DEFAULT_WINDOW_DAYS } from '../analysis/index.js';
import type { Logger } from '../ingest/index.js';
import type { Store } from '../store/index.js';
import { buildServer, checkBinding } from '../server/index.js';
import { AnalysisCache } from '../server/index.js';
import { RunPacer } from './pacer.js';

export interface ServiceOptions {
  store: Store;
  log: Logger;
  host: string;
  port: number;
  token?: string;
  ingestion: IngestionOptions;
  /** How often the enabled connectors are re-read (ms). */
  connectorPollMs?: number;
  /** How often the store is checked for changes that call for a new analysis (ms). */
  analysisPollMs?: number;
  /** IAM sync of every connector with a role, every N hours (0: never). */
  iamSyncHours?: number;
  /** Syncs one connector's IAM configuration into the store (injected: the CLI passes `iam sync`'s code). */
  syncIam?: (connector: Connector) => Promise<void>;
  windowDays?: number;
  now?: () => Date;
}

export interface RunningService {
  url: string;
  server: FastifyInstance;
  /** Runs the analysis now; resolves with the number of open findings recorded. */
  analyse(): Promise<{ findings: number }>;
  /** Stops receiving, finishes or releases in-flight work, closes the API. */
  stop(): Promise<void>;
  /** Resolves once stopped. */
  done: Promise<void>;
}

export async function startService(o: ServiceOptions): Promise<RunningService> {
  checkBinding(o.host, o.token);
  const now = o.now ?? (() => new Date());
  const stopping = new AbortController();
  const cache = new AnalysisCache(o.store);

  // ---- analysis: after a change, one run at a time ----
  let analysing: Promise<{ findings: number }> | null = null;
  let analysedAt: string | null = null;
  // On an organization whose analysis takes minutes and whose data changes all the time, runs
  // are spaced by twice their duration instead of running back to back.
  const pacer = new RunPacer();
  const analyse = (): Promise<{ findings: number }> => {
    analysing ??= (async () => {
      const started = Date.now();
      try {
        const mark = await cache.watermark();
        const r = await findFindings(o.store, { asOf: now().toISOString(), windowDays: o.windowDays ?? DEFAULT_WINDOW_DAYS });
        analysedAt = mark;
        o.log.info('analysis recorded', { findings: r.findings.length, errors: r.errors.length });
        return { findings: r.findings.length };
      } finally {
        pacer.ran(started, Date.now());
        analysing = null;
      }
    })();
    return analysing;
  };
  const analysisTimer = setInterval(() => {
    if (!pacer.mayRun(Date.now())) return;
    void cache
      .watermark()
      .then((mark) => (mark !== analysedAt ? analyse() : undefined))
      .catch((err: unknown) => o.log.error('analysis failed', { error: (err as Error).message }));
  }, o.analysisPollMs ?? 60_000);

  // ---- ingestion: restarted when the enabled connectors change ----
  let current: { signature: string; abort: AbortController; done: Promise<void> } | null = null;
  const superviseIngestion = async (): Promise<void> => {
    if (stopping.signal.aborted) return;
    const enabled = (await listConnectors(o.store)).filter((c) => c.enabled);
    const configs: ConnectorConfig[] = enabled.map(ingestConfigOf);
    const signature = JSON.stringify(configs);
    if (current?.signature === signature) return;
    if (current) {
      o.log.info('connectors changed: restarting ingestion', { connectors: enabled.map((c) => c.name).join(', ') });
      current.abort.abort();
      await current.done;
      current = null;
    }
    if (configs.length === 0 || stopping.signal.aborted) {
      current = { signature, abort: new AbortController(), done: Promise.resolve() };
      return;
    }
    const abort = new AbortController();
    const done = runIngestion(o.store, configs, { ...o.ingestion, exitWhenIdle: false }, o.log, abort.signal).then(
      (r) => {
        for (const f of r.failed) o.log.error('connector could not run', { connector: f.connector, error: f.error });
      },
      (err: unknown) => o.log.error('ingestion stopped', { error: (err as Error).message }),
    );
    current = { signature, abort, done };
  };
  let supervising = superviseIngestion().catch((err: unknown) => o.log.error('ingestion supervisor failed', { error: (err as Error).message }));
  // Re-read on a poll, and at once when the API changes a connector.
  const connectorsChanged = (): void => {
    supervising = supervising.then(superviseIngestion).catch((err: unknown) => o.log.error('ingestion supervisor failed', { error: (err as Error).message }));
  };
  const connectorTimer = setInterval(connectorsChanged, o.connectorPollMs ?? 15_000);

  // ---- IAM sync on a schedule ----
  const syncAll = async (): Promise<void> => {
    if (!o.syncIam) return;
    for (const c of await listConnectors(o.store)) {
      if (!c.enabled || stopping.signal.aborted) continue;
      try {
        await o.syncIam(c);
        o.log.info('iam sync done', { connector: c.name });
      } catch (err) {
        o.log.warn('iam sync failed', { connector: c.name, error: (err as Error).message });
      }
    }
  };
  const syncTimer = o.iamSyncHours && o.syncIam ? setInterval(() => void syncAll(), o.iamSyncHours * 3_600_000) : null;
  if (syncTimer) void syncAll();

  const syncOne = async (c: Connector): Promise<void> => {
    if (!o.syncIam) throw Object.assign(new Error('IAM sync is not configured for this service'), { statusCode: 503 });
    await o.syncIam(c);
    o.log.info('iam sync done', { connector: c.name });
  };
  let server: FastifyInstance | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping.abort();
      clearInterval(analysisTimer);
      clearInterval(connectorTimer);
      if (syncTimer) clearInterval(syncTimer);
      await supervising;
      if (current) {
        current.abort.abort();
        await current.done;
      }
      await server?.close();
      if (analysing) await analysing.catch(() => undefined);
      resolveDone();
    })();
    return stopped;
  };
  let address: string;
  try {
    server = await buildServer({ store: o.store, ...(o.token ? { token: o.token } : {}), analyse, syncIam: syncOne, onConnectorsChanged: connectorsChanged, cache });
    address = await server.listen({ host: o.host, port: o.port });
  } catch (err) {
    // A port in use must not leave the ingestion and the timers running against a store the caller closes.
    await stop();
    throw err;
  }
  return { url: address, server, analyse, stop, done };
}
