import type { Command } from 'commander';
import { addDbOption, printJson, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { listIdentities } from '../app/index.js';
import { renderTable } from '../analysis/index.js';
import { addCoverageOptions, resolveCoverage, type CoverageFlags } from './coverage-options.js';

interface IdentitiesOptions extends WindowOptions, CoverageFlags {
  json?: boolean;
}

export function registerIdentities(program: Command): void {
  addDbOption(
    addCoverageOptions(
      addWindowOptions(
        program
          .command('identities')
          .description('IAM users and roles with their granted, used, unused and unknown actions in the window.')
          .option('--json', 'a JSON array, one object per identity'),
      ),
    ),
  )
    .addHelpText(
      'after',
      '\nIdentities seen in CloudTrail but in no imported IAM snapshot are listed with inSnapshot=false and null permission counts.' +
        '\n\nExamples:\n  trailscope identities --json --as-of 2026-06-30T00:00:00Z\n  trailscope identities --account 111122223333 --window 30',
    )
    .action(async (opts: IdentitiesOptions) => {
      const w = resolveWindow(opts);
      const coverage = resolveCoverage(opts);
      await withStore(opts, async (store) => {
        const result = await listIdentities(store, { ...w, coverage });
        printNotices(result.notices, opts.db);
        const summaries = result.identities;
        if (opts.json) {
          printJson(summaries);
          return;
        }
        process.stdout.write(
          renderTable(
            ['ACCOUNT', 'TYPE', 'NAME', 'LAST ACTIVITY', 'USED', 'GRANTED', 'UNUSED', 'UNKNOWN', 'ADMIN'],
            summaries.map((s) => [
              s.accountId,
              s.type,
              s.name,
              s.lastActivity ?? 'never',
              s.usedActions.length,
              s.grantedActionCount ?? '?',
              s.unusedActionCount ?? (s.activity === 'unknown' ? '? (no logs)' : '?'),
              s.unknownActionCount ?? '?',
              s.isAdmin === null ? '?' : s.isAdmin ? 'yes' : 'no',
            ]),
          ),
        );
        process.stderr.write(`${summaries.length} identities; window ${result.windowStart} .. ${result.asOf}\n`);
      }, READ_ONLY);
    });
}
