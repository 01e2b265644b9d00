/** import → findings / drift / detect end to end, on the Stratus Red Team recordings. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT, sharedData } from '../../test/support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-detect-cli-'));
const db = join(dir, 't.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const script = `import { main } from ${JSON.stringify(pathToFileURL(entry).href)}; await main(process.argv);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'trailscope', ...args, '--db', db],
      { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 });
      },
    );
  });
}

const stop = 'aws.defense-evasion.cloudtrail-stop.json';
const backdoor = 'aws.persistence.iam-backdoor-role.json';

before(async () => {
  // Event history exports (one JSON array per technique), as a user would import them.
  for (const f of [stop, backdoor]) writeFileSync(join(dir, f), readFileSync(sharedData('stratus-red-team', 'detonation-logs', f)));
  const r = await run(['import', join(dir, stop), join(dir, backdoor), '--parse-threads', '0']);
  assert.equal(r.code, 0, r.err);
});

interface FindingJson {
  id: string;
  rule: string;
  severity: string;
  resource: string;
  evidence: string[];
  details: Record<string, unknown>;
}

describe('detect, drift and findings', () => {
  it('findings shows the detections made at import, filtered by --rule, with the triggering event as evidence', async () => {
    const r = await run(['findings', '--json', '--rule', 'logging-disabled', '--as-of', '2030-01-01T00:00:00Z', '--window', '3650']);
    assert.equal(r.code, 0, r.err);
    const findings = JSON.parse(r.out) as FindingJson[];
    assert.equal(findings.length, 1);
    const stopEvent = (JSON.parse(readFileSync(join(dir, stop), 'utf8')) as { eventName: string; eventID: string }[]).find((e) => e.eventName === 'StopLogging')!;
    assert.deepEqual(findings[0]!.evidence, [stopEvent.eventID]);
    assert.equal(findings[0]!.severity, 'high');
  });

  it('the window excludes detections outside it, --severity filters them', async () => {
    const old = await run(['findings', '--json', '--rule', 'logging-disabled', '--as-of', '2020-01-01T00:00:00Z']);
    assert.deepEqual(JSON.parse(old.out), []);
    const low = await run(['findings', '--json', '--rule', 'logging-disabled', '--severity', 'low', '--as-of', '2030-01-01T00:00:00Z', '--window', '3650']);
    assert.deepEqual(JSON.parse(low.out), []);
  });

  it('an unknown --rule is a clear error', async () => {
    const r = await run(['findings', '--rule', 'no-such-rule']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /unknown rule id\(s\): no-such-rule/);
  });

  it('drift lists the changes with who and the request parameters, and filters by --resource', async () => {
    const r = await run(['drift', '--json']);
    assert.equal(r.code, 0, r.err);
    const changes = JSON.parse(r.out) as { eventName: string; resource: string; actor: string; requestParameters: unknown }[];
    const names = changes.map((c) => c.eventName);
    assert.ok(names.includes('StopLogging') && names.includes('UpdateAssumeRolePolicy'), names.join(','));
    const role = changes.find((c) => c.eventName === 'UpdateAssumeRolePolicy')!;
    assert.ok(role.actor && role.requestParameters);
    const only = JSON.parse((await run(['drift', '--json', '--resource', role.resource])).out) as { resource: string }[];
    assert.ok(only.length >= 1 && only.every((c) => c.resource === role.resource));
    const table = await run(['drift', '--since', '2000-01-01T00:00:00Z']);
    assert.match(table.out, /UpdateAssumeRolePolicy/);
  });

  it('detect re-scans idempotently: nothing new after import detected it all', async () => {
    const r = await run(['detect', '--json']);
    assert.equal(r.code, 0, r.err);
    const result = JSON.parse(r.out) as { events: number; detections: number; newDetections: number; newChanges: number };
    assert.ok(result.events > 0 && result.detections >= 1);
    assert.equal(result.newDetections, 0);
    assert.equal(result.newChanges, 0);
    const bad = await run(['detect', '--rule', 'nope']);
    assert.match(bad.err, /unknown event rule id\(s\): nope/);
  });
});
