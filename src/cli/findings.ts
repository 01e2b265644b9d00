import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { addWindowOptions, printNotices, READ_ONLY, resolveWindow, type WindowOptions } from './analysis-options.js';
import { builtinRules } from '../analysis/index.js';
import { findFindings, FINDING_STATUSES, UseCaseError } from '../app/index.js';
import type { FindingStatus } from '../store/index.js';
import { findingsToCsv } from '../analysis/index.js';
import { findingsToSarif } from '../analysis/index.js';
import { renderTable } from '../analysis/index.js';
import { isSeverity, SEVERITIES, type Severity } from '../model/index.js';
import { addCoverageOptions, resolveCoverage, type CoverageFlags } from './coverage-options.js';

interface FindingsOptions extends WindowOptions, CoverageFlags {
  json?: boolean;
  format?: string;
  rule?: string[];
  severity?: string[];
  maxUsedRatio?: string;
  minUnused?: string;
  resources?: boolean;
  status?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function registerFindings(program: Command): void {
  addDbOption(
    addCoverageOptions(addWindowOptions(
      program
        .command('findings')
        .description('Run the CIEM rules, add the event detections, record the run (first and last seen, resolved) and print the findings, most severe first.')
        .option('--json', 'same as --format json')
        .option('--format <fmt>', 'table (default), json, csv or sarif (SARIF 2.1.0)')
        .option('--rule <id>', `only these rule ids; repeat or comma-separate (${builtinRules.map((r) => r.id).join(', ')}, and the event detection rules: see README)`, collect)
        .option('--status <s>', 'open (default), resolved, suppressed or all; repeat or comma-separate', collect)
        .option('--severity <s>', `only these severities; repeat or comma-separate (${SEVERITIES.join(', ')})`, collect)
        .option('--max-used-ratio <r>', 'overprovisioned-identity: fire below this used/granted ratio (default 0.1)')
        .option('--min-unused <n>', 'overprovisioned-identity: ...and at least this many unused actions (default 10)')
        .option('--resources', 'scope the suggested policies in finding details to the resources CloudTrail showed, and iam:PassRole to the passed roles (slower on large stores; `policy suggest` always does)'),
    )),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  trailscope findings --json --as-of 2026-06-30T00:00:00Z\n  trailscope findings --status suppressed,resolved\n  trailscope findings --format sarif > trailscope.sarif\n  trailscope findings --rule inactive-identity --severity high,medium --format csv',
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
      const statuses: FindingStatus[] = [];
      for (const v of opts.status ?? []) {
        const lower = v.toLowerCase();
        if (lower === 'all') statuses.push(...FINDING_STATUSES);
        else if ((FINDING_STATUSES as readonly string[]).includes(lower)) statuses.push(lower as FindingStatus);
        else throw new CliError(`--status must be one of ${FINDING_STATUSES.join(', ')} or all, got "${v}"`);
      }
      const w = resolveWindow(opts);
      const coverage = resolveCoverage(opts);
      await withStore(opts, async (store) => {
        let result;
        try {
          result = await findFindings(store, {
            ...w,
            ...(opts.rule ? { rules: opts.rule } : {}),
            severities,
            statuses,
            resources: opts.resources === true,
            overprovisioned,
            coverage,
          });
        } catch (err) {
          if (err instanceof UseCaseError) throw new CliError(err.message);
          throw err;
        }
        const { findings, errors, rules } = result;
        // What is missing, and one line per account whose activity was not judged, with the command that brings the logs in.
        printNotices(result.notices, opts.db);
        for (const e of errors) process.stderr.write(terminalLine(`trailscope: rule ${e.rule} failed: ${e.message}`));
        if (errors.length > 0) process.exitCode = 1;
        if (format === 'json') printJson(findings);
        else if (format === 'csv') process.stdout.write(findingsToCsv(findings));
        else if (format === 'sarif') printJson(findingsToSarif(findings, rules));
        else {
          const withStatus = statuses.length > 0;
          process.stdout.write(
            renderTable(
              [...(withStatus ? ['STATUS'] : []), 'SEVERITY', 'RULE', 'ACCOUNT', 'RESOURCE', 'TITLE', 'ID'],
              findings.map((f) => [...(withStatus ? [f.status] : []), f.severity, f.rule, f.accountId, f.resource, f.title, f.id]),
            ),
          );
          process.stderr.write(`${findings.length} findings; window ${result.windowStart} .. ${result.asOf}\n`);
        }
      }, READ_ONLY);
    });
}
