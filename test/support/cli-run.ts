/** Runs the CLI from source (src/cli/index.ts through tsx) in a child process, as a user would. */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './paths.js';

export interface CliResult {
  out: string;
  err: string;
  code: number;
}

export const CLI_SCRIPT = `import { main } from ${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'src', 'cli', 'index.ts')).href)}; await main(process.argv);`;

/** `trailscope ...args [--db db]`, with env added to the process's. */
export function runCli(args: string[], opts: { db?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CLI_SCRIPT, 'trailscope', ...args, ...(opts.db ? ['--db', opts.db] : [])],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 0 },
      (error, stdout, stderr) => (error && typeof error.code !== 'number' ? reject(error) : resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 })),
    );
  });
}

export interface SpawnedCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `trailscope ...args` as a long-running child process (workers to stop or kill), same launch as runCli. */
export function spawnCli(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): SpawnedCli {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CLI_SCRIPT, 'trailscope', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}
