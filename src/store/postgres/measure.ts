/**
 * Measures bulk import into PostgreSQL next to SQLite, through the import path the CLI uses
 * (parse workers encode chunks, the store commits them), on realistic CloudTrail delivery files.
 *
 *   node --import tsx src/store/postgres/measure.ts [events=100000] [eventsPerFile=100] [postgres admin URL]
 *
 * Each run imports into a new database (dropped afterwards) and a new SQLite file; it prints
 * events per second of each, PostgreSQL's bytes per event, and two PostgreSQL importers at once.
 * Besides wall time it prints events per CPU-second of this process (all its threads) and of the
 * local PostgreSQL server's processes (read from /proc; exited backends are counted through the
 * postmaster's children times): on a shared machine wall time says more about the neighbours.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
// A measurement run by hand (bench material), not part of the store: it drives the import the CLI uses.
// eslint-disable-next-line architecture/area-boundaries, architecture/no-cycles
import { importPaths } from '../../ingest/index.js';
import { openStore } from '../index.js';
import { syntheticEvents } from '../testing/fixtures.js';

const total = Number(process.argv[2] ?? 100_000);
const perFile = Number(process.argv[3] ?? 100);
const admin = process.argv[4] ?? process.env.TRAILSCOPE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-pg-measure-'));

/** Writes the files in `parts` folders (so two importers can take one half each). */
function writeFiles(parts: number): string[] {
  const events = syntheticEvents(total, { seed: 42, principals: 300, accounts: 10, spanMs: 30 * 86_400_000 });
  const roots = Array.from({ length: parts }, (_, p) => join(dir, `part${p}`));
  for (let i = 0, f = 0; i < events.length; i += perFile, f++) {
    const records = events.slice(i, i + perFile).map((e) => e.raw);
    const stamp = new Date(Date.parse(events[i]!.eventTime)).toISOString().replace(/[-:]/g, '').slice(0, 13);
    const day = stamp.slice(0, 8);
    const name = `AWSLogs/111111111111/CloudTrail/us-east-1/${day.slice(0, 4)}/${day.slice(4, 6)}/${day.slice(6, 8)}/111111111111_CloudTrail_us-east-1_${stamp}00Z_f${f}.json.gz`;
    const path = join(roots[f % parts]!, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  }
  return roots;
}

async function adminQuery(sql: string, url = admin): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `trailscope_measure_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/** CPU seconds used so far by the local PostgreSQL server (0 when /proc cannot tell). */
function serverCpuSeconds(): number {
  const procs = new Map<string, string[]>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith('postgres')) continue;
      procs.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' '));
    } catch {
      // a process that ended meanwhile
    }
  }
  let ticks = 0;
  for (const f of procs.values()) {
    // utime + stime; the postmaster (its parent is no postgres) adds its reaped children's times.
    ticks += Number(f[11]) + Number(f[12]);
    if (!procs.has(f[1]!)) ticks += Number(f[13]) + Number(f[14]);
  }
  return ticks / 100;
}

function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function timedImport(location: string, roots: string[]): Promise<{ seconds: number; events: number; cpu: number; serverCpu: number }> {
  const c0 = processCpuSeconds();
  const s0 = serverCpuSeconds();
  const t0 = performance.now();
  // Parsed on the importing thread (parseThreads 0): the figures are the store's cost beside the
  // parse, without worker start-up (which under tsx compiles the parser once per thread).
  const news = await Promise.all(
    roots.map(async (root) => {
      const store = await openStore(location);
      try {
        return (await importPaths(store, [root], { parseThreads: 0 })).eventsNew;
      } finally {
        await store.close();
      }
    }),
  );
  const events = news.reduce((a, b) => a + b, 0);
  return { seconds: (performance.now() - t0) / 1000, events, cpu: processCpuSeconds() - c0, serverCpu: serverCpuSeconds() - s0 };
}

const rate = (events: number, seconds: number) => (seconds > 0 ? (events / seconds).toFixed(0) : '-');
const describe = (r: { seconds: number; events: number; cpu: number; serverCpu: number }) =>
  `${rate(r.events, r.seconds)} ev/s wall, ${rate(r.events, r.cpu)} ev per trailscope CPU-s, ${rate(r.events, r.serverCpu)} ev per server CPU-s (${r.events} events, ${r.seconds.toFixed(1)} s)`;

try {
  const roots = writeFiles(2);
  console.log(`${total} events in files of ${perFile}; node ${process.version}`);
  const sqlite = { seconds: 0, events: 0, cpu: 0, serverCpu: 0 };
  for (const root of roots) {
    const r = await timedImport(join(dir, 'measure.db'), [root]);
    sqlite.seconds += r.seconds;
    sqlite.events += r.events;
    sqlite.cpu += r.cpu;
  }
  console.log(`sqlite:             ${describe(sqlite)}`);
  const one = await freshDatabase();
  try {
    // One importer over both halves, in sequence: the single-worker figure.
    const sum = { seconds: 0, events: 0, cpu: 0, serverCpu: 0 };
    for (const root of roots) {
      const r = await timedImport(one.url, [root]);
      sum.seconds += r.seconds;
      sum.events += r.events;
      sum.cpu += r.cpu;
      sum.serverCpu += r.serverCpu;
    }
    const size = await adminQuery("SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')", one.url);
    console.log(`postgres, 1 worker: ${describe(sum)}; ${(Number(size.rows[0].bytes) / sum.events).toFixed(0)} bytes/event in tables and indexes`);
  } finally {
    await one.drop();
  }
  const two = await freshDatabase();
  try {
    const r = await timedImport(two.url, roots);
    console.log(`postgres, 2 workers: ${describe(r)}`);
  } finally {
    await two.drop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
