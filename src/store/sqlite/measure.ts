/**
 * Measures the SQLite store on realistic CloudTrail delivery files: bytes per event on disk and
 * import throughput against parse-only throughput (the same files through the real parser).
 *
 *   node --import tsx src/store/sqlite/measure.ts [events=100000] [eventsPerFile=...]
 *
 * Files are real records (../shared/data) with fresh eventIDs, requestIDs and eventTimes,
 * gzipped in CloudTrail's {"Records":[...]} form and named like delivery keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { parseFile } from '../../parse/index.js';
import type { NormalizedEvent } from '../../model/index.js';
import type { FileRecord } from '../types.js';
import { syntheticEvents } from '../testing/fixtures.js';
import { openSqliteStore } from './index.js';
import { commitFile } from '../testing/write.js';

const total = Number(process.argv[2] ?? 100_000);
const sizes = process.argv[3] ? [Number(process.argv[3])] : [1000, 100, 10];

function makeFiles(perFile: number): { name: string; bytes: Buffer }[] {
  const events = syntheticEvents(total, { seed: 42, principals: 300, accounts: 10, spanMs: 30 * 86_400_000 });
  const files: { name: string; bytes: Buffer }[] = [];
  for (let i = 0; i < events.length; i += perFile) {
    const records = events.slice(i, i + perFile).map((e) => e.raw);
    const name = `AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/111111111111_CloudTrail_us-east-1_20260101T0000Z_${i}.json.gz`;
    files.push({ name, bytes: gzipSync(JSON.stringify({ Records: records })) });
  }
  return files;
}

/** CPU time of this process in ms (user + system): steadier than wall time on a busy machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function parseOnly(files: { name: string; bytes: Buffer }[]): { ms: number; cpu: number; events: number } {
  const t0 = performance.now();
  const c0 = cpuMs();
  let events = 0;
  for (const f of files) events += parseFile(f.bytes, f.name).events.length;
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, events };
}

/** Imports file by file (one transaction each), or with groupEvents, several files per commit. */
async function importAll(files: { name: string; bytes: Buffer }[], path: string, groupEvents = 0): Promise<{ ms: number; cpu: number; inserted: number }> {
  const store = openSqliteStore(path);
  const t0 = performance.now();
  const c0 = cpuMs();
  let inserted = 0;
  let group: { file: FileRecord; events: NormalizedEvent[] }[] = [];
  let groupSize = 0;
  const flush = async () => {
    if (group.length) for (const r of await store.events.commit(group, { immediate: true })) inserted += r.inserted;
    group = [];
    groupSize = 0;
  };
  for (const f of files) {
    const parsed = parseFile(f.bytes, f.name);
    const rec: FileRecord = {
      source: 'file',
      key: f.name,
      size: f.bytes.length,
      status: 'done',
      kind: parsed.kind,
      eventCount: parsed.events.length,
      newEvents: 0,
      connector: 'import',
      accountId: '111111111111',
      processedAt: new Date().toISOString(),
    };
    if (groupEvents > 0) {
      group.push({ file: rec, events: parsed.events });
      groupSize += parsed.events.length;
      if (groupSize >= groupEvents) await flush();
    } else {
      inserted += (await commitFile(store.events, rec, parsed.events)).inserted;
    }
  }
  await flush();
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  await store.close();
  return { ms, cpu, inserted };
}

function diskBytes(path: string): number {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'trailscope-measure-'));
try {
  console.log(`${total} events; node ${process.version}`);
  for (const perFile of sizes) {
    const files = makeFiles(perFile);
    parseOnly(files.slice(0, 50)); // warm up
    const group = perFile < 1000 ? 1000 : 0;
    const runs: { parse: number; imp: number; parseCpu: number; impCpu: number; bytes: number }[] = [];
    for (let r = 0; r < 3; r++) {
      const p = parseOnly(files);
      const path = join(dir, `m-${perFile}-${r}.db`);
      const i = await importAll(files, path, r === 2 ? group : 0);
      runs.push({
        parse: p.events / (p.ms / 1000),
        imp: i.inserted / (i.ms / 1000),
        parseCpu: p.events / (p.cpu / 1000),
        impCpu: i.inserted / (i.cpu / 1000),
        bytes: diskBytes(path) / i.inserted,
      });
    }
    const grouped = group ? runs.pop()! : undefined;
    const best = (k: 'parse' | 'imp' | 'parseCpu' | 'impCpu') => Math.max(...runs.map((x) => x[k]));
    const line = (label: string, parse: number, imp: number) =>
      `  ${label}: parse-only ${parse.toFixed(0)} ev/s, import ${imp.toFixed(0)} ev/s (${((imp / parse) * 100).toFixed(0)}% of parse-only), store alone ~${(1 / (1 / imp - 1 / parse)).toFixed(0)} ev/s`;
    console.log(`${perFile} events/file: ${runs[0]!.bytes.toFixed(1)} bytes/event on disk`);
    console.log(line('wall', best('parse'), best('imp')));
    console.log(line('cpu ', best('parseCpu'), best('impCpu')));
    if (grouped) {
      console.log(line(`wall, commit of ~${group} events`, grouped.parse, grouped.imp));
      console.log(line(`cpu , commit of ~${group} events`, grouped.parseCpu, grouped.impCpu));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
