/**
 * Retention on PostgreSQL beyond the contract: whole months are emptied as partitions, and a
 * reader holding a month open does not stall retention (nor is stalled by it): that month's rows
 * go by batched deletes instead.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStore } from '../index.js';
import type { Store } from '../index.js';
import { makeEvent } from '../contract-support.test-helpers.js';
import { TestDatabases, unreachableReason } from './test-server.test-helpers.js';
import { insertEvents } from '../testing/write.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const opened: Store[] = [];
after(async () => {
  for (const s of opened) await s.close();
  await databases.dropAll();
});

const JAN = Date.parse('2025-01-10T00:00:00Z');
const FEB = Date.parse('2025-02-10T00:00:00Z');
const MAR = Date.parse('2025-03-10T00:00:00Z');
const CUTOFF = '2025-03-01T00:00:00.000Z';

async function storeWithThreeMonths(): Promise<{ store: Store; url: string }> {
  const url = await databases.fresh();
  const store = await openStore(url);
  opened.push(store);
  await insertEvents(store.events, [makeEvent({ t: JAN }), makeEvent({ t: JAN + 1000 }), makeEvent({ t: FEB }), makeEvent({ t: MAR })]);
  return { store, url };
}

describe('retention on PostgreSQL', { skip: skip ?? false }, () => {
  it('empties whole months as partitions and keeps the partitions', async () => {
    const { store, url } = await storeWithThreeMonths();
    const r = await store.maintenance.applyRetention(CUTOFF);
    assert.deepEqual({ events: r.events, partitions: r.partitions }, { events: 3, partitions: 2 });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass");
      const names = rows.map((r) => r.name);
      for (const month of ['events_2025_01', 'events_2025_02', 'events_2025_03']) assert.ok(names.includes(month), `${month} kept`);
    } finally {
      await c.end();
    }
  });

  it('a reader holding an old month open: that month goes by deletes, nobody waits for the other', async () => {
    const { store, url } = await storeWithThreeMonths();
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM events_2025_01');
      const r = await store.maintenance.applyRetention(CUTOFF);
      assert.equal(r.events, 3);
      assert.equal(r.partitions, 1, 'February emptied whole; January, held by the reader, by deletes');
      // The reader was not blocked and still sees its snapshot's rows.
      const { rows } = await reader.query<{ n: string }>('SELECT count(*) AS n FROM events_2025_01');
      assert.equal(Number(rows[0]!.n), 2);
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    assert.equal((await store.events.stats()).events, 1);
  });
});
