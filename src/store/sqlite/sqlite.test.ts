import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { brotliCompressSync } from 'node:zlib';
import { runStoreContract } from '../contract.test-helpers.js';
import { openStore, defaultDbPath } from '../index.js';
import { openSqliteStore, SQLITE_AREAS } from './index.js';
import { migrate, openDatabase, schemaVersions, TRAILSCOPE_APPLICATION_ID } from './database.js';
import { decodeEventId, encodeEventId } from './codec.js';
import { msToTime, timeToMs } from '../encode/time.js';
import { BLOCK_TARGET_EVENTS } from '../encode/lines.js';
import { syntheticEvents } from '../testing/fixtures.js';
import { commitFile, insertEvents } from '../testing/write.js';
import { fileRecord } from '../contract-support.test-helpers.js';
import type { Store } from '../index.js';
import type { NormalizedEvent } from '../../model/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Settled size of a SQLite store: WAL checkpointed into the main file. */
export function sqliteBytes(path: string): number {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    const size = db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  } finally {
    db.close();
  }
}

/** Raw blocks per codec (0 plain, 1 brotli): how many and how many events they hold. */
function blocksByCodec(path: string): { codec: number; c: number; n: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT codec, count(*) AS c, sum(n) AS n FROM raw_blocks GROUP BY codec ORDER BY codec').all() as { codec: number; c: number; n: number }[];
  } finally {
    db.close();
  }
}

/** The store holds exactly these events, each read back as it was written. */
async function assertStoresExactly(store: Store, events: readonly NormalizedEvent[]): Promise<void> {
  const byId = new Map(events.map((e) => [e.eventID, e]));
  let n = 0;
  for await (const e of store.events.iterate({})) {
    assert.deepStrictEqual(e, byId.get(e.eventID));
    n++;
  }
  assert.equal(n, events.length);
}

runStoreContract('sqlite', {
  fresh: async () => join(dir, `c${++n}`, 'store.db'),
  open: (location) => openStore(location),
  // Closing lets deferred compression finish (as a real process's close does).
  diskBytes: async (store, location) => {
    await store.close();
    return sqliteBytes(location);
  },
});

