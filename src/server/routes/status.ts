/** /api/status and /api/coverage: ingestion per connector, and CloudTrail coverage per account. */
import type { FastifyPluginAsync } from 'fastify';
import { buildStatus } from '../../cli/status.js';
import { loadCoverage, DEFAULT_COVERAGE_OPTIONS } from '../../analysis/coverage.js';
import { DEFAULT_WINDOW_DAYS, windowStart } from '../../analysis/identities.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { q } from '../query.js';
import { currentMinute } from './identities.js';

const coverageQuery = pageQuery.extend({ asOf: q.time.optional(), window: q.window.optional(), account: q.account.optional() });

export function statusRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/status', async (req) => {
      const p = pageQuery.parse(req.query);
      const report = await buildStatus(ctx.store, new Date());
      return pageOf(report.connectors, (c) => [c.connector], p);
    });
    app.get('/api/coverage', async (req) => {
      const p = coverageQuery.parse(req.query);
      const asOf = p.asOf ?? currentMinute();
      const since = windowStart(asOf, p.window ?? DEFAULT_WINDOW_DAYS);
      const accountIds = p.account ? [p.account] : await ctx.store.iam.accounts();
      const coverage = [...(await loadCoverage(ctx.store, { since, until: asOf, ...(p.account ? { accountId: p.account } : {}), accountIds }, DEFAULT_COVERAGE_OPTIONS)).values()];
      return pageOf(coverage, (c) => [c.accountId], p);
    });
  };
}
