import type { Command } from 'commander';
import { addDbOption, printJson, withStore } from './common.js';
import { addWindowOptions, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { addCoverageOptions, resolveCoverage, type CoverageFlags } from './coverage-options.js';
import { accountCoverage } from '../app/index.js';
import { renderTable } from '../analysis/index.js';

interface CoverageCliOptions extends WindowOptions, CoverageFlags {
  json?: boolean;
}

/**
 * `trailscope coverage`: per account and region, the parts of the window for which the store
 * holds CloudTrail logs, and the gaps. JSON: an array of AccountCoverage (src/analysis/coverage.ts):
 * { accountId, coveredDays, activity, spans: [{start, end}], gaps: [{start, end}],
 *   regions: [{ region, firstFile, lastFile, coveredDays, spans, gaps }] }.
 */
export function registerCoverage(program: Command): void {
  addDbOption(
    addCoverageOptions(
      addWindowOptions(
        program
          .command('coverage')
          .description('Which parts of the window CloudTrail logs cover, per account and region, and the gaps.')
          .option('--json', 'a JSON array, one object per account'),
      ),
    ),
  )
    .addHelpText(
      'after',
      '\nActivity (inactive identities, unused permissions and credentials) is judged only in accounts covered for at least --min-coverage-days of the window.' +
        '\n\nExamples:\n  trailscope coverage\n  trailscope coverage --json --account 111122223333 --window 30',
    )
    .action(async (opts: CoverageCliOptions) => {
      const w = resolveWindow(opts);
      const options = resolveCoverage(opts);
      await withStore(opts, async (store) => {
        const { coverage, windowStart: since } = await accountCoverage(store, { ...w, options });
        if (opts.json) {
          printJson(coverage);
          return;
        }
        const rows: (string | number)[][] = [];
        for (const c of coverage) {
          rows.push([c.accountId, '(all)', c.coveredDays, c.activity, describe(c.spans), describe(c.gaps)]);
          for (const r of c.regions) rows.push([c.accountId, r.region || '(unknown)', r.coveredDays, '', describe(r.spans), describe(r.gaps)]);
        }
        const table = renderTable(['ACCOUNT', 'REGION', 'COVERED DAYS', 'ACTIVITY', 'COVERED', 'GAPS'], rows);
        process.stdout.write(table.endsWith('\n') ? table : `${table}\n`);
        process.stderr.write(`${coverage.length} accounts; window ${since} .. ${w.asOf}; a gap is ${options.gapHours}+ hours without a log file\n`);
      }, READ_ONLY);
    });
}

function describe(spans: readonly { start: string; end: string }[]): string {
  if (spans.length === 0) return '-';
  const shown = spans.slice(0, 3).map((s) => `${s.start} .. ${s.end}`);
  return spans.length > 3 ? `${shown.join(', ')} (+${spans.length - 3} more)` : shown.join(', ');
}
