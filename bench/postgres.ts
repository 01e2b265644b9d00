/**
 * PostgreSQL phases of `npm run bench`: import by one worker (compared with SQLite's rate in the
 * same run) and by two workers at once on one database, then all findings on PostgreSQL. Skipped
 * with the reason when no server answers ($TRAILSCOPE_BENCH_PG, default 127.0.0.1:5432 as postgres).
 */
import { pgUnavailable } from './phases/pg-database.js';
import { runPhase, n, pct, type Row } from './phase-runner.js';

export async function postgresRows(o: { orgDir: string; sqliteEventsPerSecond: number; sqliteCpuSeconds?: number }): Promise<{ rows: Row[]; url?: string }> {
  const why = await pgUnavailable();
  if (why) {
    process.stderr.write(`bench: PostgreSQL phases skipped: ${why}\n`);
    return { rows: [['PostgreSQL', 'skipped', why]] };
  }
  process.stderr.write('bench: import into PostgreSQL, one worker\n');
  const one = runPhase('pg-import', ['--dir', o.orgDir, '--db-name', 'trailscope_bench', '--workers', '1']);
  process.stderr.write('bench: import into PostgreSQL, two workers at once\n');
  const two = runPhase('pg-import', ['--dir', o.orgDir, '--db-name', 'trailscope_bench_two', '--workers', '2']);
  process.stderr.write('bench: findings on PostgreSQL\n');
  const findings = runPhase('findings', ['--dir', o.orgDir, '--db', String(one.url)]);
  const rate = Number(one.eventsPerSecond);
  const rows: Row[] = [
    [
      'import into PostgreSQL',
      `1 worker: ${n(rate)} events/s = ${pct(rate, o.sqliteEventsPerSecond)} of SQLite's (target ≥ 50 %); ${n(one.eventsPerCpuSecond)} events per CPU-second of the worker`,
      `${one.cpuSeconds} s CPU in the worker, ${one.seconds.toFixed(1)} s wall; peak RSS ${one.workerPeakRssMiB} MiB; ${n(one.bytesPerEvent)} B/event in the database`,
    ],
    [
      'import into PostgreSQL ×2',
      `2 workers at once: ${n(two.eventsPerSecond)} events/s together = ${pct(Number(two.eventsPerSecond), rate)} of one worker's`,
      `${two.cpuSeconds} s CPU in the workers, ${two.seconds.toFixed(1)} s wall; ${n(two.storedEvents)} events stored`,
    ],
    [
      'all findings (PostgreSQL)',
      `${findings.seconds.toFixed(1)} s (${findings.cpuSeconds} s CPU in trailscope) for ${n(findings.events)} events, ${n(findings.identities)} identities`,
      `${n(findings.findings)} findings, peak RSS ${findings.peakRssMiB} MiB`,
    ],
  ];
  return { rows, url: String(one.url) };
}
