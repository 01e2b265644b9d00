/** /api/status, /api/ingestion and /api/coverage: ingestion per connector and account, and CloudTrail coverage per account. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { accountCoverage, buildStatus, ingestionHealth } from '../../app/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { resolveWindow, windowQuery } from '../query.js';

const coverageQuery = pageQuery.merge(windowQuery);
const ingestionQuery = pageQuery.extend({
  connector: z.string().min(1).max(64).optional(),
  hours: z.coerce.number().int().min(1).max(168).default(24),
  'gap-days': z.coerce.number().int().min(1).max(90).default(7),
});

export function statusRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/status', async (req) => {
      const p = pageQuery.parse(req.query);
      const report = await buildStatus(ctx.store, new Date());
      return pageOf(report.connectors, (c) => [c.connector], p);
    });
    app.get('/api/ingestion', async (req) => {
      const p = ingestionQuery.parse(req.query);
      const health = await ingestionHealth(ctx.store, { now: new Date(), hours: p.hours, gapDays: p['gap-days'] });
      const items = p.connector ? health.connectors.filter((c) => c.connector === p.connector) : health.connectors;
      return { ...pageOf(items, (c) => [c.connector], p), now: health.now, hours: health.hours };
    });
    app.get('/api/coverage', async (req) => {
      const p = coverageQuery.parse(req.query);
      const w = resolveWindow(p);
      const { coverage } = await ctx.cache.get('coverage', w, () => accountCoverage(ctx.store, w));
      return pageOf(coverage, (c) => [c.accountId], p);
    });
  };
}
