/** The OpenAPI 3 description served at /api/openapi.json (kept beside the routes it describes). */
const param = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const page = [param('limit', 'items per page (1-1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 }), param('cursor', 'the "next" of the previous page')];
const window = [param('asOf', 'analysis time (ISO-8601; default now)'), param('window', 'lookback in days (default 90)', { type: 'integer' }), param('account', '12-digit account id')];
const list = (summary: string, parameters: unknown[]) => ({
  get: {
    summary,
    parameters: [...parameters, ...page],
    responses: { '200': { description: '{"items": [...], "next": cursor or null}; items have the shape of the CLI\'s --json output' }, '400': { description: 'invalid input' }, '401': { description: 'token missing or wrong' } },
  },
});
const byId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'trailscope API', version: '1', description: 'Every list answers {"items": [...], "next": cursor-or-null}. With a token configured, send Authorization: Bearer <token>.' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { summary: 'liveness', security: [], responses: { '200': { description: '{"status":"ok"}' } } } },
    '/api/findings': list('stored findings (as `trailscope findings --json`)', [
      param('rule', 'rule ids, comma-separated'),
      param('severity', 'critical, high, medium, low, info; comma-separated'),
      param('status', 'open (default), resolved, suppressed, all; comma-separated'),
      param('account', '12-digit account id'),
      param('resource', 'the IAM ARN a finding is about'),
    ]),
    '/api/findings/{id}': { get: { summary: 'one finding', parameters: [byId], responses: { '200': { description: 'the finding' }, '404': { description: 'no such finding' } } } },
    '/api/findings/{id}/suppression': {
      put: { summary: 'suppress: {"reason", "until"?, "by"?}', parameters: [byId], responses: { '200': { description: 'the finding' }, '400': { description: 'invalid input' }, '404': { description: 'no such finding' } } },
      delete: { summary: 'lift the suppression', parameters: [byId], responses: { '200': { description: 'the finding' }, '404': { description: 'no such finding' } } },
    },
    '/api/analysis': { post: { summary: 'run the analysis now and record its findings', responses: { '200': { description: '{"findings": n}' } } } },
    '/api/identities': list('identities (as `trailscope identities --json`)', [...window, param('principal', 'one identity ARN')]),
    '/api/events': list('events, oldest first (as `trailscope events --json`)', [
      param('since', 'ISO-8601'),
      param('until', 'ISO-8601'),
      param('account', "the recipient account (CloudTrail's recipientAccountId)"),
      param('principal', 'acting IAM user or role ARN'),
      param('action', 'service:Action'),
      param('errors', 'true: failed calls only'),
      param('raw', 'true: include the original record'),
    ]),
    '/api/connectors': list('connectors (as `trailscope connector list --json`)', []),
    '/api/connectors/{name}': { get: { summary: 'one connector with its latest doctor run', parameters: [{ ...byId, name: 'name' }], responses: { '200': { description: 'the connector' }, '404': { description: 'no such connector' } } } },
    '/api/status': list('ingestion status per connector (as `trailscope status --json` connectors)', []),
    '/api/coverage': list('CloudTrail coverage per account (as `trailscope coverage --json`)', window),
  },
} as const;
