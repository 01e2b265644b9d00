/**
 * Runs the real `bin/trailscope` on compiled code for end-to-end tests.
 *
 * The tests compile the project once per test file into `tmp/test-build-<pid>/` (inside the
 * project, so node_modules resolve; `/tmp/` is git-ignored) with `tsc -p tsconfig.build.json
 * --outDir`, copy `bin/trailscope` beside it and spawn that: the same launcher and the same
 * compiled JavaScript users run, without touching the shared `dist/` other work may be using.
 * Type errors elsewhere in the tree do not stop the build (tsc still emits); a missing entry
 * point does.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../support/paths.js';
import { startFauxqsForTest } from '../../support/fauxqs.js';
import type { FauxqsFixture } from '../../support/fauxqs.js';

export interface BuiltCli {
  bin: string;
  dir: string;
  cleanup(): void;
}

export function buildCli(): BuiltCli {
  const dir = join(PROJECT_ROOT, 'tmp', `test-build-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  const entry = join(dir, 'dist', 'cli', 'index.js');
  if (!existsSync(entry)) throw new Error(`build produced no ${entry}:\n${r.stdout}\n${r.stderr}`);
  copyFileSync(join(PROJECT_ROOT, 'bin', 'trailscope'), join(dir, 'bin', 'trailscope'));
  return { bin: join(dir, 'bin', 'trailscope'), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const TEST_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_AWS_ENV };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  delete env.NODE_OPTIONS;
  return env;
}

export interface Running {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(bin: string, args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** fauxqs for CLI tests: queue URLs with a host name the CLI's --queue-url check accepts. */
export function startFauxqsWithHostNames(buckets: string[]): Promise<FauxqsFixture> {
  return startFauxqsForTest({ buckets, hostName: 'localhost' });
}
