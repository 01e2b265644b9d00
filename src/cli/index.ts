import { Command, CommanderError } from 'commander';
import { terminalLine } from '../model/text.js';
import { CliError } from './common.js';
import { commands } from './commands.js';

export function buildProgram(): Command {
  const program = new Command('trailscope')
    .description('CloudTrail ingestion with CIEM and posture insight, self-hosted.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
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