describe('sqlite specifics', () => {
  it('encodes UUID event ids as 16 bytes and everything else verbatim', () => {
    const id = '3f2e1d0c-aaaa-4bbb-8ccc-0123456789ab';
    const enc = encodeEventId(id);
    assert.ok(Buffer.isBuffer(enc) && enc.length === 16);
    assert.equal(decodeEventId(enc), id);
    for (const other of ['3F2E1D0C-AAAA-4BBB-8CCC-0123456789AB', 'derived-abc', '', '1']) assert.equal(decodeEventId(encodeEventId(other)), other);
  });

  it('decodes every byte value of a stored id back to the same UUID', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: 16 }, (_, j) => (i * 16 + j * 37) % 256));
      const hex = bytes.toString('hex');
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      assert.deepEqual(encodeEventId(id), bytes);
      assert.equal(decodeEventId(bytes), id);
    }
    // a blob of another length (not written by this store) decodes as before, not as a UUID
    assert.equal(decodeEventId(Buffer.from('0102', 'hex')), '0102----');
  });

  it('compresses small commits of two interleaved writers into large blocks without losing a record', async () => {
    const path = join(dir, 'interleaved', 'store.db');
    const a = await openStore(path);
    const b = await openStore(path);
    const events = syntheticEvents(3000, { seed: 9 });
    for (let i = 0, f = 0; i < events.length; i += 7, f++) {
      const writer = f % 3 === 0 ? b : a;
      await insertEvents(writer.events, events.slice(i, i + 7));
    }
    await a.close();
    await b.close();
    const blocks = blocksByCodec(path);
    const plain = blocks.find((x) => x.codec === 0)?.n ?? 0;
    const compressed = blocks.find((x) => x.codec === 1)!;
    assert.equal(plain + compressed.n, 3000);
    assert.ok(plain < BLOCK_TARGET_EVENTS, `only the tail waits uncompressed (${plain})`);
    assert.ok(compressed.n / compressed.c >= 300, `compressed blocks are large (${compressed.n / compressed.c} events)`);
    const store = await openStore(path);
    try {
      await assertStoresExactly(store, events);
    } finally {
      await store.close();
    }
  });

  it('compresses a group of small files before committing it: no plain block to compact later', async () => {
    const path = join(dir, 'group-compressed', 'store.db');
    const store = await openStore(path);
    const events = syntheticEvents(800, { seed: 11 });
    // 80 files of 10 events arriving together, as live ingestion's concurrent messages do: one group
    await Promise.all(Array.from({ length: 80 }, (_, f) => commitFile(store.events, fileRecord(`f${f}.json.gz`, { eventCount: 10 }), events.slice(f * 10, f * 10 + 10))));
    // read before any deferred compaction could run: what the commit itself wrote
    const blocks = blocksByCodec(path);
    assert.deepEqual(blocks, [{ codec: 1, c: 1, n: 800 }]);
    try {
      await assertStoresExactly(store, events);
    } finally {
      await store.close();
    }
  });

  it('keeps eventTime canonical and exact to the millisecond', () => {
    assert.equal(msToTime(timeToMs('2026-01-01T00:00:00Z')), '2026-01-01T00:00:00Z');
    assert.equal(msToTime(timeToMs('2026-01-01T00:00:00.250Z')), '2026-01-01T00:00:00.250Z');
    assert.throws(() => timeToMs('yesterday'));
  });

  it('a database from before coverage gets coverage derived from its events on open', async () => {
    const path = join(dir, 'pre-coverage', 'store.db');
    const old = openSqliteStore(path);
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const events = syntheticEvents(3, { seed: 9 }).map((e, i) => ({ ...e, recipientAccountId: '333344445555', eventTime: msToTime(t0 + i * 3_600_000) }));
    await insertEvents(old.events, events);
    await old.close();
    // Back to what the previous release left: the same events, no coverage area at all.
    const raw = openDatabase(path);
    raw.exec('DELETE FROM schema_migrations WHERE area = \'coverage\'; DROP TABLE coverage_hourly; DROP TABLE coverage_regions;');
    raw.close();
    const store = await openStore(path);
    try {
      assert.deepEqual(
        (await store.coverage.runs({ accountId: '333344445555' })).map((r) => [r.region, r.start, r.end, r.events]),
        [['', '2026-03-01T00:00:00Z', '2026-03-01T03:00:00Z', 3]],
      );
      assert.deepEqual((await store.coverage.regions({ accountId: '333344445555' })).map((r) => r.region), ['']);
    } finally {
      await store.close();
    }
  });

  it('records each area version once, and reopening applies nothing', async () => {
    const path = join(dir, 'mig', 'store.db');
    const store = await openStore(path);
    await store.close();
    const db = openDatabase(path);
    try {
      const versions = schemaVersions(db);
      assert.deepEqual(Object.keys(versions).sort(), ['backfill', 'connectors', 'coverage', 'detect', 'events', 'evidence-daily', 'files', 'findings', 'iam', 'ingest', 'usage-daily']);
      for (const area of SQLITE_AREAS) assert.equal(versions[area.area], area.steps.length);
      const before = db.prepare('SELECT count(*) AS c FROM schema_migrations').get();
      migrate(db, SQLITE_AREAS);
      assert.deepEqual(db.prepare('SELECT count(*) AS c FROM schema_migrations').get(), before);
      // An area gains a step: only that step runs.
      migrate(db, [...SQLITE_AREAS, { area: 'files', steps: [...SQLITE_AREAS[0].steps, 'CREATE TABLE files_extra (x)'] }]);
      assert.equal(schemaVersions(db).files, SQLITE_AREAS[0].steps.length + 1);
      // A newer database than this code refuses to open rather than guess.
      assert.throws(() => migrate(db, [{ area: 'files', steps: [] }]), /newer trailscope/);
    } finally {
      db.close();
    }
  });

  it('uses WAL with a busy timeout, creating parent folders', async () => {
    const path = join(dir, 'deep', 'er', 'store.db');
    const store = openSqliteStore(path);
    await store.close();
    const db = new Database(path);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
    assert.match(store.location, /^sqlite:.*store\.db$/);
  });

  it('takes a postgres URL for PostgreSQL, never for a file path, and defaults the path', async () => {
    // A database that does not exist (or no server): PostgreSQL's error, no SQLite file made.
    await assert.rejects(openStore('postgres://localhost/trailscope_no_such_db'), /^Error: cannot open PostgreSQL store postgres:\/\/localhost\/trailscope_no_such_db: /);
    assert.equal(existsSync('postgres:'), false);
    const saved = process.env.TRAILSCOPE_DB;
    try {
      delete process.env.TRAILSCOPE_DB;
      assert.equal(defaultDbPath(), './trailscope.db');
      process.env.TRAILSCOPE_DB = '/tmp/x.db';
      assert.equal(defaultDbPath(), '/tmp/x.db');
    } finally {
      if (saved === undefined) delete process.env.TRAILSCOPE_DB;
      else process.env.TRAILSCOPE_DB = saved;
    }
  });

  it('commits files committed together in one transaction, and a bad one fails alone', async () => {
    const path = join(dir, `g${++n}`, 'store.db');
    const store = await openStore(path);
    const events = syntheticEvents(60, { seed: 31 });
    const file = (key: string | null) => ({ source: 's3', key: key as string, size: 1, status: 'done' as const, kind: 'events' as const, eventCount: 20, newEvents: 0, processedAt: '2026-03-01T00:00:00.000Z' });
    const together = await Promise.all([0, 1, 2].map((k) => commitFile(store.events, file(`k${k}`), events.slice(k * 20, k * 20 + 20))));
    assert.deepEqual(together, [0, 1, 2].map(() => ({ inserted: 20, duplicates: 0 })));
    const blocks = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM raw_blocks').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    assert.equal(blocks(), 1, 'three files, one transaction: one raw block');
    const more = syntheticEvents(20, { seed: 32 });
    const results = await Promise.allSettled([commitFile(store.events, file('k3'), more.slice(0, 10)), commitFile(store.events, file(null), more.slice(10))]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.equal((await store.events.stats()).events, 70);
    assert.equal((await store.files.get('s3', 'k3'))?.newEvents, 10);
    await store.close();
  });
});

