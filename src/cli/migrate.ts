/**
 * `trailscope migrate --from A --to B`: copies one store into another (SQLite into PostgreSQL
 * and back, or any pair), with progress on stderr and the counts of both sides compared at the end.
 *
 * JSON shape (`--json`): { "from": "...", "to": "...", "eventsInserted": n, "ok": true,
 *   "counts": [{ "what": "events", "source": n, "target": n, "ok": true | false | null }] }
 * Exit codes: 0 counts equal, 1 counts differ (or the copy failed), 2 target not empty without --append.
 */
import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { CliError, printJson } from './common.js';
import { openStore } from '../store/index.js';
import { migrateStore, TargetNotEmptyError } from '../store/index.js';
import type { MigrateResult } from '../store/index.js';
import { ProgressBar } from './progress-bar.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Copy a store into another: a SQLite file into PostgreSQL or back (events with their raw records, files, usage, coverage, detections, findings, connectors, IAM snapshots, ingest state), then compare the counts')
    .requiredOption('--from <store>', 'the store to copy: a SQLite file or postgres://user@host/db')
    .requiredOption('--to <store>', 'the store to copy into (a SQLite file is created; a PostgreSQL database must exist)')
    .option('--append', 'copy into a store that already holds data (events deduplicate; rows with the same key are replaced)')
    .option('--json', 'print the result as JSON (shape in src/cli/migrate.ts)')
    .addHelpText('after', '\nExamples:\n  trailscope migrate --from trailscope.db --to postgres://trailscope@db.internal/trailscope\n  trailscope migrate --from postgres://trailscope@db.internal/trailscope --to copy.db\n\nExit codes: 0 counts equal, 1 counts differ or the copy failed, 2 target not empty (use --append).')
    .action(async (opts: { from: string; to: string; append?: boolean; json?: boolean }) => {
      if (opts.from === opts.to) throw new CliError('--from and --to name the same store');
      const from = await openStore(opts.from, { create: false });
      let result: MigrateResult;
      let to;
      try {
        to = await openStore(opts.to);
        const bar = new ProgressBar(process.stderr, { label: 'migrate' });
        try {
          result = await migrateStore(from, to, { append: opts.append === true, onProgress: (p) => bar.update(p.phase, p.done, p.total) });
        } finally {
          bar.done();
        }
      } catch (err) {
        if (err instanceof TargetNotEmptyError) throw new CliError(err.message, 2);
        throw err;
      } finally {
        await from.close();
        await to?.close();
      }
      if (opts.json) printJson({ from: from.location, to: to.location, eventsInserted: result.eventsInserted, ok: result.ok, counts: result.counts });
      else {
        const width = Math.max(...result.counts.map((c) => c.what.length));
        process.stdout.write(terminalLine(`copied ${from.location} -> ${to.location}`));
        for (const c of result.counts) {
          const mark = c.ok === null ? '(not compared)' : c.ok ? 'ok' : 'DIFFERENT';
          process.stdout.write(terminalLine(`${c.what.padEnd(width)}  ${String(c.source).padStart(10)}  ${String(c.target).padStart(10)}  ${mark}`));
        }
      }
      if (!result.ok) throw new CliError(`counts differ: ${result.counts.filter((c) => c.ok === false).map((c) => c.what).join(', ')}`);
    });
}
