import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../index.js';
import { T0, makeEvent } from '../contract-support.test-helpers.js';
import { insertEvents } from '../testing/write.js';
import { Dictionary } from './dictionary.js';
import type { NormalizedEvent } from '../../model/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-resources-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// ARNs as attackers and S3 write them: quotes, commas, backslashes, control characters, text
// past the Basic Multilingual Plane; and a list whose order is not sorted.
const RESOURCE_LISTS: string[][] = [
  ['arn:aws:s3:::bucket/report, "final".pdf'],
  ['arn:aws:s3:::bucket/back\\slash\ttab\nnewline'],
  ['arn:aws:s3:::bucket/😀/é', 'arn:aws:s3:::bucket'],
  ['arn:aws:iam::111111111111:role/z', 'arn:aws:iam::111111111111:role/a', 'arn:aws:iam::111111111111:role/z'],
  [],
];

function events(): NormalizedEvent[] {
  return RESOURCE_LISTS.flatMap((resources, i) =>
    [0, 1].map((k) =>
      makeEvent({
        t: T0 + (i * 2 + k) * 3_600_000,
        eventSource: 'iam.amazonaws.com',
        eventName: 'PassRole',
        actions: ['iam:PassRole'],
        resources,
      }),
    ),
  );
}

/**
 * Rewrites a store as trailscope wrote it before events.resources became JSON text: resources
 * as interned id sets, the two schema versions after it not applied, and an evidence summary
 * keyed by set id.
 */
function asVersionBefore(path: string): void {
  const db = new Database(path);
  const dict = new Dictionary(db);
  db.transaction(() => {
    const rows = db.prepare<[], { id: number; resources: string | null }>('SELECT id, resources FROM events').all();
    const set = db.prepare('UPDATE events SET resources = ? WHERE id = ?');
    for (const r of rows) set.run(r.resources === null ? null : dict.internSet(JSON.parse(r.resources) as string[]), r.id);
    db.prepare("DELETE FROM schema_migrations WHERE (area = 'events' AND version = 3) OR (area = 'evidence-daily' AND version = 2)").run();
    db.prepare('DELETE FROM evidence_daily_dirty').run();
    db.prepare(`INSERT INTO evidence_daily (day, principal, p_account, api, actions, resources, error, n, samples) SELECT day, principal, p_account, api, actions, 1, error, 99, samples FROM evidence_daily`).run();
  })();
  db.close();
}

describe('sqlite events.resources as JSON text', () => {
  it('a store written with resource set ids reads back the same resources, usage and evidence after the upgrade', async () => {
    const path = join(dir, 'upgrade', 'store.db');
    const store = await openStore(path);
    const written = events();
    await insertEvents(store.events, written);
    const q = { anyAction: ['iam:PassRole'], samples: 3 };
    const before = {
      events: (await store.events.query({})).map((e) => [e.eventID, e.resources]),
      evidence: await store.events.evidenceGroups(q),
      usage: await store.events.usage({ byResource: true }),
    };
    assert.deepEqual(
      before.events.map(([, r]) => r),
      written.map((e) => e.resources),
      'resources read back in the order and form written',
    );
    await store.close();

    asVersionBefore(path);
    const old = new Database(path, { readonly: true });
    assert.equal(old.prepare("SELECT count(*) FROM events WHERE typeof(resources) = 'integer'").pluck().get(), 8, 'the old form: set ids');
    assert.ok((old.prepare('SELECT count(*) FROM evidence_daily WHERE n = 99').pluck().get() as number) > 0, 'stale summary rows');
    old.close();

    const upgraded = await openStore(path);
    const check = new Database(path, { readonly: true });
    assert.equal(check.prepare("SELECT count(*) FROM events WHERE typeof(resources) = 'integer'").pluck().get(), 0, 'every set id converted');
    check.close();
    assert.deepEqual((await upgraded.events.query({})).map((e) => [e.eventID, e.resources]), before.events);
    assert.deepEqual(await upgraded.events.evidenceGroups(q), before.evidence, 'the summary was rebuilt, not read stale');
    assert.deepEqual(await upgraded.events.usage({ byResource: true }), before.usage);
    // an event delivered again after the upgrade is the same content, not a conflicting one
    const again = await insertEvents(upgraded.events, written);
    assert.equal(again.inserted, 0);
    assert.equal(again.duplicates, written.length);
    await upgraded.close();
  });

  it('resources group usage by ARN, commas and all', async () => {
    const store = await openStore(join(dir, 'usage', 'store.db'));
    await insertEvents(store.events, events());
    const rows = await store.events.usage({ byResource: true });
    const byArn = new Map(rows.map((r) => [r.resource, r.count]));
    assert.equal(byArn.get('arn:aws:s3:::bucket/report, "final".pdf'), 2);
    assert.equal(byArn.get('arn:aws:iam::111111111111:role/z'), 2, 'an ARN named twice in one event counts the event once');
    assert.equal(byArn.get('arn:aws:s3:::bucket'), 2);
    assert.equal(byArn.get(null), 2, 'events naming no resource');
    await store.close();
  });
});
