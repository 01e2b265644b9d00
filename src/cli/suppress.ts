/** `trailscope suppress <finding-id> --reason R [--until T]` and `trailscope unsuppress <finding-id>`. */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { addDbOption, CliError, parseTime, printJson, withStore } from './common.js';
import { READ_ONLY } from './analysis-options.js';
import { suppressFinding, unsuppressFinding, UseCaseError } from '../app/index.js';
import { terminalLine } from '../model/index.js';

function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UseCaseError) throw new CliError(err.message);
    throw err;
  }
}

/** An end time: ISO-8601, or a duration from now (30d, 12h, 90m). */
function untilTime(value: string, now = new Date()): string {
  const rel = /^(\d+)([dhm])$/.exec(value.trim());
  if (!rel) return parseTime(value, now);
  const unit = rel[2] === 'd' ? 86_400_000 : rel[2] === 'h' ? 3_600_000 : 60_000;
  return new Date(now.getTime() + Number(rel[1]) * unit).toISOString();
}

export function registerSuppress(program: Command): void {
  addDbOption(
    program
      .command('suppress <finding-id>')
      .description('Suppress a finding: hidden from findings by default, shown under --status suppressed, with the reason, who and until when')
      .requiredOption('--reason <text>', 'why (kept with the finding)')
      .option('--until <time>', 'the suppression ends then: ISO-8601, or 30d / 12h from now')
      .option('--by <name>', 'who suppresses it (default: the OS user)')
      .option('--json', 'print the stored finding as JSON'),
  ).action(async (id: string, opts: { db?: string; reason: string; until?: string; by?: string; json?: boolean }) => {
    const until = opts.until ? untilTime(opts.until) : undefined;
    await withStore(opts, async (store) => {
      const f = await mapped(() => suppressFinding(store, id, { reason: opts.reason, by: opts.by ?? whoAmI(), ...(until ? { until } : {}) }));
      if (opts.json) printJson(f);
      else process.stdout.write(terminalLine(`suppressed ${f.id} (${f.rule} ${f.resource})${until ? ` until ${until}` : ''}`));
    }, READ_ONLY);
  });

}

export function registerUnsuppress(program: Command): void {
  addDbOption(program.command('unsuppress <finding-id>').description('Lift the suppression of a finding')).action(async (id: string, opts: { db?: string }) => {
    await withStore(opts, async (store) => {
      const f = await mapped(() => unsuppressFinding(store, id));
      process.stdout.write(terminalLine(`unsuppressed ${f.id} (${f.rule} ${f.resource})`));
    }, READ_ONLY);
  });
}
