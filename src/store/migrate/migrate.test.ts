/**
 * `migrateStore` between SQLite and PostgreSQL, both directions, on real CloudTrail (flaws2 and
 * Stratus Red Team detonations from ../shared/data) and real IAM snapshots (CloudMapper's demo
 * account), after retention removed part of the events: everything the contract reads must come
 * back the same from the copy, and the copy of the copy.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, setRetentionDays } from '../index.js';
import type { Store } from '../index.js';
import { migrateStore, TargetNotEmptyError } from './index.js';
import { importPaths } from '../../ingest/local-import.js';
import { attachDetections } from '../../detect/index.js';
import { readIamFile, importIamInputs } from '../../iam/import.js';
import { IamRepository } from '../../iam/repository.js';
import { sharedData } from '../../../test/support/paths.js';
import { TestDatabases, unreachableReason } from '../postgres/test-server.test-helpers.js';
import { commitFile } from '../testing/write.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const dir = mkdtempSync(join(tmpdir(), 'trailscope-migrate-'));
const opened: Store[] = [];
after(async () => {
  for (const s of opened) await s.close();
  await databases.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

async function open(location: string): Promise<Store> {
  const s = await openStore(location);
  opened.push(s);
  return s;
}

/** A store with a bit of everything a user has: events with detections, IAM history, connectors, state, findings; then retention. */
async function populate(store: Store): Promise<void> {
  attachDetections(store);
  const summary = await importPaths(store, [sharedData('flaws2-cloudtrail'), sharedData('stratus-red-team', 'detonation-logs')], { parseThreads: 0 });
  assert.ok(summary.eventsNew > 100, `imported ${summary.eventsNew} events`);
  store.detections.setCommitHook(null);
  const iam = await readIamFile(sharedData('cloudmapper-demo', 'account-data', 'demo', 'us-east-1', 'iam-get-account-authorization-details.json'));
  const repo = new IamRepository(store.iam);
  await importIamInputs([iam], repo, { importedAt: '2026-01-01T00:00:00.000Z', takenAt: '2025-12-01T00:00:00.000Z' });
  await importIamInputs([iam], repo, { importedAt: '2026-01-02T00:00:00.000Z', takenAt: '2026-01-02T00:00:00.000Z' });
  await store.connectors.put({ name: 'prod', enabled: true, externalId: 'ext-1', settings: { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-03T00:00:00.000Z' });
  // prod delivers three imported events again (claims) and two of its own (origins).
  const imported = await store.events.query({ since: '2021-01-01T00:00:00Z', limit: 3 });
  const own = imported.map((e, i) => ({ ...e, eventID: `00000000-0000-4000-8000-00000000000${i}`, raw: { ...e.raw, eventID: `00000000-0000-4000-8000-00000000000${i}` } })).slice(0, 2);
  await commitFile(store.events, 
    { source: 's3://prod-trail', key: 'exports/prod.json', status: 'done', kind: 'events', eventCount: 5, newEvents: 0, connector: 'prod', accountId: null, processedAt: '2026-01-03T00:00:00.000Z' },
    [...imported, ...own],
  );
  await store.connectors.recordDoctorRun({ connector: 'prod', startedAt: '2026-01-03T00:00:00.000Z', finishedAt: '2026-01-03T00:00:05.000Z', results: [{ check: 'queue', ok: true }] });
  await store.ingest.quarantine({ connector: 'prod', messageId: 'm1', body: '{"bad":true}', bucket: 'b', key: 'k', reason: 'not JSON', fix: 'none', receiveCount: 5, leftForDlq: true, at: '2026-01-03T00:00:00.000Z' });
  await store.ingest.reportProblem({ connector: 'prod', kind: 'access-denied', message: 'denied', fix: 'grant', bucket: 'b', key: null, at: '2026-01-03T00:00:00.000Z' });
  await store.ingest.bumpCounters({ connector: 'prod', accountId: '111122223333', files: 3, events: 10, duplicates: 1, errorKind: 'transient:throttled', newestEventTime: '2026-01-03T00:00:00.000Z' });
  await store.findings.recordRun({ asOf: '2026-01-03T00:00:00.000Z', windowDays: 90, rules: ['unused-role'], ranAt: '2026-01-03T00:01:00.000Z' }, [
    { id: 'f1', rule: 'unused-role', severity: 'medium', accountId: '653711331788', resource: 'arn:aws:iam::653711331788:role/x' },
  ]);
  await store.findings.suppress('f1', { reason: 'known', by: 'alice', at: '2026-01-03T00:02:00.000Z' });
  // Retention: flaws2 (2018) goes, what its events left in usage stays.
  await setRetentionDays(store, 30);
  const removed = await store.maintenance.applyRetention('2020-01-01T00:00:00.000Z');
  assert.ok(removed.events > 0, 'retention removed the 2018 events');
}

/** What the contract reads, for comparing two stores. */
async function snapshot(s: Store) {
  const inventory = await s.iam.inventory();
  return {
    events: await s.events.query({}),
    stats: await s.events.stats(),
    usage: await s.events.usage({}),
    principals: await s.events.principals({}),
    coverage: await s.coverage.runs(),
    regions: await s.coverage.regions(),
    detections: await s.detections.list(),
    changes: await s.detections.changes(),
    findings: await s.findings.list(),
    lastRun: await s.findings.lastRun(),
    inventory,
    latestIam: await s.iam.latest('authorization-details'),
    connectors: await s.connectors.list(),
    doctor: await s.connectors.latestDoctorRun('prod'),
    quarantine: await s.ingest.listQuarantine(),
    problems: await s.ingest.listProblems(),
    counters: await s.ingest.counters(),
    retention: await s.ingest.getState('retention.days'),
    files: await s.files.count(),
  };
}

describe('migrate between SQLite and PostgreSQL', { skip: skip ?? false }, () => {
  it('copies SQLite into PostgreSQL and back: every count equal, every read the same, usage that outlived its events included', async () => {
    const source = await open(join(dir, 'source.db'));
    await populate(source);
    const expected = await snapshot(source);
    assert.ok(expected.detections.length > 0 && expected.changes.length > 0, 'the sample has detections and changes');
    assert.ok(expected.usage.some((u) => u.lastSeen.startsWith('2018-')), 'usage of removed 2018 events is in the source');

    const pg = await open(await databases.fresh());
    const seen = new Set<string>();
    const there = await migrateStore(source, pg, { eventBatch: 50, onProgress: (p) => seen.add(p.phase) });
    assert.ok(there.ok, JSON.stringify(there.counts.filter((c) => !c.ok)));
    assert.equal(there.eventsInserted, expected.stats.events);
    for (const phase of ['events', 'files', 'usage_hourly', 'IAM snapshots']) assert.ok(seen.has(phase), `progress reported ${phase}`);
    assert.deepEqual(await snapshot(pg), expected);

    const back = await open(join(dir, 'back.db'));
    const returned = await migrateStore(pg, back);
    assert.ok(returned.ok, JSON.stringify(returned.counts.filter((c) => !c.ok)));
    assert.deepEqual(await snapshot(back), expected);
    // The counts compared cover every kind of row, and they are not all zero.
    const byWhat = new Map(returned.counts.map((c) => [c.what, c]));
    for (const what of ['events read', 'raw records', 'file records', 'usage rows', 'coverage hours', 'detections', 'changes', 'findings', 'connectors', 'IAM snapshots', 'quarantined messages', 'state entries', 'events with their connector', 'events delivered again by another connector']) {
      assert.ok((byWhat.get(what)?.source ?? 0) > 0, `${what} counted`);
    }
    // Provenance came along: removing the connector takes the same events out of every copy.
    const removals = [];
    for (const s of [source, pg, back]) removals.push({ removed: await s.connectors.remove('prod'), events: (await s.events.stats()).events });
    assert.deepEqual(removals[0]!.removed && { events: removals[0]!.removed.events, shared: removals[0]!.removed.sharedEvents }, { events: 2, shared: 0 });
    assert.deepEqual(removals.map((r) => [r.removed?.events, r.removed?.sharedEvents, r.events]), Array(3).fill([2, 0, expected.stats.events - 2]));
  });

  it('refuses a target that holds data, unless appending; appending adds only what is new', async () => {
    const source = await open(join(dir, 'append-source.db'));
    await importPaths(source, [sharedData('flaws2-cloudtrail')], { parseThreads: 0 });
    const pg = await open(await databases.fresh());
    assert.ok((await migrateStore(source, pg)).ok);
    await assert.rejects(() => migrateStore(source, pg), TargetNotEmptyError);
    const again = await migrateStore(source, pg, { append: true });
    assert.ok(again.ok);
    assert.equal(again.eventsInserted, 0);
    assert.equal((await pg.events.stats()).events, (await source.events.stats()).events);
  });

  it('reports a difference instead of passing when the target loses rows', async () => {
    const source = await open(join(dir, 'lossy-source.db'));
    await importPaths(source, [sharedData('flaws2-cloudtrail')], { parseThreads: 0 });
    const pg = await open(await databases.fresh());
    // A target whose file records vanish as they are written: the comparison must say so.
    const lossy: Store = { ...pg, transfer: { ...pg.transfer, count: pg.transfer.count.bind(pg.transfer), readRows: pg.transfer.readRows.bind(pg.transfer), clear: pg.transfer.clear.bind(pg.transfer), writeRows: async (table, rows) => (table === 'files' ? undefined : pg.transfer.writeRows(table, rows)) } };
    const result = await migrateStore(source, lossy);
    assert.equal(result.ok, false);
    assert.deepEqual(result.counts.filter((c) => c.ok === false).map((c) => c.what), ['file records']);
  });
});
