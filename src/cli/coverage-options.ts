/** The coverage options of the analysis commands (identities, findings, coverage). */
import type { Command } from 'commander';
import { CliError } from './common.js';
import { DEFAULT_COVERAGE_OPTIONS, type CoverageOptions } from '../analysis/index.js';

export interface CoverageFlags {
  minCoverageDays?: string;
  coverageGapHours?: string;
}

export function addCoverageOptions(cmd: Command, opts: { minDays?: boolean } = {}): Command {
  if (opts.minDays !== false) {
    cmd.option(
      '--min-coverage-days <n>',
      `judge inactivity and unused permissions or credentials only in accounts whose CloudTrail logs cover at least this many days of the window (default ${DEFAULT_COVERAGE_OPTIONS.minCoverageDays})`,
    );
  }
  return cmd.option(
    '--coverage-gap-hours <h>',
    `a stretch of at least this many hours without a log file of an account is a gap in its coverage (default ${DEFAULT_COVERAGE_OPTIONS.gapHours})`,
  );
}

export function resolveCoverage(flags: CoverageFlags): CoverageOptions {
  const out = { ...DEFAULT_COVERAGE_OPTIONS };
  if (flags.minCoverageDays !== undefined) {
    const n = Number(flags.minCoverageDays);
    if (!(Number.isFinite(n) && n >= 0)) throw new CliError(`--min-coverage-days must be a number of days ≥ 0, got "${flags.minCoverageDays}"`);
    out.minCoverageDays = n;
  }
  if (flags.coverageGapHours !== undefined) {
    const h = Number(flags.coverageGapHours);
    if (!(Number.isInteger(h) && h >= 1)) throw new CliError(`--coverage-gap-hours must be a whole number of hours ≥ 1, got "${flags.coverageGapHours}"`);
    out.gapHours = h;
  }
  return out;
}
