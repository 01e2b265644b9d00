/**
 * Three real `trailscope backfill` processes on one bucket (fauxqs) and one PostgreSQL database
 * share the work units; one is killed with SIGKILL while it holds a unit, and nothing is
 * restarted. Once its lease has expired another worker claims that unit and finishes it: every
 * file's events are stored once, every unit is done. Skipped, with the reason, without PostgreSQL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { startFauxqsForTest } from '../support/fauxqs.js';
import type { FauxqsFixture } from '../support/fauxqs.js';
import { spawnCli } from '../support/cli-run.js';
import type { SpawnedCli } from '../support/cli-run.js';
import { trailKey, logFor, put } from '../support/trail-files.js';
import { openStore } from '../../src/store/index.js';
import { TestDatabases, unreachableReason } from '../../src/store/postgres/test-server.test-helpers.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const BUCKET = 'backfill-kill';
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
const ACCOUNTS = ['111111111111', '222222222222'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const DAYS = ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04'];
const HOURS = [1, 4, 7, 10, 13, 16, 19, 22];
const PER_FILE = 40;
let fx: FauxqsFixture | undefined;
const workers: SpawnedCli[] = [];
before(async () => {
  if (!skip) fx = await startFauxqsForTest({ buckets: [BUCKET] });
});
after(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await fx?.stop();
  await databases.dropAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('three backfill processes share the units; one SIGKILLed holding a unit: another finishes it after the lease', { skip: skip ?? false, timeout: 240_000 }, async () => {
  const { s3, endpoint } = fx!;
  const db = await databases.freshDatabase();
  const ids: string[] = [];
  const puts: Promise<void>[] = [];
  for (const accountId of ACCOUNTS)
    for (const region of REGIONS)
      for (const day of DAYS)
        for (const h of HOURS) {
          const spec = { accountId, region, time: `${day}T${String(h).padStart(2, '0')}:00:00Z`, unique: `${accountId.slice(0, 1)}${region.slice(0, 2)}${h}` };
          const tag = `${accountId}-${region}-${day}-${h}`;
          for (let i = 0; i < PER_FILE; i++) ids.push(`${tag}-${i}`);
          puts.push(put(s3, BUCKET, trailKey(spec), logFor(spec, PER_FILE, tag)));
        }
  await Promise.all(puts);

  const args = ['backfill', '--bucket', BUCKET, '--since', `${DAYS[0]}T00:00:00Z`, '--until', '2026-02-05T00:00:00Z', '--endpoint-url', endpoint, '--aws-region', 'us-east-1', '--db', db, '--lease-seconds', '2', '--concurrency', '1', '--json'];
  for (let i = 0; i < 3; i++) workers.push(spawnCli(args, { env: AWS_ENV }));
  const [victim, ...survivors] = workers as [SpawnedCli, SpawnedCli, SpawnedCli];
  const victimId = `${hostname()}:${victim.child.pid}:`;

  const store = await openStore(db);
  try {
    // Wait until the victim holds a unit it has already imported files of (cursor saved by a renewal).
    let held: { folder: string; day: string } | undefined;
    const end = Date.now() + 150_000;
    while (!held) {
      if (Date.now() > end) throw new Error(`the victim never held a unit\n${victim.stderr().slice(-3000)}`);
      const units = await store.backfill.list(BUCKET).catch(() => []);
      held = units.find((u) => u.claimedBy?.startsWith(victimId) && u.cursor !== null && u.status === 'pending');
      if (!held) await sleep(100);
    }
    victim.child.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');

    for (const w of survivors) {
      const exit = await w.exited;
      assert.equal(exit.code, 0, w.stderr().slice(-3000));
    }
    const summaries = survivors.map((w) => JSON.parse(w.stdout()) as { complete: boolean; units: number; unitsDone: number; failed: number });
    assert.ok(summaries.every((s) => s.complete && s.failed === 0 && s.units === ACCOUNTS.length * REGIONS.length * DAYS.length));

    const units = await store.backfill.list(BUCKET);
    assert.equal(units.length, ACCOUNTS.length * REGIONS.length * DAYS.length);
    assert.ok(units.every((u) => u.status === 'done' && u.claimedBy === null), 'every unit done');
    const taken = units.find((u) => u.folder === held!.folder && u.day === held!.day)!;
    assert.ok(taken.attempts >= 2, `the dead worker's unit was claimed again (${taken.attempts} claims)`);
    assert.equal(taken.files >= HOURS.length, true);

    const stored = (await store.events.query({})).map((e) => e.eventID).sort();
    assert.equal(stored.length, new Set(stored).size, 'no event stored twice');
    assert.deepEqual(stored, [...ids].sort(), 'every file of the range stored');
    assert.equal(await store.files.count({ status: 'done' }), ACCOUNTS.length * REGIONS.length * DAYS.length * HOURS.length);
  } finally {
    await store.close();
  }
});
