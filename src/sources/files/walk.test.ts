import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, chmodSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { walkFiles, readLocalFile } from './index.js';
import type { WalkEntry } from './index.js';

async function collect(paths: string[]): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const e of walkFiles(paths)) out.push(e);
  return out;
}

describe('walkFiles', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'trailscope-walk-'));
    mkdirSync(join(root, 'b', 'deep'), { recursive: true });
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'b', 'deep', 'z.json.gz'), 'zz');
    writeFileSync(join(root, 'b', 'B.json'), 'B');
    writeFileSync(join(root, 'a', '2.json'), '22');
    writeFileSync(join(root, 'a', '10.json'), '1010');
    writeFileSync(join(root, 'top.json'), 't');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('recursive, depth-first, byte-sorted in every directory, with sizes', async () => {
    const entries = await collect([root]);
    assert.deepEqual(
      entries.map((e) => [e.path.slice(root.length + 1), 'size' in e ? e.size : e.error]),
      [
        ['a/10.json', 4],
        ['a/2.json', 2],
        ['b/B.json', 1],
        ['b/deep/z.json.gz', 2],
        ['top.json', 1],
      ],
    );
  });

  test('files given directly are yielded; missing paths are errors, not skipped', async () => {
    const entries = await collect([join(root, 'top.json'), join(root, 'nope')]);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[0], { path: join(root, 'top.json'), size: 1 });
    assert.ok('error' in entries[1]! && /does not exist/.test(entries[1].error));
  });

  test('a symlink loop ends and is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailscope-loop-'));
    try {
      mkdirSync(join(dir, 'x'));
      writeFileSync(join(dir, 'x', 'f.json'), '{}');
      symlinkSync('..', join(dir, 'x', 'up'));
      symlinkSync(join(dir, 'missing'), join(dir, 'broken'));
      const entries = await collect([dir]);
      const files = entries.filter((e) => 'size' in e).map((e) => e.path);
      assert.deepEqual(files, [join(dir, 'x', 'f.json')]);
      const errors = entries.filter((e): e is { path: string; error: string } => 'error' in e);
      assert.deepEqual(errors.map((e) => e.path), [join(dir, 'broken'), join(dir, 'x', 'up')]);
      assert.match(errors[1]!.error, /already walked/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('special files (a FIFO would block a reader) are errors', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'trailscope-fifo-'));
    try {
      try {
        execFileSync('mkfifo', [join(dir, 'pipe')]);
      } catch {
        t.skip('mkfifo not available');
        return;
      }
      const entries = await collect([dir]);
      assert.equal(entries.length, 1);
      assert.ok('error' in entries[0]! && /FIFO/.test(entries[0].error));
      await assert.rejects(readLocalFile(join(dir, 'pipe')), /not a regular file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreadable directory is an error (when not running as root)', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('root can read everything');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'trailscope-perm-'));
    try {
      mkdirSync(join(dir, 'locked'));
      chmodSync(join(dir, 'locked'), 0o000);
      const entries = await collect([dir]);
      assert.deepEqual(entries, [{ path: join(dir, 'locked'), error: 'permission denied' }]);
    } finally {
      chmodSync(join(dir, 'locked'), 0o700);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readLocalFile', () => {
  test('bytes and size; directories and missing paths are clear errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailscope-read-'));
    try {
      writeFileSync(join(dir, 'f'), 'hello');
      const f = await readLocalFile(join(dir, 'f'));
      assert.equal(f.size, 5);
      assert.equal(f.bytes.toString(), 'hello');
      await assert.rejects(readLocalFile(dir), /is a directory/);
      await assert.rejects(readLocalFile(join(dir, 'nope')), /does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
