/**
 * Raw records in blocks on PostgreSQL (events.raw_codec 2): one block per commit, none for a
 * commit of duplicates, deleted with their last event; rows of the per-record codec written
 * before version 2 still read back beside new ones.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStore } from '../index.js';
import type { Store } from '../index.js';
import { fileRecord, makeEvent } from '../contract-support.test-helpers.js';
import { TestDatabases, unreachableReason } from './test-server.test-helpers.js';
import { commitFile, insertEvents } from '../testing/write.js';
import { CODEC_BROTLI_LINES, decompressLines } from '../encode/lines.js';
import { compressLine, RAW_DEFLATE_DICT1 } from './raw-codec.js';
import type { NormalizedEvent } from '../../model/index.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
after(() => databases.dropAll());

const JAN = Date.parse('2025-01-10T00:00:00Z');
const FEB = Date.parse('2025-02-10T00:00:00Z');
const MAR = Date.parse('2025-03-10T00:00:00Z');

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

const blockCount = (url: string) => withClient(url, async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM raw_blocks')).rows[0]!.n));
const rawById = (events: readonly NormalizedEvent[]) => new Map(events.map((e) => [e.eventID, e.raw]));

async function assertRawReadsBack(store: Store, written: readonly NormalizedEvent[]): Promise<void> {
  const stored = rawById(await store.events.query({}));
  assert.equal(stored.size, written.length);
  for (const e of written) assert.deepEqual(stored.get(e.eventID), e.raw, `raw record of ${e.eventID}`);
}

describe('raw blocks on PostgreSQL', { skip: skip ?? false }, () => {
  it('one block per commit, none for a commit of duplicates; retention deletes the blocks whose events are all gone', async () => {
    const url = await databases.fresh();
    const store = await openStore(url);
    try {
      const early = [makeEvent({ t: JAN }), makeEvent({ t: JAN + 1000 }), makeEvent({ t: FEB })];
      const late = [makeEvent({ t: MAR }), makeEvent({ t: MAR + 1000 })];
      await insertEvents(store.events, early);
      await insertEvents(store.events, late);
      assert.equal(await blockCount(url), 2);
      const again = await insertEvents(store.events, early);
      assert.equal(again.duplicates, 3);
      assert.equal(await blockCount(url), 2, 'a commit that stored nothing keeps no block');
      await assertRawReadsBack(store, [...early, ...late]);

      await store.maintenance.applyRetention('2025-03-01T00:00:00.000Z');
      assert.equal(await blockCount(url), 1, "the early commit's block went with its events");
      await assertRawReadsBack(store, late);
    } finally {
      await store.close();
    }
  });

  it("removing a connector deletes its blocks, except one holding an event another connector delivered too", async () => {
    const url = await databases.fresh();
    const store = await openStore(url);
    try {
      const onlyA = makeEvent({ t: JAN });
      const both = makeEvent({ t: JAN + 1000 });
      const onlyB = makeEvent({ t: JAN + 2000 });
      for (const name of ['a', 'b']) {
        const at = '2025-01-01T00:00:00.000Z';
        await store.connectors.put({ name, enabled: true, externalId: `ext-${name}`, settings: { type: 'account', bucket: `${name}-trail` }, createdAt: at, updatedAt: at });
      }
      await commitFile(store.events, fileRecord('a/one.json.gz', { connector: 'a' }), [onlyA, both]);
      await commitFile(store.events, fileRecord('b/one.json.gz', { connector: 'b' }), [both, onlyB]);
      assert.equal(await blockCount(url), 2);
      await store.connectors.remove('a');
      assert.equal(await blockCount(url), 2, "a's block still holds the shared event's record");
      await assertRawReadsBack(store, [both, onlyB]);
      await store.connectors.remove('b');
      assert.equal(await blockCount(url), 0);
    } finally {
      await store.close();
    }
  });

  it('rows of the per-record codec (schema version 1) read back after the upgrade, beside rows in blocks', async () => {
    const url = await databases.fresh();
    const old = [makeEvent({ t: JAN }), makeEvent({ t: JAN + 1000 })];
    const first = await openStore(url);
    await insertEvents(first.events, old);
    await first.close();
    // Back to version 1: each record compressed on its own in events.raw, no blocks.
    await withClient(url, async (c) => {
      const { rows } = await c.query<{ t: string; event_id: string; raw_index: number; data: Buffer }>(
        'SELECT e.t, e.event_id, e.raw_index, b.data FROM events e JOIN raw_blocks b ON b.id = e.raw_block',
      );
      for (const r of rows) {
        const line = decompressLines(CODEC_BROTLI_LINES, r.data)[r.raw_index]!;
        await c.query('UPDATE events SET raw_codec = $1, raw = $2 WHERE t = $3 AND event_id = $4', [RAW_DEFLATE_DICT1, compressLine(Buffer.from(line)), r.t, r.event_id]);
      }
      await c.query(`DROP TABLE raw_blocks;
        ALTER TABLE events DROP COLUMN raw_block, DROP COLUMN raw_index;
        ALTER TABLE events ALTER COLUMN raw SET NOT NULL;
        DELETE FROM schema_migrations WHERE area = 'events' AND version = 2;`);
    });

    const store = await openStore(url);
    try {
      const added = [makeEvent({ t: JAN + 500 }), makeEvent({ t: JAN + 2000 })];
      await insertEvents(store.events, added);
      const codecs = await withClient(url, async (c) => (await c.query<{ raw_codec: number }>('SELECT raw_codec FROM events ORDER BY t')).rows.map((r) => r.raw_codec));
      assert.deepEqual(codecs, [1, 2, 1, 2], 'old rows interleaved in time with new ones');
      await assertRawReadsBack(store, [...old, ...added]);
    } finally {
      await store.close();
    }
  });
  it('a page reads its blocks in the snapshot of its rows, whatever is deleted between the two reads', async () => {
    const url = await databases.fresh();
    const store = await openStore(url);
    const written = [makeEvent({ t: JAN }), makeEvent({ t: JAN + 1000 })];
    try {
      await insertEvents(store.events, written);
      const locker = new pg.Client({ connectionString: url });
      await locker.connect();
      try {
        // Holds the block fetch back until the rows have been read, then deletes everything
        // underneath it, as retention or a connector's removal committing at that moment would.
        await locker.query('BEGIN; LOCK TABLE raw_blocks IN ACCESS EXCLUSIVE MODE');
        const reading = store.events.query({});
        // The fetch waits in its parse step, before pg_stat_activity shows its text: pg_locks tells.
        for (const deadline = Date.now() + 20_000; ; ) {
          const { rows } = await locker.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_locks WHERE relation = 'raw_blocks'::regclass AND mode = 'AccessShareLock' AND NOT granted",
          );
          if (Number(rows[0]!.n) > 0) break;
          assert.ok(Date.now() < deadline, 'the reader never reached the block fetch');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await locker.query('DELETE FROM events; DELETE FROM raw_blocks; COMMIT');
        const read = await reading;
        assert.deepEqual(read.map((e) => e.raw), written.map((e) => e.raw), 'the page as it was when its rows were read');
      } finally {
        await locker.end();
      }
      assert.deepEqual(await store.events.query({}), []);
    } finally {
      await store.close();
    }
  });
});
