import type { Command } from 'commander';

export function registerMigrate(program: Command): void {
  program.command('migrate');
}
