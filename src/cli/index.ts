import { Command, CommanderError } from 'commander';
import { terminalLine } from '../model/index.js';
import { CliError } from './errors.js';
import { commandIndex, invokedCommand } from './commands.js';
import { applyHeapSizing } from './heap.js';

export const VERSION = '0.1.0';

/**
 * The program with the commands `args` needs loaded; the others are listed by
 * name and summary only. Without `args`, every command is loaded.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command('trailscope')
    .description('CloudTrail ingestion with CIEM and posture insight, self-hosted.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const wanted = args === undefined ? undefined : invokedCommand(args);
  for (const entry of commandIndex) {
    if (args === undefined || entry.name === wanted) (await entry.load())(program);
    else program.command(entry.name).summary(entry.summary);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    // Every command keeps V8's heap close to what it holds (heap.ts): workers and analyses alike.
    if (invokedCommand(argv.slice(2)) !== undefined) applyHeapSizing();
    const program = await buildProgram(argv.slice(2));
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed help or the usage error
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(terminalLine(`trailscope: ${message}`));
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}
