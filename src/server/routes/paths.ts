/** /api/paths: the attack paths of `trailscope paths --json`, one item per path, with the nodes they name. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { findAttackPaths, pathOrderKey, pathTouches, type PathsDocument } from '../../app/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { q, resolveWindow, windowQuery } from '../query.js';

const listQuery = pageQuery.merge(windowQuery).extend({
  from: q.arn.min(1).optional(),
  to: q.arn.min(1).optional(),
  /** Paths that start at, end at or pass through this principal. */
  principal: q.arn.min(1).optional(),
  status: q.list.pipe(z.array(z.enum(['possible', 'attempted', 'exercised']))).optional(),
});

/** The cached paths document of one analysis window (shared with the identity page). */
export function cachedPaths(ctx: ServerContext, w: { asOf: string; windowDays: number; accountId?: string | undefined }, ends: { from?: string | undefined; to?: string | undefined } = {}): Promise<PathsDocument> {
  const key = { asOf: w.asOf, windowDays: w.windowDays, accountId: w.accountId, from: ends.from, to: ends.to };
  return ctx.cache.get('paths', key, async () => (await findAttackPaths(ctx.store, key)).document);
}

export function pathsRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/paths', async (req) => {
      const p = listQuery.parse(req.query);
      const w = resolveWindow(p);
      const doc = await cachedPaths(ctx, w, { from: p.from, to: p.to });
      const items = doc.paths.filter((x) => (!p.principal || pathTouches(x, p.principal)) && (!p.status || p.status.includes(x.status)));
      const page = pageOf(items, pathOrderKey, p);
      // The nodes the page's paths name, so that a page can be drawn on its own.
      const ids = new Set(page.items.flatMap((x) => [x.from, ...x.steps.flatMap((s) => [s.to, ...(s.via ? [s.via] : [])])]));
      const nodes = Object.fromEntries(Object.entries(doc.nodes).filter(([id]) => ids.has(id)));
      return { ...page, nodes, asOf: doc.asOf, windowStart: doc.windowStart, windowDays: doc.windowDays, target: doc.target };
    });
  };
}
