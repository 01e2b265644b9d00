import type { Command } from 'commander';
import { CliError, parsePositiveInt, printJson } from './common.js';
import { DEFAULT_END, DEFAULTS, generateOrganization } from '../generate/index.js';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'Write a realistic synthetic AWS organization: organization-trail CloudTrail files, IAM snapshots, ' +
        'credential reports, SCPs, and expected.json with planted cases and their known answers. ' +
        `Same options and seed give byte-identical output. Without --start the window ends at ${DEFAULT_END} (exclusive).`,
    )
    .requiredOption('--out <dir>', 'output directory')
    .option('--accounts <n>', `accounts in the organization (default ${DEFAULTS.accounts}; the first is the management account)`, parsePositiveInt('--accounts'))
    .option('--days <n>', `days of CloudTrail (default ${DEFAULTS.days})`, parsePositiveInt('--days'))
    .option('--events-per-day <n>', `background events per account per day (default ${DEFAULTS.eventsPerDay}; planted events come on top)`, parsePositiveInt('--events-per-day'))
    .option('--identities-per-account <n>', `background identities per account (default ${DEFAULTS.identitiesPerAccount})`, parsePositiveInt('--identities-per-account'))
    .option('--seed <s>', `random seed (default "${DEFAULTS.seed}")`)
    .option('--start <iso>', `window start, ISO-8601 (default ${DEFAULT_END} minus --days); the window is [start, start + days)`)
    .option('--delivery-minutes <n>', `minutes per delivery window (default ${DEFAULTS.deliveryMinutes}, as CloudTrail)`, parsePositiveInt('--delivery-minutes'))
    .option('--gzip-level <n>', `gzip level 0-9 (default ${DEFAULTS.gzipLevel})`, (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 9) throw new CliError(`--gzip-level must be 0-9, got "${v}"`);
      return n;
    })
    .option('--workers <n>', 'worker threads (default: CPUs, at most 8; output is identical for any value)', parsePositiveInt('--workers'))
    .addHelpText(
      'after',
      '\nScale: about 1M events and 2000 identities for benchmarks:\n' +
        '  trailscope generate --out bench/out/org --accounts 20 --days 30 --events-per-day 1700 --identities-per-account 100\n',
    )
    .action(async (o: { out: string; accounts?: number; days?: number; eventsPerDay?: number; identitiesPerAccount?: number; seed?: string; start?: string; deliveryMinutes?: number; gzipLevel?: number; workers?: number }) => {
      if (o.start !== undefined && Number.isNaN(Date.parse(o.start))) throw new CliError(`--start is not an ISO-8601 time: "${o.start}"`);
      const summary = await generateOrganization({
        out: o.out,
        accounts: o.accounts,
        days: o.days,
        eventsPerDay: o.eventsPerDay,
        identitiesPerAccount: o.identitiesPerAccount,
        seed: o.seed,
        start: o.start,
        deliveryMinutes: o.deliveryMinutes,
        gzipLevel: o.gzipLevel,
        workers: o.workers,
      });
      printJson(summary);
    });
}
