/** The console's files: served from its folder, index.html for browser routes, JSON 404 otherwise. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { tempStore, type TempStore } from '../../test/support/analysis.js';
import { buildServer } from './index.js';

let t: TempStore;
let dir: string;
let app: FastifyInstance;
const HTML = { accept: 'text/html,application/xhtml+xml' };

before(async () => {
  t = await tempStore();
  dir = mkdtempSync(join(tmpdir(), 'trailscope-console-files-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'dist', 'assets', 'app-1.js'), 'export {};');
  writeFileSync(join(dir, 'secret.txt'), 'outside the console folder');
  app = await buildServer({ store: t.store, consoleDir: join(dir, 'dist') });
});
after(async () => {
  await app.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web console files', () => {
  it('serves index.html and assets with their types and the security headers', async () => {
    const root = await app.inject({ url: '/', headers: HTML });
    assert.equal(root.statusCode, 200);
    assert.match(String(root.headers['content-type']), /^text\/html/);
    assert.match(root.body, /<title>console/);
    assert.match(String(root.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(root.headers['content-security-policy']), /unsafe-inline/);
    const js = await app.inject({ url: '/assets/app-1.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
  });

  it('browser routes get index.html; API paths, missing files and escapes get the JSON 404', async () => {
    assert.match((await app.inject({ url: '/identities/some-page', headers: HTML })).body, /<title>console/);
    for (const url of ['/api/nope', '/api/identities/x/y', '/assets/missing.js', '/nope', '/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await app.inject({ url, headers: url === '/nope' ? {} : HTML });
      assert.equal(r.statusCode, 404, url);
      assert.equal(r.json().error, 'not-found', url);
    }
  });

  it('without a built console a page request says how to build it; API only when consoleDir is null', async () => {
    const bare = await buildServer({ store: t.store, consoleDir: join(dir, 'not-built') });
    const apiOnly = await buildServer({ store: t.store, consoleDir: null });
    try {
      const r = await bare.inject({ url: '/', headers: HTML });
      assert.equal(r.statusCode, 503);
      assert.match(r.body, /npm run build/);
      assert.equal((await apiOnly.inject({ url: '/', headers: HTML })).statusCode, 404);
    } finally {
      await bare.close();
      await apiOnly.close();
    }
  });

  it('an identity ARN longer than 100 characters reaches its route (Identity Center role paths)', async () => {
    const arn = `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_${'a'.repeat(16)}`;
    const r = await app.inject({ url: `/api/identities/${encodeURIComponent(arn)}` });
    assert.doesNotMatch(String(r.json().message), /^no route/);
  });
});