describe('opening a file that is not (yet) a trailscope store', () => {
  it('create: false on a missing file fails naming the path and creates nothing', async () => {
    const path = join(dir, 'absent', 'nope.db');
    await assert.rejects(openStore(path, { create: false }), (err: Error) => {
      assert.match(err.message, /nope\.db does not exist/);
      assert.match(err.message, /trailscope import/);
      return true;
    });
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(join(dir, 'absent')), false, 'not even the folder');
  });

  it('an unopenable path names the file and why', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    await assert.rejects(openStore(join(blocker, 'store.db')), (err: Error) => {
      assert.match(err.message, /a-file\/store\.db/);
      assert.match(err.message, /cannot create the folder/);
      return true;
    });
    await assert.rejects(openStore(dir), /is a directory/);
  });

  it('refuses a SQLite file of another application and leaves it untouched', async () => {
    const path = join(dir, 'foreign.db');
    const f = new Database(path);
    f.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5)');
    const modeBefore = f.pragma('journal_mode', { simple: true });
    f.close();
    await assert.rejects(openStore(path), (err: Error) => {
      assert.match(err.message, /foreign\.db is a SQLite database of another application \(tables: invoices\)/);
      assert.match(err.message, /left untouched/);
      return true;
    });
    const g = new Database(path, { readonly: true });
    try {
      assert.equal(g.pragma('journal_mode', { simple: true }), modeBefore);
      assert.notEqual(modeBefore, 'wal');
      assert.deepEqual(g.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['invoices']);
    } finally {
      g.close();
    }
  });

  it("refuses another application's schema_migrations table (no area column)", async () => {
    const path = join(dir, 'rails.db');
    const f = new Database(path);
    f.exec('CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)');
    f.close();
    await assert.rejects(openStore(path), /another application \(tables: schema_migrations\)/);
  });

  it("refuses a file with a table named like trailscope's beside its own, and one stamped by another application", async () => {
    const path = join(dir, 'lookalike.db');
    const f = new Database(path);
    f.exec('CREATE TABLE schema_migrations (area TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL); CREATE TABLE invoices (id INTEGER)');
    f.pragma('journal_mode = WAL');
    f.close();
    await assert.rejects(openStore(path), /lookalike\.db is a SQLite database of another application \(tables trailscope never creates: invoices\)/);
    const stamped = join(dir, 'stamped.db');
    const g = new Database(stamped);
    g.exec('CREATE TABLE schema_migrations (area TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
    g.pragma('application_id = 1234');
    g.close();
    await assert.rejects(openStore(stamped), /stamped\.db is a SQLite database of another application \(application_id 0x4d2/);
    for (const file of [path, stamped]) {
      const check = new Database(file, { readonly: true });
      try {
        assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(), file === path ? ['invoices', 'schema_migrations'] : ['schema_migrations']);
      } finally {
        check.close();
      }
    }
  });

  it('stamps its stores with its application_id, and still opens a store written before the stamp', async () => {
    const path = join(dir, 'stamp', 'store.db');
    await (await openStore(path)).close();
    const db = new Database(path);
    assert.equal(db.pragma('application_id', { simple: true }), TRAILSCOPE_APPLICATION_ID);
    db.pragma('application_id = 0');
    db.close();
    await (await openStore(path, { create: false })).close();
    const again = new Database(path, { readonly: true });
    assert.equal(again.pragma('application_id', { simple: true }), TRAILSCOPE_APPLICATION_ID);
    again.close();
  });

  it('errors while bringing the schema up to date name the file', async () => {
    const newer = join(dir, 'newer', 'store.db');
    await (await openStore(newer)).close();
    const db = new Database(newer);
    db.prepare("INSERT INTO schema_migrations (area, version, applied_at) VALUES ('files', 999, 'x')").run();
    db.close();
    await assert.rejects(openStore(newer), (err: Error) => err.message.startsWith(`cannot open database ${newer}: the database's "files" schema is at version 999`));
    const clash = join(dir, 'clash.db');
    const c = new Database(clash);
    c.exec('CREATE TABLE schema_migrations (area TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL); CREATE TABLE files (x)');
    c.close();
    await assert.rejects(openStore(clash), (err: Error) => err.message.startsWith(`cannot open database ${clash}: table files already exists`));
  });

  it('refuses a file that is not SQLite at all, naming it', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
    await assert.rejects(openStore(path), /notes\.db.*not a SQLite database trailscope can read|notes\.db.*not a database/);
    assert.equal(readFileSync(path, 'utf8').startsWith('these are my notes'), true);
  });

  it('opens an empty file as a new store, and its own store again', async () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    const s = await openStore(path, { create: false });
    await s.close();
    const again = await openStore(path, { create: false });
    await again.close();
  });
});

