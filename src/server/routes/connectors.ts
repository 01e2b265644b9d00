/**
 * /api/connectors: the connectors in the shape of `trailscope connector list --json`, their changes
 * (the validation and semantics of `connector add|edit|enable|disable|remove`), their CloudFormation,
 * doctor runs and IAM sync.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import {
  changeConnector,
  connectorDocument,
  connectorTemplate,
  createConnector,
  deleteConnector,
  doctorConnector,
  enableConnector,
  findConnector,
} from '../../app/index.js';
import { listConnectors } from '../../connectors/index.js';
import { ONBOARDING_MODES } from '../../onboard/index.js';
import type { ServerContext } from '../context.js';
import { pageOf, pageQuery } from '../pagination.js';

const nameParam = z.object({ name: z.string().min(1).max(64) });
const field = z.string().max(2048);
/** The fields of `connector add|edit`; their rules are the registry's (the YAML file's), checked after this. */
const fields = {
  type: z.enum(['account', 'organization']).optional(),
  bucket: field.optional(),
  prefix: field.optional(),
  queueUrl: field.optional(),
  region: field.optional(),
  accountId: field.optional(),
  organizationId: field.optional(),
  kmsKeyArn: field.optional(),
  roleArn: field.optional(),
  endpointUrl: field.optional(),
  trail: z.enum(['existing', 'new']).optional(),
};
const addBody = z.object({ name: z.string().min(1).max(64), externalId: field.optional(), ...fields }).strict();
/** An empty string clears an optional field, as `connector edit --field ""` does. */
const editBody = z.object(fields).strict();
const templateQuery = z.object({
  mode: z.enum(ONBOARDING_MODES).optional(),
  principalArn: z.string().max(2048).optional(),
  /** Which template of a mode that writes several (its file name); default the first. */
  document: z.string().max(200).optional(),
  format: z.enum(['yaml', 'json']).default('yaml'),
});

export function connectorsRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/connectors', async (req) => {
      const p = pageQuery.parse(req.query);
      const docs = await Promise.all((await listConnectors(ctx.store)).map((c) => connectorDocument(ctx.store, c)));
      return pageOf(docs, (d) => [String(d.name)], p);
    });

    app.get('/api/connectors/:name', async (req) => {
      const { name } = nameParam.parse(req.params);
      const c = await findConnector(ctx.store, name);
      const doctor = await ctx.store.connectors.latestDoctorRun(name);
      return { ...(await connectorDocument(ctx.store, c)), doctor: doctor ?? null };
    });

    app.post('/api/connectors', async (req, reply) => {
      const body = addBody.parse(req.body ?? {});
      const c = await createConnector(ctx.store, body);
      ctx.connectorsChanged();
      return reply.code(201).send(await connectorDocument(ctx.store, c));
    });

    app.patch('/api/connectors/:name', async (req) => {
      const { name } = nameParam.parse(req.params);
      const c = await changeConnector(ctx.store, name, editBody.parse(req.body ?? {}));
      ctx.connectorsChanged();
      return connectorDocument(ctx.store, c);
    });

    for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
      app.post(`/api/connectors/:name/${verb}`, async (req) => {
        const { name } = nameParam.parse(req.params);
        const c = await enableConnector(ctx.store, name, enabled);
        ctx.connectorsChanged();
        return connectorDocument(ctx.store, c);
      });
    }

    app.delete('/api/connectors/:name', async (req) => {
      const { name } = nameParam.parse(req.params);
      const removed = await deleteConnector(ctx.store, name);
      ctx.connectorsChanged();
      return removed;
    });

    app.get('/api/connectors/:name/cloudformation', async (req, reply) => {
      const { name } = nameParam.parse(req.params);
      const p = templateQuery.parse(req.query);
      const { connector, mode, template } = await connectorTemplate(ctx.store, name, { mode: p.mode, principalArn: p.principalArn });
      if (p.format === 'json') return { connector: connector.name, mode, externalId: connector.externalId, documents: template.documents, steps: template.steps };
      const doc = p.document === undefined ? template.documents[0] : template.documents.find((d) => d.file === p.document);
      if (!doc) return reply.code(404).send({ error: 'not-found', message: `mode ${mode} has no template ${p.document}; it has ${template.documents.map((d) => d.file).join(', ')}` });
      // The file name is built from validated parts only (connector names are [A-Za-z0-9._-]).
      const file = template.documents.length > 1 ? doc.file : `trailscope-${connector.name}.yaml`;
      return reply.type('application/yaml; charset=utf-8').header('content-disposition', `attachment; filename="${file.replace(/[^A-Za-z0-9._-]/g, '_')}"`).send(doc.yaml);
    });

    app.get('/api/connectors/:name/doctor', async (req, reply) => {
      const { name } = nameParam.parse(req.params);
      await findConnector(ctx.store, name);
      const run = await ctx.store.connectors.latestDoctorRun(name);
      if (!run) return reply.code(404).send({ error: 'not-found', message: `no doctor run for connector ${name} yet: POST /api/connectors/${name}/doctor runs one` });
      return run;
    });

    app.post('/api/connectors/:name/doctor', async (req) => {
      const { name } = nameParam.parse(req.params);
      return doctorConnector(ctx.store, await findConnector(ctx.store, name));
    });

    app.post('/api/connectors/:name/iam-sync', async (req) => {
      const { name } = nameParam.parse(req.params);
      const c = await findConnector(ctx.store, name);
      await ctx.syncIam(c);
      return { connector: name, syncedAt: new Date().toISOString() };
    });
  };
}
