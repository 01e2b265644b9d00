import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { addDbOption, addSigmaDirOption, CliError, loadSigmaRulesForCli, parsePositiveInt, parseTime, printJson, withStore } from './common.js';
import { READ_ONLY } from './analysis-options.js';

interface DetectOptions {
  db?: string;
  since?: string;
  until?: string;
  rule?: string[];
  baselineDays?: number;
  json?: boolean;
  sigmaDir?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function registerDetect(program: Command): void {
  addDbOption(
    addSigmaDirOption(program.command('detect'))
      .description('Run the event detection rules over stored events (after adding a rule, or on events imported before it existed). Idempotent: a rule fires once per event.')
      .option('--since <time>', 'events at or after this time (ISO-8601, or 7d / 12h / 30m ago; default: all)')
      .option('--until <time>', 'events before this time')
      .option('--rule <id>', 'only these event rule ids; repeat or comma-separate', collect)
      .option('--baseline-days <n>', 'days before --since that stateful rules (unusual-source-ip) learn from (default 30)', parsePositiveInt('--baseline-days'))
      .option('--json', 'print the summary as JSON'),
  )
    .addHelpText('after', '\nExamples:\n  trailscope detect --since 30d\n  trailscope detect --rule logging-disabled,root-account-usage --json\n\nDetections are findings: see them with `trailscope findings`.')
    .action(async (opts: DetectOptions) => {
      const { defaultEventRules, scanStoredEvents, loadSigmaEventRules } = await import('../detect/index.js');
      let rules = defaultEventRules(await loadSigmaRulesForCli(loadSigmaEventRules, opts.sigmaDir ?? []));
      if (opts.rule?.length) {
        const known = new Set(rules.map((r) => r.id));
        const unknown = opts.rule.filter((id) => !known.has(id));
        if (unknown.length) throw new CliError(`unknown event rule id(s): ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
        rules = rules.filter((r) => opts.rule!.includes(r.id));
      }
      const since = opts.since ? parseTime(opts.since) : undefined;
      const until = opts.until ? parseTime(opts.until) : undefined;
      const result = await withStore(opts, (store) =>
        scanStoredEvents(store, rules, {
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
          ...(opts.baselineDays ? { baselineDays: opts.baselineDays } : {}),
          // A --rule re-scan is about those rules; the drift timeline is rebuilt by a full one.
          changes: !opts.rule?.length,
        }),
        READ_ONLY,
      );
      for (const e of result.errors) process.stderr.write(terminalLine(`trailscope: rule ${e.rule} failed on event ${e.eventId}: ${e.message}`));
      if (opts.json) printJson(result);
      else {
        process.stdout.write(
          [
            `events scanned:  ${result.events}`,
            `detections:      ${result.detections} (${result.newDetections} new)`,
            `changes:         ${result.changes} (${result.newChanges} new)`,
          ].join('\n') + '\n',
        );
      }
      if (result.errors.length > 0) process.exitCode = 1;
    });
}
