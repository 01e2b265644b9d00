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
const byName = { ...byId, name: 'name', description: 'the connector name' };
const ok = (description: string) => ({ '200': { description } });
const errors = { '400': { description: 'invalid input: {"error": "invalid-input", "message"}' }, '401': { description: 'token missing or wrong' }, '404': { description: 'no such item' } };
const jsonBody = (description: string) => ({ required: true, content: { 'application/json': { schema: { type: 'object' }, example: {} } }, description });
const connectorFields =
  'type (account|organization), bucket, prefix, queueUrl (URL or ARN), region, accountId, organizationId, kmsKeyArn, roleArn, endpointUrl, trail (existing|new); validated as `trailscope connector add|edit` validates them';

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
    '/api/identities/{arn}': {
      get: {
        summary:
          'one identity: {identity, actions: {<service>: {used, unused, unknown}}, resources, activity: [{day, events}], findings, paths, policy (suggested least-privilege document or null), policyNotes, notices}',
        parameters: [{ ...byId, name: 'arn', description: 'the IAM user or role ARN, URL-encoded' }, ...window.filter((p) => p.name !== 'account')],
        responses: { ...ok('the identity page'), ...errors },
      },
    },
    '/api/events/{eventId}': {
      get: {
        summary: 'one event (as `trailscope events --json --raw`), with its raw record',
        parameters: [{ ...byId, name: 'eventId' }, param('time', 'its eventTime (ISO-8601): makes the lookup an index seek')],
        responses: { ...ok('the event with "raw"'), ...errors },
      },
    },
    '/api/paths': list('attack paths (the "paths" of `trailscope paths --json`, in its order); the page also carries "nodes" (those its paths name), asOf, windowStart, windowDays, target', [
      ...window,
      param('from', 'only from this principal or node (default: every entry point)'),
      param('to', 'target principal, or "admin" (default)'),
      param('principal', 'paths that start at, end at or pass through this principal'),
      param('status', 'possible, attempted, exercised; comma-separated'),
    ]),
    '/api/drift': list('configuration changes, oldest first (as `trailscope drift --json`)', [
      param('since', 'ISO-8601'),
      param('until', 'ISO-8601'),
      param('resource', 'only changes to this resource'),
      param('account', '12-digit account id'),
    ]),
    '/api/ingestion': list('ingestion health per connector (status, plus per account eventsPerHour and coverage gaps, and the latest doctor run); the page also carries now and hours', [
      param('connector', 'one connector'),
      param('hours', 'hours of the events-per-hour series (1-168, default 24)', { type: 'integer' }),
      param('gap-days', 'days looked back for coverage gaps (1-90, default 7)', { type: 'integer' }),
    ]),
    '/api/connectors': {
      ...list('connectors (as `trailscope connector list --json`)', []),
      post: { summary: 'add a connector (as `trailscope connector add`): name, externalId?, and the fields', description: connectorFields, requestBody: jsonBody('{"name", ...fields}'), responses: { '201': { description: 'the connector' }, ...errors } },
    },
    '/api/connectors/{name}': {
      get: { summary: 'one connector with its latest doctor run', parameters: [byName], responses: { ...ok('the connector'), ...errors } },
      patch: { summary: 'change fields (as `trailscope connector edit`); "" clears an optional one', description: connectorFields, parameters: [byName], requestBody: jsonBody('the fields to change'), responses: { ...ok('the connector'), ...errors } },
      delete: { summary: 'remove the connector and what only it brought in (as `trailscope connector remove --yes`)', parameters: [byName], responses: { ...ok('{"connector", "deleted": {events, sharedEvents, files, ...}}'), ...errors } },
    },
    '/api/connectors/{name}/enable': { post: { summary: 'resume ingestion of the connector', parameters: [byName], responses: { ...ok('the connector'), ...errors } } },
    '/api/connectors/{name}/disable': { post: { summary: 'stop ingesting the connector (its data stays)', parameters: [byName], responses: { ...ok('the connector'), ...errors } } },
    '/api/connectors/{name}/cloudformation': {
      get: {
        summary: 'the `trailscope onboard cloudformation` template, as a YAML download (format=json: every document with its parameters, and the steps)',
        parameters: [byName, param('mode', 'existing-trail, new-trail, organization or fan-out (default: from the connector)'), param('principalArn', 'the IAM user or role trailscope runs as'), param('document', 'the file name of one template of a mode that writes several'), param('format', 'yaml (default) or json')],
        responses: { ...ok('application/yaml attachment, or JSON'), ...errors },
      },
    },
    '/api/connectors/{name}/doctor': {
      get: { summary: 'the latest stored doctor run', parameters: [byName], responses: { ...ok('{connector, startedAt, finishedAt, results: [{id, title, why, status, found, fix?}]}'), ...errors } },
      post: { summary: 'run the doctor now and store the run', parameters: [byName], responses: { ...ok('the run'), ...errors } },
    },
    '/api/connectors/{name}/iam-sync': {
      post: { summary: "sync the connector's IAM configuration now (under trailscope serve)", parameters: [byName], responses: { ...ok('{"connector", "syncedAt"}'), ...errors, '503': { description: 'IAM sync is not available (not under serve)' } } },
    },
    '/api/status': list('ingestion status per connector (as `trailscope status --json` connectors)', []),
    '/api/coverage': list('CloudTrail coverage per account (as `trailscope coverage --json`)', window),
  },
} as const;
