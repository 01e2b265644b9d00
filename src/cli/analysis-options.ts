/** Options shared by the analysis commands (identities, findings, policy). */
import { terminalLine } from '../model/index.js';
import type { Command } from 'commander';
import { CliError, parsePositiveInt, parseTime } from './common.js';
import { DEFAULT_WINDOW_DAYS } from '../analysis/index.js';
import { formatNotices, type AnalysisNotice } from '../analysis/index.js';

/** Analysis commands only read: a missing --db file is an error, not a new empty store. */
export const READ_ONLY = { create: false } as const;

/** What the store lacks for this run, on stderr (stdout keeps the valid, possibly empty, result). */
export function printNotices(notices: readonly AnalysisNotice[], db?: string): void {
  for (const line of formatNotices(notices, db)) process.stderr.write(terminalLine(line));
}

export interface WindowOptions {
  asOf?: string;
  window?: number;
  account?: string;
  db?: string;
}

export function addWindowOptions(cmd: Command, opts: { account?: boolean } = { account: true }): Command {
  cmd
    .option(
      '--as-of <time>',
      'judge the state at this time: later events are ignored and the IAM snapshots in force then (the latest taken at or before it) are used (ISO-8601, or 7d / 12h ago; default now)',
    )
    .option('--window <days>', `lookback window in days (default ${DEFAULT_WINDOW_DAYS})`, parsePositiveInt('--window'));
  if (opts.account !== false) {
    cmd.option(
      '--account <id>',
      "only report identities, findings and paths of this AWS account (12 digits; an identity's own account); the whole organization is still analysed",
    );
  }
  return cmd;
}

export function resolveWindow(opts: WindowOptions, now = new Date()): { asOf: string; windowDays: number; accountId?: string } {
  if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) {
    throw new CliError(`--account must be a 12-digit AWS account id, got "${opts.account}"`);
  }
  if (opts.window !== undefined && opts.window > 3650) throw new CliError('--window must be at most 3650 days');
  return {
    asOf: opts.asOf ? parseTime(opts.asOf, now) : now.toISOString(),
    windowDays: opts.window ?? DEFAULT_WINDOW_DAYS,
    accountId: opts.account,
  };
}
