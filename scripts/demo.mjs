#!/usr/bin/env node
// `npm run demo [-- options]`: runs `trailscope demo` from the built CLI (npm ci builds it), exactly
// as a user would: an emulated S3/SQS, a generated organization delivered live, and the console.
// Options after `--` go to `trailscope demo` (e.g. `npm run demo -- --no-serve`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'cli', 'index.js'))) {
  console.error('demo: the CLI is not built; run `npm ci` (or `npm run build`) first');
  process.exit(1);
}
const child = spawn(process.execPath, [join(root, 'bin', 'trailscope'), 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the demo directly (same process group); a SIGTERM sent to npm is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
