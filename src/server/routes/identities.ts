/** /api/identities: the identities document of `trailscope identities --json`, and the page of one identity. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { analyseIdentity, findAttackPaths, identityFindings, listIdentities, pathTouches } from '../../app/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { q, resolveWindow, windowQuery } from '../query.js';

export { currentMinute } from '../query.js';

const listQuery = pageQuery.merge(windowQuery).extend({ principal: q.arn.optional() });
const arnParam = z.object({ arn: q.arn.min(1) });

export function identitiesRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/identities', async (req) => {
      const p = listQuery.parse(req.query);
      const w = resolveWindow(p);
      const summaries = await ctx.cache.get('identities', w, async () => (await listIdentities(ctx.store, w)).identities);
      const items = p.principal ? summaries.filter((s) => s.arn === p.principal) : summaries;
      return pageOf(items, (s) => [s.arn], p);
    });

    // The ARN is one path segment, URL-encoded (arn%3Aaws%3Aiam%3A%3A...%3Arole%2Fname); Fastify decodes it.
    app.get('/api/identities/:arn', async (req) => {
      const { arn } = arnParam.parse(req.params);
      const w = resolveWindow(windowQuery.parse(req.query));
      const analysis = await ctx.cache.get('identity', { ...w, arn }, () => analyseIdentity(ctx.store, arn, w));
      // Paths need the whole organization's graph: the same cached document as /api/paths.
      const paths = await ctx.cache.get('paths', { asOf: w.asOf, windowDays: w.windowDays }, async () => (await findAttackPaths(ctx.store, { asOf: w.asOf, windowDays: w.windowDays })).document);
      const { identity, actions, resources, activity, policy, policyNotes, notices } = analysis;
      return {
        identity,
        actions,
        resources,
        activity,
        findings: await identityFindings(ctx.store, arn, new Date()),
        paths: paths.paths.filter((p) => pathTouches(p, arn)),
        policy,
        policyNotes,
        notices,
      };
    });
  };
}
