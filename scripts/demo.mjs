#!/usr/bin/env node
// `npm run demo`: generates a synthetic organization with planted findings, imports its
// CloudTrail files and IAM snapshots into demo/trailscope.db, and shows what trailscope finds.
// Uses the built CLI (npm ci builds it), exactly as a user would.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'trailscope');
const demo = join(root, 'demo');
const org = join(demo, 'org');
const db = join(demo, 'trailscope.db');

if (!existsSync(join(root, 'dist', 'cli', 'index.js'))) {
  console.error('demo: the CLI is not built; run `npm ci` (or `npm run build`) first');
  process.exit(1);
}

function run(title, args, { capture = false, allowExit = [0] } = {}) {
  process.stderr.write(`\n$ trailscope ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
  if (!allowExit.includes(r.status ?? -1)) {
    console.error(`demo: "${title}" failed (exit ${r.status})`);
    process.exit(1);
  }
  return r.stdout;
}

rmSync(demo, { recursive: true, force: true });
const summary = JSON.parse(run('generate', ['generate', '--out', org, '--seed', 'demo'], { capture: true }));
console.log(`generated ${summary.events} events in ${summary.accounts.length} accounts (${summary.start} .. ${summary.end})`);
run('import', ['import', join(org, 'AWSLogs'), '--db', db]);
const iamFiles = readdirSync(join(org, 'iam')).map((f) => join(org, 'iam', f));
// The generated window ends at summary.end; analyse as of then so the demo is reproducible. The
// IAM files describe the organization at that time, so they are imported as taken then.
const asOf = summary.end;
run('iam import', ['iam', 'import', ...iamFiles, join(org, 'organizations', 'scps.json'), '--taken-at', asOf, '--db', db]);
run('findings', ['findings', '--db', db, '--as-of', asOf]);
const paths = join(root, 'dist', 'cli', 'paths.js');
if (existsSync(paths)) run('paths', ['paths', '--db', db, '--as-of', asOf]);
const expected = JSON.parse(readFileSync(join(org, 'expected.json'), 'utf8'));
const cases = Array.isArray(expected.cases) ? expected.cases.length : Object.keys(expected).length;
console.log(`\nThe generator planted ${cases} cases; their expected answers are in ${join(org, 'expected.json')}.`);
console.log(`Explore further:\n  bin/trailscope identities --db ${db} --as-of ${asOf}\n  bin/trailscope events --db ${db} --errors --limit 20`);
