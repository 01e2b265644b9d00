/** The HTTP API, through Fastify's inject: every route, the token, invalid input, pagination. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addRecords, allow, authorizationDetails, importIam, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { findFindings } from '../app/index.js';
import { loadAnalysis } from '../analysis/load.js';
import { addConnector } from '../connectors/index.js';
import { buildServer, checkBinding } from './index.js';

const AS_OF = '2026-05-01T00:00:00Z';
let t: TempStore;
let app: FastifyInstance;
let analysed = 0;

const outsideTrust = (account: string) => ({ Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        roles: ['a', 'b', 'c', 'd', 'e'].map((n, i) => ({ name: `vendor-${n}`, created: '2020-01-01T00:00:00Z', inline: [allow(['s3:GetObject'])], trust: outsideTrust(String(999988887770 + i)) })),
        users: [{ name: 'alice', created: '2020-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] }],
      }),
    ],
  });
  // 25 events, several sharing one timestamp, one with a hostile user agent.
  const records = Array.from({ length: 25 }, (_, i) => record({ user: 'alice' }, 's3:ListBuckets', `2026-04-20T00:00:0${Math.floor(i / 5)}Z`));
  records[3]!.userAgent = '<script>alert(1)</script>';
  await addRecords(t.store, records);
  await findFindings(t.store, { asOf: AS_OF, windowDays: 30, rules: ['role-trust-external-without-externalid'] });
  await addConnector(t.store, { name: 'prod', bucket: 'prod-trail', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q' });
  app = await buildServer({ store: t.store, analyse: async () => ({ findings: ++analysed }) });
});
after(async () => {
  await app.close();
  await t.close();
});

async function all(path: string, limit: number): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const url: string = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { items: unknown[]; next: string | null };
    items.push(...body.items);
    if (!body.next) return items;
    cursor = body.next;
  }
  throw new Error('pagination did not end');
}

describe('HTTP API', () => {
  it('security headers on every response, JSON errors without stacks, /healthz and the OpenAPI description', async () => {
    const h = await app.inject({ url: '/healthz' });
    assert.deepEqual(h.json(), { status: 'ok' });
    for (const r of [h, await app.inject({ url: '/nope' }), await app.inject({ url: '/api/findings?severity=bogus' })]) {
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.doesNotMatch(String(r.headers['content-security-policy']), /unsafe-inline/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['access-control-allow-origin'], undefined, 'no CORS');
    }
    const bad = await app.inject({ url: '/api/findings?severity=bogus' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'invalid-input');
    assert.doesNotMatch(bad.body, /at .*\.ts:\d+/);
    assert.equal((await app.inject({ url: '/api/events?limit=0' })).statusCode, 400);
    assert.equal((await app.inject({ url: '/api/events?cursor=garbage' })).statusCode, 400);
    assert.equal((await app.inject({ url: '/nope' })).json().error, 'not-found');
    const spec = (await app.inject({ url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, unknown> };
    assert.equal(spec.openapi, '3.0.3');
    for (const p of ['/api/findings', '/api/identities', '/api/events', '/api/connectors', '/api/status', '/api/coverage']) assert.ok(spec.paths[p], p);
  });

  it('findings: the CLI --json shape, filters, pagination that neither skips nor repeats, suppression', async () => {
    const cli = (await findFindings(t.store, { asOf: AS_OF, windowDays: 30, rules: ['role-trust-external-without-externalid'] })).findings;
    assert.equal(cli.length, 5);
    const paged = (await all('/api/findings', 2)) as { id: string }[];
    assert.deepEqual(paged, JSON.parse(JSON.stringify(cli)));
    const one = cli[0]!;
    const put = await app.inject({ method: 'PUT', url: `/api/findings/${one.id}/suppression`, payload: { reason: 'reviewed', by: 'bob' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().status, 'suppressed');
    assert.deepEqual(((await all('/api/findings', 10)) as { id: string }[]).map((f) => f.id).includes(one.id), false);
    assert.deepEqual(((await all('/api/findings?status=suppressed', 10)) as { id: string; suppression: { by: string } }[]).map((f) => [f.id, f.suppression.by]), [[one.id, 'bob']]);
    assert.equal((await app.inject({ method: 'PUT', url: `/api/findings/${one.id}/suppression`, payload: { reason: '' } })).statusCode, 400);
    assert.equal((await app.inject({ method: 'PUT', url: '/api/findings/nope/suppression', payload: { reason: 'r' } })).statusCode, 404);
    assert.equal((await app.inject({ method: 'PUT', url: `/api/findings/${one.id}/suppression`, payload: { reason: 'x'.repeat(100_000) } })).statusCode, 413);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/findings/${one.id}/suppression` })).json().status, 'open');
    assert.equal(((await all('/api/findings?severity=info', 10)) as unknown[]).length, 0);
    assert.deepEqual((await app.inject({ method: 'POST', url: '/api/analysis' })).json(), { findings: 1 });
  });

  it('events: keyset pages over equal timestamps, hostile strings stay data; identities, connectors, status, coverage', async () => {
    const everything = [];
    for await (const e of t.store.events.iterate({})) everything.push(e.eventID);
    const paged = (await all('/api/events', 7)) as { eventID: string; userAgent: string }[];
    assert.deepEqual(paged.map((e) => e.eventID), everything);
    assert.equal(paged.filter((e) => e.userAgent === '<script>alert(1)</script>').length, 1);
    assert.equal((await app.inject({ url: '/api/events?limit=5&principal=arn:aws:iam::111122223333:user/nobody' })).json().items.length, 0);

    const ids = (await all(`/api/identities?asOf=${AS_OF}&window=30`, 4)) as { arn: string }[];
    const { ctx } = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 30, resourceDetail: false, escalationEvents: false });
    assert.deepEqual(ids.map((i) => i.arn), ctx.identities.map((i) => i.summary.arn).sort());
    assert.deepEqual(ids.find((i) => i.arn.endsWith('user/alice')), JSON.parse(JSON.stringify(ctx.identities.find((i) => i.summary.arn.endsWith('user/alice'))!.summary)));

    const conns = (await all('/api/connectors', 10)) as { name: string; externalId: string; status: string }[];
    assert.deepEqual(conns.map((c) => [c.name, c.status]), [['prod', 'enabled']]);
    assert.equal((await app.inject({ url: '/api/connectors/prod' })).json().doctor, null);
    assert.equal((await app.inject({ url: '/api/connectors/nope' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/status' })).statusCode, 200);
    const cov = (await all(`/api/coverage?asOf=${AS_OF}`, 10)) as { accountId: string; activity: string }[];
    assert.deepEqual(cov.map((c) => c.accountId), ['111122223333']);
  });

  it('with a token every /api call needs it; beyond loopback a token is required', async () => {
    const secured = await buildServer({ store: t.store, token: 's3cret-token-value' });
    try {
      assert.equal((await secured.inject({ url: '/api/findings' })).statusCode, 401);
      assert.equal((await secured.inject({ url: '/api/findings', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
      assert.equal((await secured.inject({ url: '/api/findings', headers: { authorization: 'Bearer s3cret-token-value' } })).statusCode, 200);
      assert.equal((await secured.inject({ url: '/healthz' })).statusCode, 200);
    } finally {
      await secured.close();
    }
    assert.throws(() => checkBinding('0.0.0.0', undefined), /needs a token/);
    assert.doesNotThrow(() => checkBinding('127.0.0.1', undefined));
    assert.doesNotThrow(() => checkBinding('0.0.0.0', 'x'));
  });
});
