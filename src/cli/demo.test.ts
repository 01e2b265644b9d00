/**
 * `trailscope demo` end to end, as a user runs it: --no-serve brings every generated event in
 * through the emulated bucket and queue (in every notification shape) and finds the planted
 * cases; serving answers on the printed URL while files arrive and stops cleanly on SIGTERM.
 * A smaller organization than the default keeps it short; the pipeline is the same.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import { CLI_SCRIPT, runCli } from '../../test/support/cli-run.js';
import { openStore } from '../store/index.js';
import type { DemoSummary } from '../demo/index.js';

// Dense enough that every account has more than the week of logs the activity rules need.
const SMALL = ['--accounts', '2', '--days', '9', '--events-per-day', '300'];

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-demo-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 300_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('trailscope demo', () => {
  it('--no-serve: every generated event is stored through the queue, in every notification shape, and the planted cases are found', { timeout: 900_000 }, async () => {
    const db = join(dir, 'batch.db');
    const r = await runCli(['demo', '--no-serve', '--json', '--db', db, ...SMALL]);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as DemoSummary;
    assert.ok(s.generated.events > 1000, 'a real organization was generated');
    assert.equal(s.stored.events, s.generated.events);
    assert.deepEqual(s.queue, { ready: 0, delayed: 0, inFlight: 0 });
    assert.equal(s.quarantined, 0);
    assert.equal(s.notifications.unreadable, 0);
    for (const shape of ['s3', 'sns', 'cloudtrail-sns', 'eventbridge', 's3-test'] as const) assert.ok((s.notifications.received[shape] ?? 0) > 0, `the queue received ${shape} notifications`);
    const sent = Object.values(s.notifications.sent).reduce((a, b) => a + b, 0);
    const received = Object.values(s.notifications.received).reduce((a, b) => a + b, 0);
    assert.equal(received, sent, 'every notification sent reached the queue');
    assert.equal(s.complete, true);

    // The database itself, not the demo's word for it.
    const store = await openStore(db, { create: false });
    try {
      assert.equal((await store.events.stats()).events, s.generated.events);
      const counters = await store.ingest.counters('demo');
      assert.equal(counters.reduce((n, c) => n + c.files, 0), s.generated.logFiles, 'every log file came through the demo connector');
    } finally {
      await store.close();
    }
    const findings = await runCli(['findings', '--db', db, '--json']);
    assert.equal(findings.code, 0, findings.err);
    const rules = new Set((JSON.parse(findings.out) as { rule: string }[]).map((f) => f.rule));
    for (const rule of ['privilege-escalation', 'super-identity', 'inactive-identity', 'role-trust-public']) assert.ok(rules.has(rule), `a ${rule} finding (have ${[...rules].join(', ')})`);
    assert.ok(s.findings.total >= rules.size);

    const again = await runCli(['demo', '--no-serve', '--db', db, ...SMALL]);
    assert.notEqual(again.code, 0, 'a database that holds data is refused');
    assert.match(again.err, /needs an empty database/);
  });

  it('serving on a port in use: a one-line error and the process ends (nothing left running)', { timeout: 300_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runCli(['demo', '--db', join(dir, 'busy.db'), '--port', String(port), '--accounts', '1', '--days', '8', '--events-per-day', '20'], { timeoutMs: 240_000 });
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, new RegExp(`port ${port} is in use`));
    } finally {
      taken.close();
    }
  });

  it('serving: the printed URL answers /healthz and /api/status while files arrive; SIGTERM stops it cleanly', { timeout: 600_000 }, async () => {
    const db = join(dir, 'serve.db');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CLI_SCRIPT, 'trailscope', 'demo', '--db', db, '--port', '0', '--delivery-seconds', '20', ...SMALL], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await until('the console URL', async () => /console\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1]);
      assert.match(stdout, new RegExp(`database ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.deepEqual(await (await fetch(`${url}healthz`)).json(), { status: 'ok' });
      const files = async () => {
        const status = (await (await fetch(`${url}api/status`)).json()) as { items: { connector: string; totals: { files: number } }[] };
        return status.items.find((c) => c.connector === 'demo')?.totals.files ?? 0;
      };
      await until('files ingested by the served connector', async () => ((await files()) > 0 ? true : undefined));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /demo: stopping/);
  });
});
