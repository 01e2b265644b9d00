/** The coverage use case, shared by `trailscope coverage` and GET /api/coverage. */
import { loadCoverage, DEFAULT_COVERAGE_OPTIONS, type AccountCoverage, type CoverageOptions } from '../analysis/index.js';
import { windowStart } from '../analysis/index.js';
import type { Store } from '../store/index.js';

export interface CoverageRequest {
  asOf: string;
  windowDays: number;
  accountId?: string | undefined;
  options?: CoverageOptions;
}

/** Per account (the imported ones, or --account), the parts of the window CloudTrail logs cover. */
export async function accountCoverage(store: Store, req: CoverageRequest): Promise<{ coverage: AccountCoverage[]; windowStart: string }> {
  const since = windowStart(req.asOf, req.windowDays);
  const accountIds = req.accountId ? [req.accountId] : await store.iam.accounts();
  const coverage = await loadCoverage(store, { since, until: req.asOf, accountId: req.accountId, accountIds }, req.options ?? DEFAULT_COVERAGE_OPTIONS);
  return { coverage: [...coverage.values()], windowStart: since };
}
