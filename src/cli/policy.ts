import type { Command } from 'commander';
import { terminalLine } from '../model/text.js';
import { addDbOption, CliError, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { loadAnalysis } from '../analysis/load.js';
import { parsePrincipalArn } from '../analysis/identities.js';
import { suggestPolicy } from '../analysis/policy.js';

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
      const parsed = parsePrincipalArn(arn);
      if (!parsed || parsed.type === 'root') {
        throw new CliError(`expected an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>), got "${arn}"`);
      }
      const w = resolveWindow(opts);
      await withStore(opts, async (store) => {
        const { ctx, evaluator, notices } = await loadAnalysis(store, {
          asOf: w.asOf,
          windowDays: w.windowDays,
          accountId: parsed.accountId,
          principalArn: arn,
        });
        printNotices(notices, opts.db);
        const id = ctx.identities[0];
        if (!id) {
          throw new CliError(`${arn}: not in any imported IAM snapshot and no activity seen before ${w.asOf} (import IAM with \`trailscope iam import\`)`, 2);
        }
        const snapshot = ctx.snapshots.find((s) => s.accountId === parsed.accountId) ?? null;
        const result = suggestPolicy({
          principalArn: id.summary.arn,
          usage: id.usage,
          permissions: id.permissions,
          evaluator,
          identity: id.iam,
          snapshot,
          passRoleServices: ctx.passRoleServices?.get(id.summary.arn),
        });
        process.stdout.write(JSON.stringify(result.document, null, 2) + '\n');
        for (const note of result.notes) process.stderr.write(terminalLine(`note: ${note}`));
      }, READ_ONLY);
    });
}
