import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { sharedData } from '../../test/support/paths.js';
import { ParsePool } from './parse-pool.js';
import { runParseTask } from './parse-task.js';
import type { ParseJob, ParsedJob } from './parse-job.js';
import { SQLITE_ENCODER } from '../store/sqlite/encoder.js';
import type { SqliteBatch } from '../store/sqlite/encoder.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

/** Real files, a corrupt one and a missing one: every kind of outcome in one job. */
function mixedJob(dir: string): ParseJob {
  const real = walk(sharedData('flaws2-cloudtrail')).sort();
  const corrupt = join(dir, 'corrupt.json.gz');
  writeFileSync(corrupt, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  const paths = [...real, corrupt, join(dir, 'missing.json')];
  return {
    files: paths.map((path) => ({ path, size: path.endsWith('missing.json') ? 0 : statSync(path).size })),
    processedAt: '2026-06-01T00:00:00.000Z',
    // A real store's encoder, so what travels back is what import commits (looked into below).
    encoder: SQLITE_ENCODER,
    type: 'files',
  };
}

/** What a parsed job means, independent of how it travelled (worker threads hand back plain Uint8Arrays). */
function meaning(p: ParsedJob) {
  const { rawText, lineStarts, times, blocks, ...columns } = (p.batch as SqliteBatch).chunk;
  return {
    outcomes: p.outcomes,
    columns,
    rawText: Buffer.from(rawText).toString('utf8'),
    lineStarts: [...lineStarts],
    times: [...times],
    blocks: blocks?.map((b: { first: number; n: number; data: Uint8Array }) => ({ first: b.first, n: b.n, text: brotliDecompressSync(b.data).toString('utf8') })) ?? null,
  };
}

test('a worker thread parses a job exactly as the main thread does, failures included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-pool-'));
  const pool = new ParsePool(1);
  try {
    const job = mixedJob(dir);
    const inline = await runParseTask(job);
    await pool.warmUp();
    const viaWorker = await pool.run(job);
    assert.ok(pool.parallel);
    assert.deepEqual(meaning(viaWorker), meaning(inline));
    const statuses = viaWorker.outcomes.map((o) => o.status);
    assert.equal(statuses.filter((s) => s === 'failed').length, 2);
    assert.equal((viaWorker.batch as SqliteBatch).chunk.n, 37, 'the flaws2 files hold 37 events');
    assert.match(viaWorker.outcomes.at(-2)!.reason!, /gzip|corrupt|unexpected end/i);
    assert.match(viaWorker.outcomes.at(-1)!.reason!, /ENOENT|no such file/i);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker asked for a heap too small to start gets enough to start, and parses on its thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-pool-'));
  // Without a floor these limits kill every worker at start-up (on Node 22, the whole process).
  const pool = new ParsePool(1, { limits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 2 } });
  try {
    const job = mixedJob(dir);
    const expected = meaning(await runParseTask(job));
    await pool.warmUp();
    for (let k = 0; k < 4; k++) assert.deepEqual(meaning(await pool.run(job)), expected);
    assert.equal(pool.parallel, true, 'the worker survived every job');
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('jobs of workers that die are parsed on the main thread, and a pool that keeps losing them stops using them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-pool-'));
  // Every worker throws as it starts: a failure that is survivable on every Node version, unlike
  // a worker's out-of-memory at start-up, which Node 22 turns into a process abort.
  const failingEntry = join(dir, 'failing-worker.mjs');
  writeFileSync(failingEntry, "throw new Error('this parse worker fails as it starts');\n");
  const pool = new ParsePool(2, { workerEntry: pathToFileURL(failingEntry) });
  try {
    const job = mixedJob(dir);
    const expected = meaning(await runParseTask(job));
    const together = await Promise.all(Array.from({ length: 4 }, () => pool.run(job)));
    for (const r of together) assert.deepEqual(meaning(r), expected);
    for (let k = 0; k < 3; k++) assert.deepEqual(meaning(await pool.run(job)), expected);
    // Jobs run here until a worker is ready; waiting for one lets the failing workers die out.
    await pool.warmUp();
    assert.equal(pool.parallel, false, 'after repeated deaths the pool parses inline');
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
