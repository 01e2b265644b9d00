import type { Store } from '../store/index.js';
import type { AnalysisCache } from './analysis-cache.js';

/** What the route plugins get: the store and the cache of analysis results. */
export interface ServerContext {
  store: Store;
  cache: AnalysisCache;
  /** Asks the service to run the analysis now (POST /api/analysis); resolves when recorded. */
  analyse(): Promise<{ findings: number }>;
}
