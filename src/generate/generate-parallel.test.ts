/**
 * Generation on worker threads (byte-identical to one thread) and the `generate` command.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Command } from 'commander';
import { generateOrganization } from './index.js';
import type { GenerateSummary } from './index.js';
import { registerGenerate } from '../cli/generate.js';

const LOG_KEY =
  /^AWSLogs\/(o-[a-z0-9]{10})\/(\d{12})\/CloudTrail\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/\2_CloudTrail_\3_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[A-Za-z0-9]{16}\.json\.gz$/;

function fingerprint(files: Map<string, Uint8Array | string>): string {
  const h = createHash('sha256');
  for (const p of [...files.keys()].sort()) h.update(p).update('\0').update(files.get(p)!).update('\0');
  return h.digest('hex');
}

describe('parallel generation', () => {
  test('worker threads write exactly the files a single thread writes', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'trailscope-w1-')), mkdtempSync(join(tmpdir(), 'trailscope-w2-'))];
    try {
      const opts = { accounts: 3, days: 1, eventsPerDay: 150, identitiesPerAccount: 12, seed: 'par' };
      const one = await generateOrganization({ ...opts, out: dirs[0], workers: 1 });
      const two = await generateOrganization({ ...opts, out: dirs[1], workers: 2 });
      assert.deepEqual({ ...two, durationMs: 0 }, { ...one, durationMs: 0 });
      const read = (root: string): Map<string, Uint8Array> => {
        const files = new Map<string, Uint8Array>();
        const walk = (d: string): void => {
          for (const f of readdirSync(d)) {
            const p = join(d, f);
            if (statSync(p).isDirectory()) walk(p);
            else files.set(relative(root, p).split(sep).join('/'), readFileSync(p));
          }
        };
        walk(root);
        return files;
      };
      assert.equal(fingerprint(read(dirs[1]!)), fingerprint(read(dirs[0]!)));
    } finally {
      for (const d of dirs) rmSync(d!, { recursive: true, force: true });
    }
  });
});

describe('trailscope generate (CLI)', () => {
  test('writes the layout to --out and prints the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailscope-gen-'));
    try {
      const program = new Command().exitOverride();
      registerGenerate(program);
      const out: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
      try {
        await program.parseAsync(['node', 'trailscope', 'generate', '--out', dir, '--accounts', '1', '--days', '1', '--events-per-day', '40', '--identities-per-account', '10', '--seed', 'cli']);
      } finally {
        process.stdout.write = write;
      }
      const summary = JSON.parse(out.join('')) as GenerateSummary;
      const files: string[] = [];
      const walk = (d: string): void => {
        for (const f of readdirSync(d)) {
          const p = join(d, f);
          if (statSync(p).isDirectory()) walk(p);
          else files.push(relative(dir, p).split(sep).join('/'));
        }
      };
      walk(dir);
      assert.equal(files.filter((f) => LOG_KEY.test(f)).length, summary.logFiles);
      assert.ok(files.includes('expected.json') && files.includes('organizations/scps.json'));
      const snap = JSON.parse(readFileSync(join(dir, 'iam', `${summary.managementAccountId}.authorization-details.json`), 'utf8'));
      assert.ok(snap.UserDetailList.length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects a bad --start', async () => {
    const program = new Command().exitOverride();
    registerGenerate(program);
    await assert.rejects(program.parseAsync(['node', 'trailscope', 'generate', '--out', '/nonexistent/x', '--start', 'yesterday-ish']), /--start/);
  });
});
