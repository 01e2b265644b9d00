import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, groupCommitProblem, type GroupCommitBackend } from './group-commit.js';
import { encodeChunk } from './encode/index.js';
import { syntheticEvents } from './testing/fixtures.js';
import type { CommitResult } from './types.js';

/** Batches are lists of event labels; a label 'bad' makes the transaction holding it fail. */
function backend(opts: { mergeFails?: boolean } = {}) {
  const transactions: string[][] = [];
  const impl: GroupCommitBackend<string[]> = {
    async commitNow(batch) {
      if (batch.includes('bad')) throw new Error('constraint failed');
      transactions.push(batch);
      return batch.map(() => ({ inserted: 1, duplicates: 0 }) as CommitResult);
    },
    events: (batch) => batch.length,
    parts: (batch) => batch.length,
    merge(batches) {
      if (opts.mergeFails) throw new TypeError('column missing');
      return batches.flat();
    },
  };
  return { impl, transactions };
}

test('small batches arriving together share one transaction, each caller gets its own results', async () => {
  const { impl, transactions } = backend();
  const group = new GroupCommit(impl);
  const results = await Promise.all([group.commit(['a'], false), group.commit(['b', 'c'], false), group.commit(['d'], false)]);
  assert.deepEqual(transactions, [['a', 'b', 'c', 'd']]);
  assert.deepEqual(results.map((r) => r.length), [1, 2, 1]);
  await group.commit(['e'], true);
  assert.deepEqual(transactions.at(-1), ['e'], 'immediate commits alone');
});

test('a bad batch fails alone: the others of its group still commit', async () => {
  const { impl, transactions } = backend();
  const group = new GroupCommit(impl);
  const settled = await Promise.allSettled([group.commit(['a'], false), group.commit(['bad'], false), group.commit(['b'], false)]);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(transactions, [['a'], ['b']]);
});

test('a merge that throws is a bug: every caller of the group learns it, nothing is committed', async () => {
  const { impl, transactions } = backend({ mergeFails: true });
  const group = new GroupCommit(impl);
  const settled = await Promise.allSettled([group.commit(['a'], false), group.commit(['b'], false)]);
  assert.deepEqual(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'committed')), ['column missing', 'column missing']);
  assert.deepEqual(transactions, []);
});

test('a group that fails where its batches do not is reported; a bad batch that explains it is not', async () => {
  const reported: { message: string; batches: string[][] }[] = [];
  const transactions: string[][] = [];
  const impl: GroupCommitBackend<string[]> = {
    async commitNow(batch) {
      // only a transaction of several batches fails: as a merging bug would
      if (batch.length > 1 || batch.includes('bad')) throw new Error(batch.includes('bad') ? 'constraint failed' : 'group broke');
      transactions.push(batch);
      return batch.map(() => ({ inserted: 1, duplicates: 0 }) as CommitResult);
    },
    events: (batch) => batch.length,
    parts: (batch) => batch.length,
    merge: (batches) => batches.flat(),
    groupFailed: (err, batches) => reported.push({ message: (err as Error).message, batches }),
  };
  const group = new GroupCommit(impl);
  await Promise.all([group.commit(['a'], false), group.commit(['b'], false)]);
  assert.deepEqual(transactions, [['a'], ['b']], 'each committed on its own');
  assert.deepEqual(reported, [{ message: 'group broke', batches: [['a'], ['b']] }]);
  await Promise.allSettled([group.commit(['c'], false), group.commit(['bad'], false)]);
  assert.equal(reported.length, 1, 'the bad batch explains its group failing');
});

test('groupCommitProblem names the connector and first file of the group, and nothing for files without a connector', () => {
  const events = syntheticEvents(4, { seed: 9 });
  const file = (key: string, connector?: string) => ({ source: 'trail-bucket', key, status: 'done' as const, kind: 'events' as const, eventCount: 2, newEvents: 2, connector, processedAt: '2026-12-06T00:00:00Z' });
  const chunks = [encodeChunk([{ file: file('AWSLogs/a.json.gz'), events: events.slice(0, 2) }]), encodeChunk([{ file: file('AWSLogs/b.json.gz', 'prod'), events: events.slice(2) }])];
  const problem = groupCommitProblem(new Error('no such column'), chunks, new Date('2026-12-06T00:00:00Z'));
  assert.equal(problem?.connector, 'prod');
  assert.equal(problem?.kind, 'group-commit-failed');
  assert.equal(problem?.key, 'AWSLogs/b.json.gz');
  assert.match(problem!.message, /^2 files failed to commit in one transaction.*no such column$/);
  assert.equal(groupCommitProblem(new Error('x'), [chunks[0]!], new Date()), null);
});
