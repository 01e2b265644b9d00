/**
 * `npm run bench -- --scale`: all findings at about 1 M and 5 M events of the same organization
 * (same accounts, identities and days, five times denser hours), on SQLite and, when a server
 * answers, PostgreSQL. The analysis should grow with identities and distinct (identity, action)
 * tuples, not events: targets at 5 M are time within 1.5× and peak RSS within 1.2× of 1 M.
 * The 5 M set and its databases are kept in bench/out and reused while the parameters match
 * (generating and importing them takes a while).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDatabaseUrl, databaseFacts, pgUnavailable } from './phases/pg-database.js';
import { runPhase, n, type Row } from './phase-runner.js';
import type { PhaseResult } from './phases/common.js';

const FACTOR = 5;

/** Runs findings twice: the first after an import also rolls up the new days of usage. */
function findingsTwice(dir: string, db: string): { first: PhaseResult; steady: PhaseResult } {
  const first = runPhase('findings', ['--dir', dir, '--db', db]);
  return { first, steady: runPhase('findings', ['--dir', dir, '--db', db]) };
}

function compareRow(label: string, small: { first: PhaseResult; steady: PhaseResult }, big: { first: PhaseResult; steady: PhaseResult }): Row {
  const ratio = (a: unknown, b: unknown) => (Number(a) / Number(b)).toFixed(2);
  const s = small.steady;
  const b = big.steady;
  return [
    label,
    `CPU ${s.cpuSeconds} → ${b.cpuSeconds} s = ${ratio(b.cpuSeconds, s.cpuSeconds)}×, wall ${s.seconds.toFixed(1)} → ${b.seconds.toFixed(1)} s = ${ratio(b.seconds, s.seconds)}× (target ≤ 1.5×); peak RSS ${s.peakRssMiB} → ${b.peakRssMiB} MiB = ${ratio(b.peakRssMiB, s.peakRssMiB)}× (target ≤ 1.2×)`,
    `${n(s.events)} → ${n(b.events)} events, ${n(b.identities)} identities, ${n(s.findings)} → ${n(b.findings)} findings; first run after import ${small.first.cpuSeconds} / ${big.first.cpuSeconds} s CPU (usage rollup included)`,
  ];
}

export async function scaleRows(o: {
  outDir: string;
  orgDir: string;
  params: Record<string, number | string>;
  targetEvents: number;
  sqliteDb: string;
  pgDb?: string;
}): Promise<Row[]> {
  // as run.ts derives the 1× density from --events
  const eventsPerDay = Math.max(10, Math.round((o.targetEvents * FACTOR) / Number(o.params.accounts) / Number(o.params.days)));
  const params = { ...o.params, eventsPerDay };
  const dir = join(o.outDir, `org-x${FACTOR}`);
  process.stderr.write(`bench --scale: generating ${FACTOR}× the events of the same organization in ${dir}\n`);
  const gen = runPhase('generate', ['--dir', dir, '--params', JSON.stringify(params)]);
  const wanted = JSON.stringify({ params, events: gen.events });

  const sqliteDb = join(o.outDir, `scale-x${FACTOR}.db`);
  const sqliteMarker = `${sqliteDb}.params`;
  if (!(existsSync(sqliteMarker) && readFileSync(sqliteMarker, 'utf8') === wanted && existsSync(sqliteDb))) {
    process.stderr.write('bench --scale: import into SQLite (without the event rules: the analysis does not read detections)\n');
    runPhase('import', ['--dir', dir, '--db', sqliteDb, '--no-detections']);
    writeFileSync(sqliteMarker, wanted);
  }
  process.stderr.write('bench --scale: findings on SQLite, 1× and 5×\n');
  const rows: Row[] = [compareRow(`findings 1× → ${FACTOR}× (SQLite)`, findingsTwice(o.orgDir, o.sqliteDb), findingsTwice(dir, sqliteDb))];

  const why = await pgUnavailable();
  if (why || !o.pgDb) {
    rows.push([`findings 1× → ${FACTOR}× (PostgreSQL)`, 'skipped', why ?? 'the PostgreSQL phases did not run']);
    return rows;
  }
  const name = `trailscope_bench_x${FACTOR}`;
  const pgMarker = join(o.outDir, `${name}.params`);
  const facts = await databaseFacts(name);
  if (!(existsSync(pgMarker) && readFileSync(pgMarker, 'utf8') === `${wanted}${facts?.events}`)) {
    process.stderr.write('bench --scale: import into PostgreSQL\n');
    const imp = runPhase('pg-import', ['--dir', dir, '--db-name', name, '--workers', '1', '--no-detections']);
    writeFileSync(pgMarker, `${wanted}${imp.storedEvents}`);
  }
  process.stderr.write('bench --scale: findings on PostgreSQL, 1× and 5×\n');
  rows.push(compareRow(`findings 1× → ${FACTOR}× (PostgreSQL)`, findingsTwice(o.orgDir, o.pgDb), findingsTwice(dir, benchDatabaseUrl(name))));
  return rows;
}
