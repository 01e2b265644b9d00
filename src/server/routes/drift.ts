/** /api/drift: the configuration change timeline of `trailscope drift --json`, oldest first. */
import type { FastifyPluginAsync } from 'fastify';
import { listChanges } from '../../app/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { q } from '../query.js';

const listQuery = pageQuery.extend({ since: q.time.optional(), until: q.time.optional(), resource: q.arn.min(1).optional(), account: q.account.optional() });

export function driftRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/drift', async (req) => {
      const p = listQuery.parse(req.query);
      const changes = await listChanges(ctx.store, { since: p.since, until: p.until, accountId: p.account, resource: p.resource });
      // The store's own order (eventTime, then eventID, which is unique).
      return pageOf(changes, (c) => [c.eventTime, c.eventId], p);
    });
  };
}
