/**
 * The read routes added for the console, through Fastify's inject: the identity page, one event
 * with its raw record, paths and drift walked page by page against the CLI's own documents,
 * ingestion health, and invalid input.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { ACCOUNT, addRecords, allow, authorizationDetails, cover, credentialReport, importIam, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { runCli } from '../../test/support/cli-run.js';
import { findFindings } from '../app/index.js';
import { attachDetections } from '../detect/index.js';
import { buildServer } from './index.js';

const AS_OF = '2026-05-01T00:00:00Z';
const USERS = ['dev-a', 'dev-b', 'dev-c', 'dev-d', 'dev-e'];
const arnOf = (u: string) => `arn:aws:iam::${ACCOUNT}:user/${u}`;
let t: TempStore;
let app: FastifyInstance;

before(async () => {
  t = await tempStore();
  // Five users who can each write their own inline policy (a self-escalation path to admin),
  // with access keys (entry points), one of whom also reads S3.
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: USERS.map((name, i) => ({
          name,
          created: '2020-01-01T00:00:00Z',
          inline: [allow(['iam:PutUserPolicy'], arnOf(name)), ...(i === 0 ? [allow(['s3:GetObject', 's3:ListAllMyBuckets'])] : [])],
        })),
      }),
    ],
    credentialReports: [credentialReport(USERS.map((user) => ({ user, created: '2020-01-01T00:00:00Z', key1: { active: true, rotated: '2020-01-01T00:00:00Z', lastUsed: null } })))],
  });
  await cover(t.store);
  // Drift comes from the commit hook, as under import and ingest.
  const engine = attachDetections(t.store);
  const records = [
    record({ user: 'dev-a' }, 's3:GetObject', '2026-04-20T10:00:00Z', { resources: [{ ARN: 'arn:aws:s3:::data/report.csv', type: 'AWS::S3::Object' }], id: 'evt-read-1' }),
    record({ user: 'dev-a' }, 's3:ListBuckets', '2026-04-21T10:00:00Z', { id: 'evt-list-1' }),
    record({ user: 'dev-a' }, 's3:ListBuckets', '2026-04-21T11:00:00Z'),
    ...USERS.map((u, i) =>
      record({ user: u }, 'iam:PutUserPolicy', `2026-04-22T0${i}:00:00Z`, { requestParameters: { userName: u, policyName: 'p', policyDocument: '{}' } }),
    ),
  ];
  records[1]!.userAgent = '<img src=x onerror=alert(1)>';
  await addRecords(t.store, records);
  t.store.detections.setCommitHook(null);
  assert.deepEqual(engine.errors, []);
  await findFindings(t.store, { asOf: AS_OF, windowDays: 30 });
  app = await buildServer({ store: t.store });
});
after(async () => {
  await app?.close();
  await t?.close();
});

async function all(path: string, limit: number): Promise<{ items: unknown[]; pages: number }> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages < 100; pages++) {
    const url: string = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { items: unknown[]; next: string | null };
    items.push(...body.items);
    if (!body.next) return { items, pages };
    cursor = body.next;
  }
  throw new Error('pagination did not end');
}

const cliJson = async (args: string[]): Promise<unknown> => {
  const r = await runCli([...args, '--json'], { db: t.path });
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
};

describe('read routes', () => {
  it('GET /api/paths: every page of the CLI document, none repeated; filters; the page carries its nodes', async () => {
    const cli = (await cliJson(['paths', '--as-of', AS_OF, '--window', '30'])) as { paths: { from: string }[]; nodes: Record<string, unknown> };
    assert.equal(cli.paths.length, USERS.length, 'one self-escalation per user');
    const paged = await all(`/api/paths?asOf=${AS_OF}&window=30`, 2);
    assert.equal(paged.pages, 3);
    // The CLI's items, in the CLI's order.
    assert.deepEqual(paged.items, cli.paths);
    const one = (await app.inject({ url: `/api/paths?as-of=${AS_OF}&window=30&principal=${encodeURIComponent(arnOf('dev-c'))}` })).json() as { items: { from: string }[]; nodes: Record<string, unknown> };
    assert.deepEqual(one.items.map((p) => p.from), [arnOf('dev-c')]);
    assert.ok(one.nodes[arnOf('dev-c')], 'the nodes of the page');
    assert.equal(Object.keys(one.nodes).includes(arnOf('dev-d')), false, 'only the nodes of the page');
    assert.deepEqual(((await all(`/api/paths?asOf=${AS_OF}&window=30&status=exercised`, 10)).items as { status: string }[]).map((p) => p.status).filter((s) => s !== 'exercised'), []);
    assert.equal((await app.inject({ url: `/api/paths?asOf=${AS_OF}&status=maybe` })).statusCode, 400);
    const unknown = await app.inject({ url: `/api/paths?asOf=${AS_OF}&from=${encodeURIComponent(arnOf('nobody'))}` });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /not a node of the graph/);
  });

  it('GET /api/drift: the CLI document page by page; bad account is a 400', async () => {
    const cli = (await cliJson(['drift'])) as { eventId: string }[];
    assert.equal(cli.length, USERS.length);
    const paged = await all('/api/drift', 2);
    assert.deepEqual(paged.items, cli);
    const filtered = (await all(`/api/drift?resource=${encodeURIComponent(arnOf('dev-b'))}`, 10)).items as { resource: string }[];
    assert.deepEqual(filtered.map((c) => c.resource), [arnOf('dev-b')]);
    assert.equal((await app.inject({ url: '/api/drift?account=123' })).statusCode, 400);
    assert.equal((await app.inject({ url: '/api/drift?since=yesterday-ish' })).statusCode, 400);
  });

  it('GET /api/identities/{arn}: used, unused and unknown by service, resources, activity per day, findings, paths, policy', async () => {
    const r = await app.inject({ url: `/api/identities/${encodeURIComponent(arnOf('dev-a'))}?asOf=${AS_OF}&window=30` });
    assert.equal(r.statusCode, 200, r.body);
    const doc = r.json() as {
      identity: { arn: string; usedActions: string[] };
      actions: Record<string, { used: string[]; unused: string[]; unknown: string[] }>;
      resources: { resource: string; actions: string[] }[];
      activity: { day: string; events: number }[];
      findings: { resource: string }[];
      paths: { from: string }[];
      policy: { Statement: { Action: string | string[] }[] } | null;
    };
    assert.equal(doc.identity.arn, arnOf('dev-a'));
    assert.deepEqual(doc.actions.s3?.used, ['s3:GetObject', 's3:ListAllMyBuckets']);
    assert.deepEqual(doc.actions.iam?.used, ['iam:PutUserPolicy']);
    assert.ok(Object.values(doc.actions).every((a) => Array.isArray(a.unused) && Array.isArray(a.unknown)));
    assert.deepEqual(doc.resources.find((x) => x.resource === 'arn:aws:s3:::data/report.csv')?.actions, ['s3:GetObject']);
    assert.deepEqual(doc.activity, [
      { day: '2026-04-20', events: 1 },
      { day: '2026-04-21', events: 2 },
      { day: '2026-04-22', events: 1 },
    ]);
    assert.ok(doc.findings.length > 0 && doc.findings.every((f) => f.resource === arnOf('dev-a')), 'its findings, only its');
    assert.deepEqual(doc.paths.map((p) => p.from), [arnOf('dev-a')]);
    const actions = doc.policy!.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    assert.ok(actions.includes('s3:GetObject'), JSON.stringify(doc.policy));
    // The CLI's policy suggest prints the same document.
    assert.deepEqual(doc.policy, await cliJsonRaw(['policy', 'suggest', arnOf('dev-a'), '--as-of', AS_OF, '--window', '30']));

    assert.equal((await app.inject({ url: `/api/identities/${encodeURIComponent(arnOf('nobody'))}?asOf=${AS_OF}` })).statusCode, 404);
    const bad = await app.inject({ url: '/api/identities/not-an-arn' });
    assert.equal(bad.statusCode, 400);
    assert.doesNotMatch(bad.body, /at .*\.ts:\d+/);
  });

  it('GET /api/events/{eventId}: the event and its raw record, with or without its time; hostile strings stay data', async () => {
    const listed = (await all('/api/events', 100)).items as { eventID: string; eventTime: string; userAgent: string }[];
    const target = listed.find((e) => e.eventID === 'evt-list-1')!;
    for (const url of [`/api/events/evt-list-1`, `/api/events/evt-list-1?time=${target.eventTime}`]) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, r.body);
      const e = r.json() as { eventID: string; userAgent: string; raw: { userAgent: string; eventID: string } };
      assert.deepEqual([e.eventID, e.raw.eventID], ['evt-list-1', 'evt-list-1']);
      assert.equal(e.userAgent, '<img src=x onerror=alert(1)>');
      assert.equal(e.raw.userAgent, '<img src=x onerror=alert(1)>');
      assert.match(String(r.headers['content-type']), /^application\/json/);
    }
    assert.equal((await app.inject({ url: '/api/events/no-such-event' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/events/evt-list-1?time=2020-01-01T00:00:00Z' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/events/evt-list-1?time=soon' })).statusCode, 400);
  });

  it('GET /api/ingestion: per connector and account, events per hour, gaps, quarantine and problems with fixes', async () => {
    const now = new Date();
    await t.store.ingest.bumpCounters({ connector: 'prod', accountId: ACCOUNT, files: 2, events: 7, duplicates: 0, lastMessageAt: now.toISOString(), lastFileAt: now.toISOString(), lastFileKey: 'AWSLogs/x.json.gz', newestEventTime: now.toISOString() } as never);
    await t.store.ingest.reportProblem({ connector: 'prod', kind: 'access-denied', message: 'GetObject denied', fix: 'grant s3:GetObject', bucket: 'b', key: 'k', at: now.toISOString() } as never);
    await t.store.coverage.add([{ accountId: ACCOUNT, region: 'eu-west-1', since: now.toISOString(), until: now.toISOString(), files: 1, events: 7 }]);
    const r = await app.inject({ url: '/api/ingestion?hours=6' });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { items: { connector: string; enabled: boolean | null; problems: { fix: string }[]; accounts: { accountId: string; eventsPerHour: { events: number }[]; gaps: unknown[] }[] }[]; next: null; hours: number };
    assert.equal(body.hours, 6);
    const prod = body.items.find((c) => c.connector === 'prod')!;
    assert.equal(prod.enabled, null, 'not a registered connector');
    assert.deepEqual(prod.problems.map((p) => p.fix), ['grant s3:GetObject']);
    const account = prod.accounts.find((a) => a.accountId === ACCOUNT)!;
    assert.equal(account.eventsPerHour.length, 6);
    assert.equal(account.eventsPerHour.at(-1)!.events, 7, 'the current hour');
    assert.ok(Array.isArray(account.gaps));
    assert.equal((await app.inject({ url: '/api/ingestion?hours=1000' })).statusCode, 400);
  });

  it('the OpenAPI document names every route', async () => {
    const spec = (await app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = app.printRoutes({ commonPrefix: false });
    for (const p of ['/api/paths', '/api/drift', '/api/ingestion', '/api/identities/{arn}', '/api/events/{eventId}', '/api/connectors/{name}/cloudformation', '/api/connectors/{name}/doctor', '/api/connectors/{name}/iam-sync', '/api/connectors/{name}/enable', '/api/connectors/{name}/disable']) {
      assert.ok(spec.paths[p], `${p} in the OpenAPI document`);
      assert.ok(routes.includes(p.replace(/\{(\w+)\}/g, ':$1').split('/').pop()!), `${p} is served`);
    }
    assert.ok(spec.paths['/api/connectors']!.post && spec.paths['/api/connectors/{name}']!.patch && spec.paths['/api/connectors/{name}']!.delete);
  });
});

async function cliJsonRaw(args: string[]): Promise<unknown> {
  const r = await runCli(args, { db: t.path });
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}
