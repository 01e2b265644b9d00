/** /api/identities: the identities document of `trailscope identities --json`, one item per identity. */
import type { FastifyPluginAsync } from 'fastify';
import { loadAnalysis } from '../../analysis/load.js';
import { DEFAULT_WINDOW_DAYS } from '../../analysis/identities.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { q } from '../query.js';

const listQuery = pageQuery.extend({ asOf: q.time.optional(), window: q.window.optional(), account: q.account.optional(), principal: q.arn.optional() });

/** The analysis time of a request without --as-of: the current minute (so results cache). */
export function currentMinute(now = Date.now()): string {
  return new Date(now - (now % 60_000)).toISOString();
}

export function identitiesRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/identities', async (req) => {
      const p = listQuery.parse(req.query);
      const params = { asOf: p.asOf ?? currentMinute(), windowDays: p.window ?? DEFAULT_WINDOW_DAYS, ...(p.account ? { accountId: p.account } : {}) };
      const summaries = await ctx.cache.get('identities', params, async () => {
        const { ctx: analysis } = await loadAnalysis(ctx.store, { ...params, resourceDetail: false, escalationEvents: false });
        return analysis.identities.map((i) => i.summary);
      });
      const items = p.principal ? summaries.filter((s) => s.arn === p.principal) : summaries;
      return pageOf(items, (s) => [s.arn], p);
    });
  };
}
