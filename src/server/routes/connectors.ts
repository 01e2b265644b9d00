/** /api/connectors: the connectors in the shape of `trailscope connector list --json`. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { connectorDocument } from '../../app/connectors.js';
import { getConnector, listConnectors, ConnectorError } from '../../connectors/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';

export function connectorsRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/connectors', async (req) => {
      const p = pageQuery.parse(req.query);
      const docs = await Promise.all((await listConnectors(ctx.store)).map((c) => connectorDocument(ctx.store, c)));
      return pageOf(docs, (d) => [String(d.name)], p);
    });
    app.get('/api/connectors/:name', async (req, reply) => {
      const { name } = z.object({ name: z.string().min(1).max(64) }).parse(req.params);
      try {
        const c = await getConnector(ctx.store, name);
        const doctor = await ctx.store.connectors.latestDoctorRun(name);
        return { ...(await connectorDocument(ctx.store, c)), doctor: doctor ?? null };
      } catch (err) {
        if (err instanceof ConnectorError) return reply.code(404).send({ error: 'not-found', message: err.message });
        throw err;
      }
    });
  };
}
