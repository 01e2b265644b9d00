/**
 * First run and --db, end to end through the real CLI: an empty or partial store gives a valid
 * result on stdout and, on stderr, what is missing with the command that brings it in; a
 * --db that does not exist is an error for the commands that only read, and nothing is created.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import { openStore } from '../store/index.js';

let dir: string;

function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const script = `import { main } from ${JSON.stringify(pathToFileURL(entry).href)}; await main(process.argv);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'trailscope', ...args],
      { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TRAILSCOPE_DB: '' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 });
      },
    );
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-first-run-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('first run: an empty store', () => {
  let db: string;
  before(async () => {
    db = join(dir, 'empty.db');
    await (await openStore(db)).close();
  });

  for (const cmd of [['findings', '--json'], ['identities', '--json']]) {
    it(`${cmd.join(' ')} prints [] and says what is missing and how to bring it in`, async () => {
      const r = await run([...cmd, '--db', db]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), []);
      assert.match(r.err, /no IAM snapshot imported/);
      assert.ok(r.err.includes(`trailscope iam import --db ${db} auth.json`), r.err);
      assert.ok(r.err.includes(`trailscope iam sync --db ${db}`), r.err);
      assert.match(r.err, /no CloudTrail events stored/);
      assert.ok(r.err.includes(`trailscope import --db ${db} <dir-of-CloudTrail-files>`), r.err);
    });
  }

  it('paths --json prints a valid document with no path', async () => {
    const r = await run(['paths', '--json', '--db', db]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as { paths: unknown[]; nodes: Record<string, unknown> };
    assert.deepEqual(doc.paths, []);
    assert.deepEqual(doc.nodes, {});
    assert.match(r.err, /no IAM snapshot imported/);
  });

  it('an unknown --account is named, with the accounts known', async () => {
    const r = await run(['findings', '--json', '--account', '444455556666', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), []);
    assert.match(r.err, /account 444455556666 is in no IAM snapshot and no stored event: the store knows no account yet/);
  });

  it('status says what is missing on stderr and keeps its JSON', async () => {
    const r = await run(['status', '--json', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((JSON.parse(r.out) as { connectors: unknown[] }).connectors, []);
    assert.match(r.err, /no IAM snapshot imported/);
  });
});

describe('--db naming a file that does not exist', () => {
  for (const cmd of [['findings'], ['identities'], ['paths'], ['status'], ['events'], ['policy', 'suggest', 'arn:aws:iam::111122223333:user/x']]) {
    it(`${cmd[0]} fails naming the path and creates nothing`, async () => {
      const db = join(dir, 'missing', `${cmd[0]}.db`);
      const r = await run([...cmd, '--db', db]);
      assert.notEqual(r.code, 0);
      assert.ok(r.err.includes(`database ${db} does not exist`), r.err);
      assert.equal(r.out, '');
      assert.equal(existsSync(db), false);
      assert.equal(existsSync(dirname(db)), false);
    });
  }

  it('import creates it (and its folder)', async () => {
    const db = join(dir, 'new', 'import.db');
    const empty = join(dir, 'no-files');
    mkdirSync(empty);
    const r = await run(['import', empty, '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.equal(existsSync(db), true);
  });
});
