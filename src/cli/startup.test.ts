/**
 * The CLI loads a command's dependencies only when that command runs: `--help`
 * and `--version` load neither the AWS SDK nor the IAM libraries nor SQLite,
 * and `events` loads no AWS SDK and no IAM library. Checked by recording every
 * module Node resolves in a child process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import { commandIndex, invokedCommand } from './commands.js';
import { buildProgram } from './index.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-startup-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.TRAILSCOPE_RESOLVE_LOG, result.url + '\\n');
  return result;
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function modulesLoadedBy(args: string[]): Promise<{ modules: string[]; out: string }> {
  const log = join(dir, `resolved-${args.join('_').replace(/\W/g, '')}.log`);
  writeFileSync(log, '');
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const script = `import { main } from ${JSON.stringify(pathToFileURL(entry).href)}; await main(process.argv);`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', script, 'trailscope', ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, TRAILSCOPE_RESOLVE_LOG: log } },
      (error, stdout, stderr) => (error && typeof error.code !== 'number' ? reject(error) : resolve(stdout + stderr)),
    );
  });
  return { modules: readFileSync(log, 'utf8').split('\n').filter(Boolean), out };
}

const heavy = (modules: string[], names: RegExp) => modules.filter((m) => names.test(m));
const AWS_OR_IAM = /node_modules\/(@aws-sdk|@smithy|@cloud-copilot)\//;

describe('CLI start-up', () => {
  it('--version and --help load no AWS SDK, IAM library or SQLite; --help still lists every command', async () => {
    const version = await modulesLoadedBy(['--version']);
    assert.match(version.out, /^\d+\.\d+\.\d+/);
    assert.ok(version.modules.some((m) => m.includes('/src/cli/index.ts')), 'the hook saw the CLI load');
    assert.deepEqual(heavy(version.modules, /node_modules\/(@aws-sdk|@smithy|@cloud-copilot|better-sqlite3)\//), []);
    const help = await modulesLoadedBy(['--help']);
    assert.deepEqual(heavy(help.modules, AWS_OR_IAM), []);
    for (const { name } of commandIndex) assert.match(help.out, new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('events loads no AWS SDK or IAM library; findings does load the IAM libraries', async () => {
    const events = await modulesLoadedBy(['events', '--help']);
    assert.match(events.out, /--principal/);
    assert.deepEqual(heavy(events.modules, AWS_OR_IAM), []);
    const findings = await modulesLoadedBy(['findings', '--help']);
    assert.notDeepEqual(heavy(findings.modules, /node_modules\/@cloud-copilot\//), [], 'the check can see a heavy module');
  });

  it('demo --help loads neither the emulator nor the AWS SDK (they load when the demo runs)', async () => {
    const demo = await modulesLoadedBy(['demo', '--help']);
    assert.match(demo.out, /--no-serve/);
    assert.deepEqual(heavy(demo.modules, /node_modules\/(fauxqs|@aws-sdk|@smithy|@cloud-copilot)\//), []);
  });

  it('every entry of the command index registers the command of its name', async () => {
    const program = await buildProgram();
    assert.deepEqual(program.commands.map((c) => c.name()), commandIndex.map((e) => e.name));
    for (const c of program.commands) assert.ok(c.description().length > 0, `${c.name()} has a description`);
  });

  it('the invoked command is the first word that is not an option; help X means X', () => {
    assert.equal(invokedCommand(['--version']), undefined);
    assert.equal(invokedCommand(['findings', '--json', '--rule', 'x']), 'findings');
    assert.equal(invokedCommand(['help', 'paths']), 'paths');
    assert.equal(invokedCommand(['--help', 'iam', 'import']), 'iam');
  });
});
