/** /api/findings: the stored findings of the latest analysis runs, suppression, and a run on demand. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { storedFindingDocument, suppressFinding, unsuppressFinding, FINDING_STATUSES } from '../../app/index.js';
import { SEVERITIES, severityRank } from '../../model/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';
import { q } from '../query.js';

const listQuery = pageQuery.extend({
  rule: q.list.optional(),
  severity: q.list.pipe(z.array(z.enum(SEVERITIES))).optional(),
  status: q.list.pipe(z.array(z.enum(['open', 'resolved', 'suppressed', 'all']))).optional(),
  account: q.account.optional(),
  resource: q.arn.optional(),
});
const idParam = z.object({ id: z.string().min(1).max(512) });
const suppressBody = z.object({ reason: z.string().min(1).max(2000), until: q.time.optional(), by: z.string().min(1).max(200).optional() }).strict();

export function findingsRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/findings', async (req) => {
      const p = listQuery.parse(req.query);
      const statuses = new Set(p.status?.includes('all') ? FINDING_STATUSES : (p.status ?? ['open']));
      const now = new Date();
      const stored = await ctx.store.findings.list({ ...(p.rule ? { rules: p.rule } : {}), ...(p.account ? { accountId: p.account } : {}) });
      const docs = stored
        .map((s) => storedFindingDocument(s, now))
        .filter((d) => statuses.has(d.status) && (!p.severity || p.severity.includes(d.severity)) && (!p.resource || d.resource === p.resource));
      return pageOf(docs, (d) => [-severityRank(d.severity), d.rule, d.accountId, d.resource, d.id], p);
    });

    app.get('/api/findings/:id', async (req, reply) => {
      const { id } = idParam.parse(req.params);
      const s = await ctx.store.findings.get(id);
      if (!s) return reply.code(404).send({ error: 'not-found', message: `no finding with id ${id}` });
      return storedFindingDocument(s, new Date());
    });

    app.put('/api/findings/:id/suppression', async (req) => {
      const { id } = idParam.parse(req.params);
      const body = suppressBody.parse(req.body ?? {});
      return storedFindingDocument(await suppressFinding(ctx.store, id, { reason: body.reason, by: body.by ?? 'api', ...(body.until ? { until: body.until } : {}) }), new Date());
    });

    app.delete('/api/findings/:id/suppression', async (req) => {
      const { id } = idParam.parse(req.params);
      return storedFindingDocument(await unsuppressFinding(ctx.store, id), new Date());
    });

    app.post('/api/analysis', async () => ctx.analyse());
  };
}
