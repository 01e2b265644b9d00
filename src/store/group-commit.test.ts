import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, type GroupCommitBackend } from './group-commit.js';
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
