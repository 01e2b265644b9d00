// `trailscope import` end to end: real CloudTrail files from ../shared/data, idempotence,
// a corrupt file among good ones, digests skipped, the CLI's exit code and stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { openStore } from '../../src/store/index.js';
import { importPaths } from '../../src/ingest/local-import.js';
import { PROJECT_ROOT, sharedData } from '../support/paths.js';

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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
