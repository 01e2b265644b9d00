/**
 * Store contract, the other areas: file records, ingest state (quarantine, problems, counters,
 * key/value state) and IAM snapshots. Part of runStoreContract (./contract.test-helpers.ts).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fileRecord } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';

export function stateContract({ open }: ContractContext): void {
  it('files: get, upsert, prefix listing and counts', async () => {
    const store = await open();
    const base = 'AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/';
    await store.files.record(fileRecord(`${base}01/a.json.gz`));
    await store.files.record(fileRecord(`${base}01/b.json.gz`, { status: 'failed', error: 'AccessDenied', connector: 'sqs-main' }));
    await store.files.record(fileRecord(`${base}02/c.json.gz`, { kind: 'digest', status: 'skipped' }));
    await store.files.record(fileRecord(`${base}01%/d.json.gz`));
    await store.files.record({ source: 'other-bucket', key: `${base}01/a.json.gz`, status: 'done', kind: 'events', eventCount: 1, newEvents: 1, processedAt: '2026-03-02T00:00:00Z' });
    assert.deepEqual([...(await store.files.listKeys('file', `${base}01/`))].sort(), [`${base}01/a.json.gz`, `${base}01/b.json.gz`]);
    assert.equal((await store.files.listKeys('file', '')).size, 4);
    assert.equal((await store.files.listKeys('file', 'nope')).size, 0);
    assert.equal(await store.files.count(), 5);
    assert.equal(await store.files.count({ status: 'failed' }), 1);
    assert.equal(await store.files.count({ connector: 'sqs-main' }), 1);
    assert.equal(await store.files.count({ status: 'done', connector: 'import' }), 2);
    const minimal = await store.files.get('other-bucket', `${base}01/a.json.gz`);
    assert.equal(minimal?.size, undefined);
    assert.equal(minimal?.status, 'done');
    // re-recording replaces (a retried failed file becomes done)
    await store.files.record(fileRecord(`${base}01/b.json.gz`, { status: 'done', size: 99, etag: 'e2' }));
    const b = await store.files.get('file', `${base}01/b.json.gz`);
    assert.equal(b?.status, 'done');
    assert.equal(b?.size, 99);
    assert.equal(b?.etag, 'e2');
    assert.equal(b?.error, null);
    assert.equal(await store.files.get('file', 'missing'), undefined);
  });

  it('ingest state: quarantine, problems, counters and key/value state', async () => {
    const store = await open();
    const q = {
      connector: 'main',
      messageId: 'm1',
      body: '{"not":"s3"}',
      bucket: null,
      key: null,
      reason: 'not an S3 notification',
      fix: 'check the queue subscription',
      receiveCount: 1,
      leftForDlq: false,
      at: '2026-03-01T00:00:00Z',
    };
    await store.ingest.quarantine(q);
    await store.ingest.quarantine({ ...q, receiveCount: 3, leftForDlq: true, at: '2026-03-01T01:00:00Z' });
    await store.ingest.quarantine({ ...q, connector: 'other', messageId: 'm2' });
    assert.deepEqual(await store.ingest.listQuarantine('main'), [{ ...q, receiveCount: 3, leftForDlq: true, at: '2026-03-01T01:00:00Z' }]);
    assert.equal((await store.ingest.listQuarantine()).length, 2);

    const p = { connector: 'main', kind: 'access-denied', message: 'no s3:GetObject', fix: 'grant it', bucket: 'b', key: 'k', at: '2026-03-01T00:00:00Z' };
    await store.ingest.reportProblem(p);
    await store.ingest.reportProblem({ ...p, message: 'still no s3:GetObject', at: '2026-03-01T02:00:00Z' });
    await store.ingest.reportProblem({ connector: 'main', kind: 'queue-missing', message: 'gone', fix: 'create it', at: '2026-03-01T01:00:00Z' });
    const problems = await store.ingest.listProblems('main');
    assert.equal(problems.length, 2);
    assert.deepEqual(problems[0], { ...p, message: 'still no s3:GetObject', at: '2026-03-01T02:00:00Z' });
    assert.equal(problems[1]!.bucket, null);
    assert.deepEqual(await store.ingest.listProblems('nobody'), []);

    await store.ingest.bumpCounters({ connector: 'main', accountId: '111111111111', files: 1, events: 10, duplicates: 2, fileAt: '2026-03-01T00:05:00Z', fileKey: 'k1', newestEventTime: '2026-03-01T00:04:00Z', messageAt: '2026-03-01T00:05:01Z' });
    await store.ingest.bumpCounters({ connector: 'main', accountId: '111111111111', files: 1, events: 5, fileAt: '2026-03-01T00:03:00Z', fileKey: 'k0', newestEventTime: '2026-03-01T00:02:00Z', errorKind: 'kms-decrypt' });
    await store.ingest.bumpCounters({ connector: 'main', accountId: '111111111111', errorKind: 'kms-decrypt' });
    await store.ingest.bumpCounters({ connector: 'main', accountId: '222222222222', events: 1 });
    const counters = await store.ingest.counters('main');
    assert.deepEqual(counters[0], {
      connector: 'main',
      accountId: '111111111111',
      files: 2,
      events: 15,
      duplicates: 2,
      lastMessageAt: '2026-03-01T00:05:01Z',
      lastFileAt: '2026-03-01T00:05:00Z',
      lastFileKey: 'k1',
      newestEventTime: '2026-03-01T00:04:00Z',
      errorsByKind: { 'kms-decrypt': 2 },
    });
    assert.equal(counters[1]!.events, 1);
    assert.equal(counters[1]!.lastFileAt, null);
    assert.deepEqual(await store.ingest.counters('none'), []);

    assert.equal(await store.ingest.getState('backfill:cursor'), undefined);
    await store.ingest.setState('backfill:cursor', 'a');
    await store.ingest.setState('backfill:cursor', 'b');
    assert.equal(await store.ingest.getState('backfill:cursor'), 'b');
  });

  it('IAM snapshots: versioned per account and kind', async () => {
    const store = await open();
    const doc = (v: number) => ({ UserDetailList: [{ UserName: `u${v}`, Tags: [] }], v });
    await store.iam.putSnapshot({ accountId: '111111111111', kind: 'authorization-details', importedAt: '2026-03-01T00:00:00Z', source: 'a.json', document: doc(1) });
    await store.iam.putSnapshot({ accountId: '111111111111', kind: 'authorization-details', importedAt: '2026-03-02T00:00:00Z', source: 'sync', document: doc(2) });
    await store.iam.putSnapshot({ accountId: '222222222222', kind: 'authorization-details', importedAt: '2026-03-01T00:00:00Z', source: 'b.json', document: doc(3) });
    await store.iam.putSnapshot({ accountId: '333333333333', kind: 'credential-report', importedAt: '2026-03-01T00:00:00Z', source: 'c.csv', document: [{ user: 'x' }] });
    const latest = await store.iam.latest('authorization-details');
    assert.deepEqual(
      latest.map((r) => [r.accountId, r.document]),
      [
        ['111111111111', doc(2)],
        ['222222222222', doc(3)],
      ],
    );
    assert.deepEqual((await store.iam.latest('authorization-details', '111111111111'))[0]!.source, 'sync');
    assert.deepEqual(await store.iam.latest('authorization-details', '999999999999'), []);
    const history = await store.iam.history('authorization-details', '111111111111');
    assert.deepEqual(
      history.map((r) => r.importedAt),
      ['2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z'],
    );
    assert.equal((await store.iam.history('authorization-details', '111111111111', 1)).length, 1);
    assert.deepEqual(await store.iam.accounts(), ['111111111111', '222222222222', '333333333333']);
  });

  it('IAM snapshots: latestAt picks the one in force at a time, by the time it was taken', async () => {
    const store = await open();
    const put = (accountId: string, importedAt: string, source: string, takenAt?: string) =>
      store.iam.putSnapshot({ accountId, kind: 'authorization-details', importedAt, ...(takenAt ? { takenAt } : {}), source, document: { source } });
    await put('111111111111', '2026-03-01T00:00:00Z', 'march');
    await put('111111111111', '2026-04-01T00:00:00Z', 'april');
    // imported last, but captured in February: it is the oldest, never "latest"
    await put('111111111111', '2026-05-01T00:00:00Z', 'february', '2026-02-01T00:00:00Z');
    await put('222222222222', '2026-04-15T00:00:00Z', 'b-april');
    const at = async (t: string, account?: string) => (await store.iam.latestAt('authorization-details', t, account)).map((r) => [r.accountId, r.source]);
    assert.deepEqual(await at('2026-03-15T00:00:00Z'), [['111111111111', 'march']]);
    assert.deepEqual(await at('2026-04-01T00:00:00Z'), [['111111111111', 'april']], 'taken exactly at T is in force at T');
    assert.deepEqual(await at('2026-02-15T00:00:00Z'), [['111111111111', 'february']]);
    assert.deepEqual(await at('2026-01-01T00:00:00Z'), []);
    assert.deepEqual(await at('2026-06-01T00:00:00Z'), [['111111111111', 'april'], ['222222222222', 'b-april']]);
    assert.deepEqual(await at('2026-06-01T00:00:00Z', '222222222222'), [['222222222222', 'b-april']]);
    assert.deepEqual((await store.iam.latest('authorization-details', '111111111111')).map((r) => r.source), ['april']);
    const [feb] = await store.iam.latestAt('authorization-details', '2026-02-15T00:00:00Z');
    assert.equal(feb!.takenAt, '2026-02-01T00:00:00Z');
    assert.equal(feb!.importedAt, '2026-05-01T00:00:00Z');
    assert.deepEqual(
      (await store.iam.history('authorization-details', '111111111111')).map((r) => r.source),
      ['april', 'march', 'february'],
    );
    assert.deepEqual(await store.iam.inventory(), [
      { accountId: '111111111111', kind: 'authorization-details', snapshots: 3, firstTakenAt: '2026-02-01T00:00:00.000Z', lastTakenAt: '2026-04-01T00:00:00.000Z' },
      { accountId: '222222222222', kind: 'authorization-details', snapshots: 1, firstTakenAt: '2026-04-15T00:00:00.000Z', lastTakenAt: '2026-04-15T00:00:00.000Z' },
    ]);
  });
}
