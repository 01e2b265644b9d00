/**
 * The CLI on PostgreSQL end to end: `import` into a postgres:// store returns, through `events
 * --json`, the same events as into a SQLite file, and the detections made at import are stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT, sharedData } from '../../../test/support/paths.js';
import { TestDatabases, unreachableReason } from './test-server.test-helpers.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const dir = mkdtempSync(join(tmpdir(), 'trailscope-pg-cli-'));
after(async () => {
  await databases.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string; code: number }> {
  const entry = join(PROJECT_ROOT, 'src', 'cli', 'index.ts');
  const script = `import { main } from ${JSON.stringify(pathToFileURL(entry).href)}; await main(process.argv);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'trailscope', ...args],
      { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 });
      },
    );
  });
}

const inputs = [
  sharedData('flaws2-cloudtrail', 'AWSLogs'),
  sharedData('stratus-red-team', 'detonation-logs', 'aws.defense-evasion.cloudtrail-stop.json'),
  sharedData('stratus-red-team', 'detonation-logs', 'aws.persistence.iam-backdoor-role.json'),
];

describe('CLI on PostgreSQL', { skip: skip ?? false }, () => {
  let url = '';
  const sqlite = join(dir, 'same.db');
  before(async () => {
    url = await databases.freshDatabase();
    for (const db of [url, sqlite]) {
      const r = await run(['import', ...inputs, '--db', db]);
      assert.equal(r.code, 0, r.err);
    }
  });

  it('import then events --json returns the same events as with a SQLite file', async () => {
    const ids = async (db: string) => {
      const r = await run(['events', '--json', '--limit', '0', '--db', db]);
      assert.equal(r.code, 0, r.err);
      return (JSON.parse(r.out) as { eventID: string; eventTime: string }[]).map((e) => `${e.eventTime} ${e.eventID}`);
    };
    const fromPg = await ids(url);
    assert.ok(fromPg.length > 30, `expected the imported events, got ${fromPg.length}`);
    assert.deepEqual(fromPg, await ids(sqlite));
  });

  it('$TRAILSCOPE_DB selects PostgreSQL too, and the detections made at import are there', async () => {
    const r = await run(['findings', '--json', '--rule', 'logging-disabled', '--as-of', '2030-01-01T00:00:00Z', '--window', '3650'], { TRAILSCOPE_DB: url });
    assert.equal(r.code, 0, r.err);
    const findings = JSON.parse(r.out) as { rule: string }[];
    assert.deepEqual(findings.map((f) => f.rule), ['logging-disabled']);
  });
});
