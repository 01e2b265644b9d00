/**
 * Measures `migrate` and retention on a synthetic store: N events over 90 days imported into
 * SQLite, copied into PostgreSQL and back, then 30 days of retention applied on each backend.
 *
 *   node --import tsx src/store/migrate/measure.ts [events=100000] [postgres admin URL]
 *
 * Prints events per second (wall) and per CPU-second of this process; PostgreSQL's own CPU is
 * not counted (see ../postgres/measure.ts for that), so compare figures of one run, not across.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../index.js';
import { syntheticEvents } from '../testing/fixtures.js';
import { migrateStore } from './index.js';
import { insertEvents } from '../testing/write.js';

const total = Number(process.argv[2] ?? 100_000);
const admin = process.argv[3] ?? process.env.TRAILSCOPE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = mkdtempSync(join(tmpdir(), 'trailscope-migrate-measure-'));
const database = `trailscope_measure_${process.pid}`;

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function timed<T>(label: string, events: number, fn: () => Promise<T>): Promise<T> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`${label.padEnd(34)} ${s.toFixed(1).padStart(6)} s  ${Math.round(events / s).toString().padStart(7)} ev/s  ${Math.round(events / cpuS).toString().padStart(7)} ev/CPU-s`);
  return out;
}

const url = new URL(admin);
url.pathname = `/${database}`;
await adminQuery(`CREATE DATABASE ${database}`);
try {
  const source = await openStore(join(dir, 'source.db'));
  const events = syntheticEvents(total, { seed: 7, principals: 300, accounts: 10, spanMs: 90 * 86_400_000 });
  for (let i = 0; i < events.length; i += 5000) await insertEvents(source.events, events.slice(i, i + 5000));
  await source.close();
  const from = await openStore(join(dir, 'source.db'));
  const to = await openStore(url.toString());
  const r1 = await timed('migrate SQLite -> PostgreSQL', total, () => migrateStore(from, to));
  const back = await openStore(join(dir, 'back.db'));
  const r2 = await timed('migrate PostgreSQL -> SQLite', total, () => migrateStore(to, back));
  console.log(`counts equal: ${r1.ok} / ${r2.ok}`);
  const sizes = async () => [await back.maintenance.sizeBytes(), await to.maintenance.sizeBytes()].map((b) => `${(b / 2 ** 20).toFixed(1)} MiB`).join(' / ');
  console.log(`size SQLite / PostgreSQL before retention: ${await sizes()}`);
  const newest = Date.parse((await back.events.stats()).newestEventTime!);
  const cutoff = new Date(newest - 30 * 86_400_000).toISOString();
  const kept = (await back.events.stats()).events;
  const rs = await timed('retention 30 days, SQLite', kept, () => back.maintenance.applyRetention(cutoff));
  const rp = await timed('retention 30 days, PostgreSQL', kept, () => to.maintenance.applyRetention(cutoff));
  console.log(`removed: SQLite ${rs.events}, PostgreSQL ${rp.events} (${rp.partitions} partitions emptied)`);
  console.log(`size SQLite / PostgreSQL after retention: ${await sizes()}`);
  await Promise.all([from.close(), to.close(), back.close()]);
} finally {
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
