import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { addDbOption, CliError, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { suggestPolicyFor, userOrRoleAccount, UseCaseError } from '../app/index.js';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Least-privilege policies from observed use.');
  addDbOption(
    addWindowOptions(
      policy
        .command('suggest <identity-arn>')
        .description(
          'Print a least-privilege IAM policy for an IAM user or role: the actions it used successfully in the window, scoped to the resources CloudTrail showed, never more than it is granted today. Caveats go to stderr.',
        ),
      { account: false },
    ),
  )
    .addHelpText('after', '\nExample:\n  trailscope policy suggest arn:aws:iam::111122223333:role/deploy --window 90 > policy.json')
    .action(async (arn: string, opts: WindowOptions) => {
      userOrRoleAccountForCli(arn);
      const w = resolveWindow(opts);
      await withStore(opts, async (store) => {
        let result;
        try {
          result = await suggestPolicyFor(store, arn, { asOf: w.asOf, windowDays: w.windowDays, onNotices: (n) => printNotices(n, opts.db) });
        } catch (err) {
          // exit 2: the identity is unknown (scripts tell it apart from bad input)
          if (err instanceof UseCaseError) throw new CliError(err.message, err.kind === 'not-found' ? 2 : 1);
          throw err;
        }
        process.stdout.write(JSON.stringify(result.document, null, 2) + '\n');
        for (const note of result.notes) process.stderr.write(terminalLine(`note: ${note}`));
      }, READ_ONLY);
    });
}

/** A bad ARN is refused before the store is opened, as before. */
function userOrRoleAccountForCli(arn: string): void {
  try {
    userOrRoleAccount(arn);
  } catch (err) {
    if (err instanceof UseCaseError) throw new CliError(err.message);
    throw err;
  }
}
