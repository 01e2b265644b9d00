import type { Connector } from '../connectors/index.js';
import type { Store } from '../store/index.js';
import type { AnalysisCache } from './analysis-cache.js';

/** What the route plugins get: the store, the cache of analysis results, and the service's hooks. */
export interface ServerContext {
  store: Store;
  cache: AnalysisCache;
  /** Asks the service to run the analysis now (POST /api/analysis); resolves when recorded. */
  analyse(): Promise<{ findings: number }>;
  /** Syncs one connector's IAM configuration now (POST /api/connectors/{name}/iam-sync). */
  syncIam(connector: Connector): Promise<void>;
  /** Tells the service the connectors changed, so that ingestion restarts without waiting for its poll. */
  connectorsChanged(): void;
}
