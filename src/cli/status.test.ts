import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { buildStatus, formatStatus, formatDuration } from './status.js';

test('status reports per connector and account: lag from eventTime, quarantine and problems with fixes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-status-'));
  const store = await openStore(join(dir, 'db.sqlite'));
  try {
    await store.ingest.bumpCounters({ connector: 'prod', accountId: '111122223333', files: 2, events: 10, duplicates: 1, messageAt: '2026-01-31T11:59:00.000Z', fileAt: '2026-01-31T11:59:01.000Z', fileKey: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/31/f.json.gz', newestEventTime: '2026-01-31T11:50:00Z' });
    await store.ingest.bumpCounters({ connector: 'prod', accountId: '111122223333', errorKind: 'transient:throttled' });
    await store.ingest.bumpCounters({ connector: 'prod', accountId: '444455556666', files: 1, events: 3, newestEventTime: '2026-01-30T12:00:00Z' });
    await store.ingest.quarantine({ connector: 'prod', messageId: 'm1', body: '{}', bucket: 'b', key: 'AWSLogs/x', reason: 'no-such-key: gone', fix: 'nothing to ingest', receiveCount: 1, leftForDlq: false, at: '2026-01-31T11:00:00.000Z' });
    await store.ingest.reportProblem({ connector: 'org', kind: 'kms-decrypt', message: 'kms:Decrypt denied', fix: 'grant kms:Decrypt', bucket: 'b', key: 'k', at: '2026-01-31T10:00:00.000Z' });
    const r = await buildStatus(store, new Date('2026-01-31T12:00:00Z'));
    assert.deepEqual(r.connectors.map((c) => c.connector), ['org', 'prod']);
    const prod = r.connectors[1]!;
    assert.deepEqual(prod.totals, { files: 3, events: 13, duplicates: 1, quarantined: 1, problems: 0, filesDone: 0, filesFailed: 0 });
    assert.equal(prod.accounts[0]!.lagSeconds, 600);
    assert.equal(prod.accounts[1]!.lagSeconds, 86400);
    assert.deepEqual(prod.accounts[0]!.errorsByKind, { 'transient:throttled': 1 });
    const text = formatStatus(r);
    assert.match(text, /connector prod: 3 files, 13 events, 1 duplicates, 1 quarantined/);
    assert.match(text, /111122223333 +2026-01-31T11:59:00Z +2026-01-31T11:59:01Z +10m +2 +10 +1 +transient:throttled=1/);
    assert.match(text, /s3:\/\/b\/AWSLogs\/x[\s\S]*reason: no-such-key: gone[\s\S]*fix: nothing to ingest/);
    assert.match(text, /kms-decrypt s3:\/\/b\/k: kms:Decrypt denied\n +fix: grant kms:Decrypt/);
    assert.equal(JSON.parse(JSON.stringify(r)).connectors[0].problems[0].kind, 'kms-decrypt');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('formatDuration', () => {
  assert.deepEqual([0, 59, 60, 3599, 3600, 7500, 172800 + 3600].map(formatDuration), ['0s', '59s', '1m', '59m', '1h00m', '2h05m', '2d01h']);
  assert.equal(formatDuration(null), '-');
});
