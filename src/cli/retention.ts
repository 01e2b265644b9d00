/**
 * `trailscope retention`: shows, sets and applies how many days of events the store keeps.
 *
 * JSON shape (`--json`):
 * { "retentionDays": 90 | null, "cutoff": ISO | null, "oldestEventTime": ISO | null, "sizeBytes": n,
 *   "applied": { "before": ISO, "events": n, "partitions": n } | null }
 */
import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { addDbOption, CliError, parseTime, printJson, withStore } from './common.js';
import { applyStoreRetention, getRetentionDays, retentionCutoff, setRetentionDays } from '../store/index.js';
import type { RetentionResult } from '../store/index.js';

/** --retention-days N for the commands that write events (a store setting; 0 keeps everything). */
export function addRetentionDaysOption(cmd: Command): Command {
  return cmd.option('--retention-days <n>', 'keep N days of events (a store setting, kept for later runs; 0 = keep everything, the default); usage, coverage and findings outlive the events', parseRetentionDays('--retention-days'));
}

export function parseRetentionDays(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`${name} must be a whole number of days ≥ 0, got "${value}"`);
    return n;
  };
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
export { formatBytes };

export function registerRetention(program: Command): void {
  addDbOption(
    program
      .command('retention')
      .description('Show, set (--days) or apply now (--apply) how many days of events the store keeps. Running import, ingest and serve apply it hourly and when they stop.')
      .option('--days <n>', 'keep N days of events from now on (0 = keep everything)', parseRetentionDays('--days'))
      .option('--apply', 'remove the events older than the retention now')
      .option('--now <time>', 'apply as if it were this time (ISO-8601)')
      .option('--json', 'print JSON (shape documented in src/cli/retention.ts)'),
  )
    .addHelpText('after', '\nExamples:\n  trailscope retention\n  trailscope retention --days 90 --apply\n  trailscope retention --days 0        # keep everything again')
    .action(async (opts: { db?: string; days?: number; apply?: boolean; now?: string; json?: boolean }) => {
      const now = opts.now ? new Date(parseTime(opts.now)) : new Date();
      const doc = await withStore(
        opts,
        async (store) => {
          if (opts.days !== undefined) await setRetentionDays(store, opts.days);
          const days = await getRetentionDays(store);
          let applied: RetentionResult | null = null;
          if (opts.apply) applied = await applyStoreRetention(store, now);
          const [stats, sizeBytes] = await Promise.all([store.events.stats(), store.maintenance.sizeBytes()]);
          return { retentionDays: days, cutoff: days === null ? null : retentionCutoff(days, now), oldestEventTime: stats.oldestEventTime, sizeBytes, applied };
        },
        { create: false },
      );
      if (opts.json) return printJson(doc);
      const lines = [
        `retention: ${doc.retentionDays === null ? 'keep everything' : `${doc.retentionDays} days (events before ${doc.cutoff} go)`}`,
        `oldest event kept: ${doc.oldestEventTime ?? '-'}`,
        `database size: ${formatBytes(doc.sizeBytes)}`,
      ];
      if (opts.apply) lines.push(doc.applied ? `removed ${doc.applied.events} events${doc.applied.partitions ? ` (${doc.applied.partitions} partitions emptied)` : ''}` : 'nothing to apply: the store keeps everything');
      for (const l of lines) process.stdout.write(terminalLine(l));
    });
}
