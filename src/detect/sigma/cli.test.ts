/** The shipped Sigma rules and --sigma-dir through the CLI: import, detect, findings. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT, sharedData } from '../../../test/support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-sigma-cli-'));
const db = join(dir, 't.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const entry = join(PROJECT_ROOT, 'src', 'cli', 'index.ts');
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

/** SigmaHQ "AWS CloudTrail Important Change" (StopLogging, DeleteTrail, UpdateTrail). */
const TRAIL_CHANGE = 'sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74';
const stop = 'aws.defense-evasion.cloudtrail-stop.json';

before(async () => {
  writeFileSync(join(dir, stop), readFileSync(sharedData('stratus-red-team', 'detonation-logs', stop)));
  const r = await run(['import', join(dir, stop), '--parse-threads', '0']);
  assert.equal(r.code, 0, r.err);
});

describe('Sigma rules in the CLI', () => {
  it('import runs the shipped Sigma rules: findings show sigma:<id> with the level as severity and the author', async () => {
    const r = await run(['findings', '--json', '--rule', TRAIL_CHANGE, '--as-of', '2030-01-01T00:00:00Z', '--window', '3650']);
    assert.equal(r.code, 0, r.err);
    const findings = JSON.parse(r.out) as { rule: string; severity: string; details: { sigma: { author: string } } }[];
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.severity, 'medium');
    assert.equal(findings[0]!.details.sigma.author, 'vitaliy0x1');
  });

  it('detect knows the shipped rule ids and runs them without --sigma-dir', async () => {
    const r = await run(['detect', '--rule', TRAIL_CHANGE, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { detections: number }).detections, 1);
  });

  it('--sigma-dir adds rules and names every rule it cannot load', async () => {
    const extra = join(dir, 'extra');
    mkdirSync(extra);
    copyFileSync(sharedData('sigma', 'unsupported', 'cloud', 'aws_enum_listing.yml'), join(extra, 'aws_enum_listing.yml'));
    writeFileSync(
      join(extra, 'start-logging.yml'),
      ['title: Trail logging stopped', 'id: 0f6a3b5e-9a51-4d0e-b0c4-000000000001', 'logsource:', '    product: aws', '    service: cloudtrail', 'detection:', '    selection:', '        eventName|startswith: StopLog', '    condition: selection', 'level: low', ''].join('\n'),
    );
    const r = await run(['detect', '--sigma-dir', extra, '--rule', 'sigma:0f6a3b5e-9a51-4d0e-b0c4-000000000001', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /sigma rule not loaded: .*aws_enum_listing\.yml: timeframe/);
    assert.equal((JSON.parse(r.out) as { detections: number }).detections, 1);
  });
});
