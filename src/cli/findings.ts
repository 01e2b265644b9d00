import type { Command } from 'commander';
import { terminalLine } from '../model/text.js';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { loadAnalysis } from '../analysis/load.js';
import { runRules, selectRules } from '../analysis/engine.js';
import { builtinRules } from '../analysis/rules/index.js';
import { DEFAULT_RULE_OPTIONS, rulesNeed, type Rule, type RuleContext } from '../analysis/types.js';
import { windowStart } from '../analysis/identities.js';
import { findingsToCsv } from '../analysis/format/csv.js';
import { findingsToSarif } from '../analysis/format/sarif.js';
import { renderTable } from '../analysis/format/table.js';
import { isSeverity, SEVERITIES, type Severity } from '../model/finding.js';
import { addCoverageOptions, resolveCoverage, type CoverageFlags } from './coverage-options.js';

interface FindingsOptions extends WindowOptions, CoverageFlags {
  json?: boolean;
  format?: string;
  rule?: string[];
  severity?: string[];
  maxUsedRatio?: string;
  minUnused?: string;
  resources?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function registerFindings(program: Command): void {
  addDbOption(
    addCoverageOptions(addWindowOptions(
      program
        .command('findings')
        .description('Run the CIEM rules and print their findings (most severe first).')
        .option('--json', 'same as --format json')
        .option('--format <fmt>', 'table (default), json, csv or sarif (SARIF 2.1.0)')
        .option('--rule <id>', `only these rule ids; repeat or comma-separate (${builtinRules.map((r) => r.id).join(', ')}, and the event detection rules: see README)`, collect)
        .option('--severity <s>', `only these severities; repeat or comma-separate (${SEVERITIES.join(', ')})`, collect)
        .option('--max-used-ratio <r>', 'overprovisioned-identity: fire below this used/granted ratio (default 0.1)')
        .option('--min-unused <n>', 'overprovisioned-identity: ...and at least this many unused actions (default 10)')
        .option('--resources', 'scope the suggested policies in finding details to the resources CloudTrail showed, and iam:PassRole to the passed roles (slower on large stores; `policy suggest` always does)'),
    )),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  trailscope findings --json --as-of 2026-06-30T00:00:00Z\n  trailscope findings --format sarif > trailscope.sarif\n  trailscope findings --rule inactive-identity --severity high,medium --format csv',
    )
    .action(async (opts: FindingsOptions) => {
      const format = opts.json ? 'json' : (opts.format ?? 'table');
      if (opts.json && opts.format && opts.format !== 'json') throw new CliError('--json and --format disagree: use one');
      if (!['table', 'json', 'csv', 'sarif'].includes(format)) throw new CliError(`--format must be table, json, csv or sarif, got "${format}"`);
      const severities: Severity[] = [];
      for (const s of opts.severity ?? []) {
        const lower = s.toLowerCase();
        if (!isSeverity(lower)) throw new CliError(`--severity must be one of ${SEVERITIES.join(', ')}, got "${s}"`);
        severities.push(lower);
      }
      const overprovisioned: { maxUsedRatio: number; minUnused: number } = { maxUsedRatio: 0.1, minUnused: 10 };
      if (opts.maxUsedRatio !== undefined) {
        const r = Number(opts.maxUsedRatio);
        if (!(r > 0 && r <= 1)) throw new CliError(`--max-used-ratio must be a number in (0, 1], got "${opts.maxUsedRatio}"`);
        overprovisioned.maxUsedRatio = r;
      }
      if (opts.minUnused !== undefined) {
        const n = Number(opts.minUnused);
        if (!Number.isInteger(n) || n < 0) throw new CliError(`--min-unused must be a whole number, got "${opts.minUnused}"`);
        overprovisioned.minUnused = n;
      }
      const w = resolveWindow(opts);
      const coverage = resolveCoverage(opts);
      const { builtinEventRules, detectionRules } = await import('../detect/index.js');
      await withStore(opts, async (store) => {
        // Event detections are stored as events commit; they join the CIEM rules as rules of their own.
        const since = windowStart(w.asOf, w.windowDays);
        const detections = await store.detections.list({ since, until: w.asOf, ...(w.accountId ? { accountId: w.accountId } : {}) });
        const eventRules = detectionRules(builtinEventRules, detections);
        let rules: Rule[];
        try {
          rules = selectRules([...builtinRules, ...eventRules], opts.rule);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        const ciem = rules.filter((r) => builtinRules.includes(r));
        let ctx: RuleContext = { asOf: w.asOf, windowDays: w.windowDays, windowStart: since, identities: [], snapshots: [], evaluator: null, options: DEFAULT_RULE_OPTIONS };
        if (ciem.length > 0) {
          const loaded = await loadAnalysis(store, {
            ...w,
            resourceDetail: opts.resources === true,
            escalationEvents: rulesNeed(ciem, 'escalationEvents'),
            options: { overprovisioned, coverage },
          });
          ctx = loaded.ctx;
          // What is missing, and one line per account whose activity was not judged, with the command that brings the logs in.
          printNotices(loaded.notices, opts.db);
        }
        const { findings, errors } = runRules(rules, ctx, { severities, accountId: w.accountId });
        for (const e of errors) process.stderr.write(terminalLine(`trailscope: rule ${e.rule} failed: ${e.message}`));
        if (errors.length > 0) process.exitCode = 1;
        if (format === 'json') printJson(findings);
        else if (format === 'csv') process.stdout.write(findingsToCsv(findings));
        else if (format === 'sarif') printJson(findingsToSarif(findings, rules));
        else {
          process.stdout.write(
            renderTable(
              ['SEVERITY', 'RULE', 'ACCOUNT', 'RESOURCE', 'TITLE'],
              findings.map((f) => [f.severity, f.rule, f.accountId, f.resource, f.title]),
            ),
          );
          process.stderr.write(`${findings.length} findings; window ${ctx.windowStart} .. ${ctx.asOf}\n`);
        }
      }, READ_ONLY);
    });
}
