// `trailscope import` end to end: real CloudTrail files from ../shared/data, idempotence,
// a corrupt file among good ones, digests skipped, the CLI's exit code and stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { openStore } from '../../src/store/index.js';
import { importPaths } from '../../src/ingest/local-import.js';
import { PROJECT_ROOT, sharedData } from '../support/paths.js';
import { syntheticEvents } from '../../src/store/testing/fixtures.js';

const FLAWS = sharedData('flaws2-cloudtrail');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'trailscope-import-'));
}

test('importing the same tree twice adds nothing the second time and says so', async () => {
  const dir = tempDir();
  try {
    const store = await openStore(join(dir, 'db.sqlite'));
    const first = await importPaths(store, [FLAWS]);
    assert.equal(first.filesRead, 8);
    assert.equal(first.eventsNew, 37);
    assert.equal(first.failed, 0);
    const second = await importPaths(store, [FLAWS]);
    assert.equal(second.filesRead, 0);
    assert.equal(second.eventsNew, 0);
    assert.equal(second.alreadyImported, 8);
    assert.equal((await store.events.stats()).events, 37);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a redelivered file under another name adds no events: duplicates are counted by eventID', async () => {
  const dir = tempDir();
  try {
    const copy = join(dir, 'copy');
    cpSync(FLAWS, copy, { recursive: true });
    const store = await openStore(join(dir, 'db.sqlite'));
    await importPaths(store, [FLAWS]);
    const again = await importPaths(store, [copy]);
    assert.equal(again.filesRead, 8);
    assert.equal(again.eventsNew, 0);
    assert.equal(again.duplicates, 37);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI names a corrupt file with its reason, imports the rest, skips digests and exits 2', () => {
  const dir = tempDir();
  try {
    const tree = join(dir, 'tree');
    cpSync(FLAWS, tree, { recursive: true });
    writeFileSync(join(tree, 'broken.json.gz'), Buffer.concat([gzipSync('{"Records":[').subarray(0, 12)]));
    const digest = { awsAccountId: '653711331788', digestStartTime: '2018-11-28T00:00:00Z', digestEndTime: '2018-11-28T01:00:00Z', logFiles: [] };
    writeFileSync(join(tree, '653711331788_CloudTrail-Digest_us-east-1_x_us-east-1_20181128T010000Z.json.gz'), gzipSync(JSON.stringify(digest)));
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'trailscope'), 'import', tree, '--db', join(dir, 'db.sqlite'), '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /broken\.json\.gz/);
    const summary = JSON.parse(run.stdout) as { eventsNew: number; failed: number; skipped: number; failures: { path: string; reason: string; fix: string }[] };
    assert.equal(summary.eventsNew, 37);
    assert.equal(summary.failed, 1);
    assert.equal(summary.skipped, 1);
    assert.ok(summary.failures[0]!.reason.length > 0 && summary.failures[0]!.fix.length > 0);
    const bad = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'trailscope'), 'import', tree, '--parse-threads', 'many', '--db', join(dir, 'db.sqlite')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--parse-threads must be a whole number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parse threads change nothing but speed: the same summary and the same events as parsing inline', async () => {
  const dir = tempDir();
  try {
    const tree = join(dir, 'AWSLogs', '111111111111', 'CloudTrail', 'us-east-1', '2026', '01', '01');
    mkdirSync(tree, { recursive: true });
    const events = syntheticEvents(3000, { seed: 21 });
    const sizes: number[] = [];
    for (let f = 0; f * 75 < events.length; f++) {
      // Every tenth file repeats the previous file's last records, as CloudTrail redeliveries do.
      const from = Math.max(0, f * 75 - (f % 10 === 9 ? 20 : 0));
      const records = events.slice(from, (f + 1) * 75).map((e) => e.raw);
      const bytes = gzipSync(JSON.stringify({ Records: records }));
      sizes.push(bytes.length);
      writeFileSync(join(tree, `111111111111_CloudTrail_us-east-1_20260101T0000Z_${String(f).padStart(3, '0')}.json.gz`), bytes);
    }
    // Half the files count as "huge" and are parsed on the main thread, as files too big for a worker are.
    const inlineAboveBytes = sizes.sort((a, b) => a - b)[sizes.length >> 1]!;
    assert.ok(sizes.some((n) => n > inlineAboveBytes) && sizes.some((n) => n <= inlineAboveBytes));
    writeFileSync(join(tree, 'broken.json.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    const runs = [];
    for (const parseThreads of [2, 0]) {
      const store = await openStore(join(dir, `db-${parseThreads}.sqlite`));
      const summary = await importPaths(store, [join(dir, 'AWSLogs')], { parseThreads, inlineAboveBytes });
      const stored = await store.events.query({});
      await store.close();
      runs.push({ summary: { ...summary, failures: summary.failures.map((x) => x.path) }, stored });
    }
    const [threaded, inline] = runs;
    assert.equal(threaded!.summary.eventsNew, 3000);
    assert.equal(threaded!.summary.duplicates, 4 * 20);
    assert.equal(threaded!.summary.failed, 1);
    assert.deepEqual(threaded!.summary, inline!.summary);
    assert.equal(threaded!.stored.length, 3000);
    assert.deepStrictEqual(threaded!.stored, inline!.stored);
    const byId = new Map(events.map((e) => [e.eventID, e]));
    for (const e of threaded!.stored) assert.deepStrictEqual(e.raw, byId.get(e.eventID)!.raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
