/**
 * The HTTP API: Fastify with one plugin per area; this file only composes them. Listens on
 * loopback unless a token is configured (then every /api call needs it).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Connector } from '../connectors/index.js';
import type { Store } from '../store/index.js';
import { AnalysisCache } from './analysis-cache.js';
import type { ServerContext } from './context.js';
import { OPENAPI } from './openapi.js';
import { registerSecurity, isLoopback } from './security.js';
import { findingsRoutes } from './routes/findings.js';
import { identitiesRoutes } from './routes/identities.js';
import { eventsRoutes } from './routes/events.js';
import { connectorsRoutes } from './routes/connectors.js';
import { statusRoutes } from './routes/status.js';
import { pathsRoutes } from './routes/paths.js';
import { driftRoutes } from './routes/drift.js';
import { consoleRoutes } from './static.js';

export { isLoopback } from './security.js';

export interface ServerOptions {
  store: Store;
  token?: string;
  /** Runs the analysis on demand (the service's own loop); default: not available (503). */
  analyse?: () => Promise<{ findings: number }>;
  /** Syncs one connector's IAM configuration now (the service's IAM sync); default: not available (503). */
  syncIam?: (connector: Connector) => Promise<void>;
  /** Called after a connector was added, changed or removed through the API (the service restarts ingestion). */
  onConnectorsChanged?: () => void;
  /** Shares the service's cache (its watermark decides when to analyse); default: a cache of its own. */
  cache?: AnalysisCache;
  logger?: boolean;
  /** The built web console (default web/dist); null: API only. */
  consoleDir?: string | null;
}

const unavailable = (what: string) => () => {
  throw Object.assign(new Error(`${what} runs only under trailscope serve`), { statusCode: 503 });
};

/** Request bodies are small JSON documents (a suppression reason): cap them. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  // maxParamLength: an encoded role ARN with a path (Identity Center roles) is longer than
  // Fastify's default 100 characters, which would make GET /api/identities/{arn} a 404.
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: BODY_LIMIT_BYTES, trustProxy: false, routerOptions: { maxParamLength: 4096 } });
  const ctx: ServerContext = {
    store: opts.store,
    cache: opts.cache ?? new AnalysisCache(opts.store),
    analyse: opts.analyse ?? unavailable('the analysis'),
    syncIam: opts.syncIam ?? unavailable('IAM sync'),
    connectorsChanged: opts.onConnectorsChanged ?? (() => undefined),
  };
  registerSecurity(app, opts.token);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/api/openapi.json', async () => OPENAPI);
  await app.register(findingsRoutes(ctx));
  await app.register(identitiesRoutes(ctx));
  await app.register(eventsRoutes(ctx));
  await app.register(connectorsRoutes(ctx));
  await app.register(statusRoutes(ctx));
  await app.register(pathsRoutes(ctx));
  await app.register(driftRoutes(ctx));
  // Last: its catch-all route answers only what no API route matched.
  if (opts.consoleDir !== null) await app.register(consoleRoutes(opts.consoleDir));
  return app;
}

/** Refuses to listen beyond loopback without a token. */
export function checkBinding(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new Error(`listening on ${host} needs a token: pass --token-file F (a file holding a long random secret); only 127.0.0.1, ::1 and localhost are allowed without one`);
  }
}
export { AnalysisCache } from './analysis-cache.js';
