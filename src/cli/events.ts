import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { eventToJson, stringifyJson } from '../model/index.js';
import { addDbOption, withStore, parseTime, CliError } from './common.js';
import type { EventQuery } from '../store/index.js';

interface EventsOptions {
  db?: string;
  json?: boolean;
  raw?: boolean;
  limit: string;
  since?: string;
  until?: string;
  account?: string;
  principal?: string;
  action?: string;
  errors?: boolean;
  newest?: boolean;
}

export function registerEvents(program: Command): void {
  addDbOption(
    program
      .command('events')
      .description('List stored events, oldest first (or newest first with --newest).')
      .option('--json', 'a JSON array on stdout')
      .option('--raw', 'with --json, include the original CloudTrail record as "raw"')
      .option('--limit <n>', 'at most N events; 0 for all', '100')
      .option('--since <time>', 'events at or after this time (ISO-8601, or 7d / 12h / 30m ago)')
      .option('--until <time>', 'events before this time')
      .option('--account <id>', "only events received by this account (CloudTrail's recipientAccountId, not the caller's account)")
      .option('--principal <arn>', 'acting IAM user or role ARN (role sessions count for their role)')
      .option('--action <svc:Action>', 'events that exercised or attempted this IAM action, e.g. s3:ListAllMyBuckets')
      .option('--errors', 'only failed calls (errorCode set)')
      .option('--newest', 'newest first'),
  )
    .addHelpText('after', '\nExamples:\n  trailscope events --json --limit 10 --errors\n  trailscope events --principal arn:aws:iam::111122223333:role/deploy --since 7d')
    .action(async (opts: EventsOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit must be a whole number, got "${opts.limit}"`);
      if (opts.action && !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(opts.action)) {
        throw new CliError(`--action must look like service:Action (e.g. s3:GetObject), got "${opts.action}"`);
      }
      const query: EventQuery = {
        since: opts.since ? parseTime(opts.since) : undefined,
        until: opts.until ? parseTime(opts.until) : undefined,
        recipientAccountId: opts.account,
        principalArn: opts.principal,
        action: opts.action,
        errorsOnly: opts.errors === true,
        limit: limit === 0 ? undefined : limit,
        newestFirst: opts.newest === true,
      };
      await withStore(opts, async (store) => {
        if (opts.json) {
          // Streamed so that --limit 0 over millions of events stays in bounded memory.
          process.stdout.write('[');
          let first = true;
          for await (const e of store.events.iterate(query)) {
            process.stdout.write((first ? '\n' : ',\n') + stringifyJson(eventToJson(e, opts.raw === true)));
            first = false;
          }
          process.stdout.write(first ? ']\n' : '\n]\n');
          return;
        }
        for await (const e of store.events.iterate(query)) {
          const status = e.errorCode ? `FAILED ${e.errorCode}` : 'ok';
          const who = e.principalArn ?? e.identityType ?? '-';
          const session = e.sessionName ? ` (${e.sessionName})` : '';
          process.stdout.write(terminalLine(`${e.eventTime}  ${e.recipientAccountId ?? '-'}  ${e.eventSource.replace('.amazonaws.com', '')}:${e.eventName}  ${who}${session}  ${status}`));
        }
      }, { create: false });
    });
}
