import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { openStore } from '../store/index.js';
import { ACCOUNT, addRecords, allow, authorizationDetails, record } from '../../test/support/analysis.js';
import { registerIam } from './iam.js';

async function run(args: string[]) {
  const lines: string[] = [];
  const program = new Command('trailscope').exitOverride();
  registerIam(program, { out: (l) => lines.push(l) });
  await program.parseAsync(['node', 'trailscope', ...args]);
  return lines;
}

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

test('iam import reconciles the configuration replayed from CloudTrail with the new snapshot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-reconcile-'));
  try {
    const db = join(dir, 't.db');
    const write = (name: string, doc: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(doc));
      return path;
    };
    const first = write('first.json', authorizationDetails({ users: [{ name: 'bob', created: '2025-01-01T00:00:00Z' }] }));
    const lines0 = await run(['iam', 'import', '--db', db, first, '--taken-at', '2026-01-01T00:00:00Z']);
    assert.ok(!lines0.some((l) => /replayed/.test(l)), 'no previous snapshot: nothing to reconcile');

    const store = await openStore(db);
    await addRecords(store, [
      record({ user: 'ops' }, 'iam:AttachUserPolicy', '2026-02-01T00:00:00Z', { requestParameters: { userName: 'bob', policyArn: READ_ONLY } }),
      record({ user: 'ops' }, 'iam:PutUserPolicy', '2026-02-02T00:00:00Z', {
        requestParameters: { userName: 'bob', policyName: 'extra', policyDocument: JSON.stringify(allow(['s3:GetObject'])) },
      }),
    ]);
    await store.close();

    // the real configuration has the attachment but not the inline policy (deleted without a trail, say)
    const second = write('second.json', authorizationDetails({ users: [{ name: 'bob', created: '2025-01-01T00:00:00Z', managed: [READ_ONLY] }] }));
    const lines = await run(['iam', 'import', '--db', db, second, '--taken-at', '2026-03-01T00:00:00Z']);
    const at = lines.findIndex((l) => l.startsWith(`account ${ACCOUNT}: 2 IAM change event(s) replayed`));
    assert.ok(at >= 0, lines.join('\n'));
    assert.match(lines[at]!, /1 difference\(s\) from the snapshot/);
    assert.equal(lines[at + 1], '  user bob: inline policy extra replayed, not in the snapshot');

    const same = write('third.json', authorizationDetails({ users: [{ name: 'bob', created: '2025-01-01T00:00:00Z', managed: [READ_ONLY] }] }));
    const store2 = await openStore(db);
    await addRecords(store2, [
      record({ user: 'ops' }, 'iam:DetachUserPolicy', '2026-03-10T00:00:00Z', { requestParameters: { userName: 'bob', policyArn: READ_ONLY } }),
      record({ user: 'ops' }, 'iam:AttachUserPolicy', '2026-03-11T00:00:00Z', { requestParameters: { userName: 'bob', policyArn: READ_ONLY } }),
    ]);
    await store2.close();
    const matched = await run(['iam', 'import', '--db', db, same, '--taken-at', '2026-04-01T00:00:00Z']);
    assert.ok(matched.some((l) => /2 IAM change event\(s\) replayed .*: the replayed configuration matches the snapshot$/.test(l)), matched.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