it('iam migration 2: snapshots stored before taken_at count as taken when imported', async () => {
  const path = join(dir, 'iam-v1', 'store.db');
  const db = openDatabase(path);
  try {
    migrate(db, SQLITE_AREAS.map((a) => (a.area === 'iam' ? { area: 'iam', steps: a.steps.slice(0, 1) } : a)));
    const doc = brotliCompressSync(Buffer.from(JSON.stringify({ v: 1 })));
    db.prepare('INSERT INTO iam_snapshots (account_id, kind, imported_at, imported_ms, source, codec, document) VALUES (?, ?, ?, ?, ?, 1, ?)').run(
      '111111111111',
      'authorization-details',
      '2026-03-01T00:00:00Z',
      Date.parse('2026-03-01T00:00:00Z'),
      'old.json',
      doc,
    );
  } finally {
    db.close();
  }
  const store = await openStore(path);
  try {
    assert.deepEqual(await store.iam.latestAt('authorization-details', '2026-02-01T00:00:00Z'), []);
    const [row] = await store.iam.latestAt('authorization-details', '2026-03-01T00:00:00Z');
    assert.deepEqual([row?.source, row?.takenAt, row?.document], ['old.json', '2026-03-01T00:00:00Z', { v: 1 }]);
  } finally {
    await store.close();
  }
});
