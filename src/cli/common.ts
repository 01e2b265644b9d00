import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { openStore, defaultDbPath } from '../store/index.js';
import type { Store } from '../store/index.js';

import { CliError } from './errors.js';

export { CliError };

export function addDbOption(cmd: Command): Command {
  return cmd.option(
    '--db <path>',
    'SQLite file, or postgres://user@host/db (default: $TRAILSCOPE_DB or ./trailscope.db)',
  );
}

/**
 * Opens the store of --db for fn. Commands that bring data in create it when absent; commands
 * that only read pass `{ create: false }`: a missing file is an error, never a new empty store.
 */
export async function withStore<T>(opts: { db?: string }, fn: (store: Store) => Promise<T>, open: { create?: boolean } = {}): Promise<T> {
  const store = await openStore(opts.db ?? defaultDbPath(), open);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Parses an ISO time or a relative one ("7d", "12h", "30m") into ISO-8601. */
export function parseTime(value: string, now: Date = new Date()): string {
  const rel = /^(\d+)([dhm])$/.exec(value.trim());
  if (rel) {
    const n = Number(rel[1]);
    const ms = rel[2] === 'd' ? 86_400_000 : rel[2] === 'h' ? 3_600_000 : 60_000;
    return new Date(now.getTime() - n * ms).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CliError(`not a time: "${value}" (use ISO-8601 like 2026-01-31T00:00:00Z, or 7d / 12h / 30m ago)`);
  return new Date(t).toISOString();
}

export function parsePositiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new CliError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** Writes JSON to stdout, pretty when a human is reading. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, process.stdout.isTTY ? 2 : undefined) + '\n');
}

/**
 * withStore for the commands that write events (import, ingest, backfill): every commit also
 * runs the event rules and the drift classifier in its transaction (src/detect).
 */
export async function withIngestStore<T>(opts: { db?: string; sigmaDir?: string[] }, fn: (store: Store) => Promise<T>): Promise<T> {
  const { attachDetections, loadSigmaEventRules } = await import('../detect/index.js');
  const sigma = await loadSigmaRulesForCli(loadSigmaEventRules, opts.sigmaDir ?? []);
  return withStore(opts, async (store) => {
    const engine = attachDetections(store, sigma);
    try {
      return await fn(store);
    } finally {
      // A rule that throws skips that event for that rule only; say so rather than lose it quietly.
      for (const e of engine.errors) process.stderr.write(terminalLine(`trailscope: detection rule ${e.rule} failed on event ${e.eventId}: ${e.message}`));
    }
  });
}

/** Loads --sigma-dir rules; a rule that cannot be loaded is named on stderr, never skipped silently. */
export async function loadSigmaRulesForCli<R>(
  load: (dirs: readonly string[]) => Promise<{ rules: R[]; problems: { file: string; message: string }[] }>,
  dirs: readonly string[],
): Promise<R[]> {
  if (dirs.length === 0) return [];
  let loaded;
  try {
    loaded = await load(dirs);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  for (const p of loaded.problems) process.stderr.write(terminalLine(`trailscope: sigma rule not loaded: ${p.file}: ${p.message}`));
  return loaded.rules;
}

/** --sigma-dir DIR (repeatable) for the commands that run the event rules. */
export function addSigmaDirOption(cmd: Command): Command {
  return cmd.option('--sigma-dir <dir>', 'also run the Sigma rules (logsource aws/cloudtrail) in this directory; repeatable', (v: string, prev: string[] = []) => [...prev, v]);
}
