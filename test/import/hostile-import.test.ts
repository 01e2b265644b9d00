// Hostile and odd files among good ones: each bad file costs only itself, is named with its
// reason, and the rejected records are explained, not just counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openStore } from '../../src/store/index.js';
import { importPaths } from '../../src/ingest/local-import.js';

function record(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventTime: '2026-11-30T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
    ...overrides,
  };
}

const delivery = (records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

test('hostile files fail alone, named with their reason; the good records around them are imported and rejections are explained', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-hostile-'));
  try {
    const tree = join(dir, 'tree');
    const files: Record<string, Buffer> = {
      'good.json.gz': delivery([
        record({ eventID: 'good-1' }),
        record({ eventID: 'future', eventTime: '9999-01-01T00:00:00Z' }),
        record({ eventID: 'no-source', eventSource: undefined }),
      ]),
      // 64 MiB of user agent in a file of a few hundred KB: the size on disk says nothing
      'agent.json.gz': delivery([record({ eventID: 'agent', userAgent: 'x'.repeat(64 * 1024 * 1024) }), record({ eventID: 'good-2' })]),
      'blank.json.gz': gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20)),
      'empties.json.gz': gzipSync(`[${Array(100_000).fill('{}').join(',')}]`),
      'words.json.gz': gzipSync('hello, not json'),
    };
    mkdirSync(tree);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(tree, name), bytes);
    const store = await openStore(join(dir, 'db.sqlite'));
    const summary = await importPaths(store, [tree], { parseThreads: 1, now: () => new Date('2026-12-01T00:00:00Z') });
    await store.close();

    assert.equal(summary.eventsNew, 2, 'good-1 and good-2');
    const failed = Object.fromEntries(summary.failures.map((f) => [f.path.slice(f.path.lastIndexOf('/') + 1), f.reason]));
    assert.deepEqual(Object.keys(failed).sort(), ['blank.json.gz', 'empties.json.gz', 'words.json.gz']);
    assert.match(failed['blank.json.gz']!, /not JSON.*only whitespace/);
    assert.match(failed['empties.json.gz']!, /1000 consecutive records were rejected/);
    assert.match(failed['words.json.gz']!, /content is not JSON/);

    assert.equal(summary.rejectedRecords, 3);
    const reasons = summary.rejectedReasons.map((g) => g.reason);
    assert.ok(reasons.some((r) => /eventTime <time> lies more than a day after/.test(r)), reasons.join('\n'));
    assert.ok(reasons.some((r) => /eventSource is missing/.test(r)), reasons.join('\n'));
    assert.ok(reasons.some((r) => /field userAgent holds N characters/.test(r)), reasons.join('\n'));
    const future = summary.rejectedReasons.find((g) => /lies more than a day/.test(g.reason))!;
    assert.equal(future.count, 1);
    assert.deepEqual(future.examples.map((e) => [e.path.endsWith('good.json.gz'), e.index]), [[true, 1]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file over the decompressed size limit fails naming the option that raises it, and imports once it is raised', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-hostile-'));
  try {
    const path = join(dir, 'export.json.gz');
    const records = Array.from({ length: 3000 }, (_, k) => record({ eventID: `e-${k}`, userAgent: 'a'.repeat(400) }));
    writeFileSync(path, delivery(records));
    const store = await openStore(join(dir, 'db.sqlite'));
    const small = await importPaths(store, [path], { maxFileBytes: 1024 * 1024 });
    assert.equal(small.failed, 1);
    assert.match(small.failures[0]!.reason, /larger than the 1048576-byte limit once decompressed/);
    assert.match(small.failures[0]!.fix, /raise the limit with --max-file-mb/);
    const raised = await importPaths(store, [path], { maxFileBytes: 4 * 1024 * 1024 });
    assert.equal(raised.failed, 0);
    assert.equal(raised.eventsNew, 3000);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a duplicate eventID with different content keeps the first event and is reported; a plain redelivery is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-hostile-'));
  try {
    const original = record({ eventID: 'shared-id', eventName: 'GetObject' });
    const forged = record({ eventID: 'shared-id', eventName: 'DeleteObject', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333' } });
    writeFileSync(join(dir, 'a.json.gz'), delivery([original, record({ eventID: 'other' })]));
    writeFileSync(join(dir, 'a-again.json.gz'), delivery([original]));
    writeFileSync(join(dir, 'b.json.gz'), delivery([forged]));
    writeFileSync(join(dir, 'c.json.gz'), delivery([record({ eventID: 'in-file' }), record({ eventID: 'in-file', eventName: 'PutObject' })]));
    const store = await openStore(join(dir, 'db.sqlite'));
    const first = await importPaths(store, [join(dir, 'a.json.gz')], { parseThreads: 0 });
    assert.equal(first.duplicateConflicts.count, 0);
    const rest = await importPaths(store, [join(dir, 'a-again.json.gz'), join(dir, 'b.json.gz'), join(dir, 'c.json.gz')], { parseThreads: 0 });
    assert.equal(rest.duplicates, 3);
    assert.equal(rest.duplicateConflicts.count, 2);
    assert.deepEqual(
      rest.duplicateConflicts.examples.map((e) => [e.path.slice(e.path.lastIndexOf('/') + 1), e.eventId]),
      [['b.json.gz', 'shared-id'], ['c.json.gz', 'in-file']],
    );
    const kept = await store.events.query({});
    assert.deepEqual(kept.filter((e) => e.eventID === 'shared-id').map((e) => e.eventName), ['GetObject']);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
