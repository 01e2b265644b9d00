import type { Command } from 'commander';
import { addDbOption, CliError, parseTime, printJson, withStore } from './common.js';
import { READ_ONLY } from './analysis-options.js';
import { renderTable } from '../analysis/index.js';
import { listChanges } from '../app/index.js';

interface DriftOptions {
  db?: string;
  since?: string;
  until?: string;
  resource?: string;
  account?: string;
  limit: string;
  json?: boolean;
}

export function registerDrift(program: Command): void {
  addDbOption(
    program
      .command('drift')
      .description('The configuration change timeline: successful writes to IAM, STS, Organizations, EC2 networking, S3 bucket policy/ACL/public access block, KMS key policy and deletion, CloudTrail, GuardDuty and Config, oldest first, with who, from where and the request parameters.')
      .option('--since <time>', 'changes at or after this time (ISO-8601, or 7d / 12h / 30m ago)')
      .option('--until <time>', 'changes before this time')
      .option('--resource <arn>', 'only changes to this resource (as listed in the RESOURCE column)')
      .option('--account <id>', 'only this AWS account (12 digits)')
      .option('--limit <n>', 'at most N changes; 0 for all', '0')
      .option('--json', 'a JSON array on stdout'),
  )
    .addHelpText('after', '\nExamples:\n  trailscope drift --since 7d\n  trailscope drift --resource arn:aws:iam::111122223333:role/deploy --json\n\nChanges are recorded as events are committed; `trailscope detect` rebuilds them for events imported earlier.')
    .action(async (opts: DriftOptions) => {
      if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) throw new CliError(`--account must be a 12-digit AWS account id, got "${opts.account}"`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit must be a whole number, got "${opts.limit}"`);
      const since = opts.since ? parseTime(opts.since) : undefined;
      const until = opts.until ? parseTime(opts.until) : undefined;
      await withStore(opts, async (store) => {
        const changes = await listChanges(store, { since, until, accountId: opts.account, resource: opts.resource, limit });
        if (opts.json) {
          printJson(changes);
          return;
        }
        process.stdout.write(
          renderTable(
            ['TIME', 'ACCOUNT', 'CHANGE', 'RESOURCE', 'BY', 'FROM'],
            changes.map((c) => [c.eventTime, c.accountId, c.eventName, c.resource, c.sessionName ? `${c.actor} (${c.sessionName})` : c.actor, c.sourceIPAddress]),
          ),
        );
        process.stderr.write(`${changes.length} changes\n`);
      }, READ_ONLY);
    });
}
