import type { Command } from 'commander';
import { terminalLine } from '../model/index.js';
import { addDbOption, addSigmaDirOption, withIngestStore, CliError } from './common.js';
import { importPaths } from '../ingest/index.js';
import type { ImportSummary } from '../ingest/index.js';
import { DEFAULT_MAX_DECODED_BYTES } from '../parse/index.js';

export function registerImport(program: Command): void {
  addDbOption(addSigmaDirOption(
    program
      .command('import')
      .description('Import CloudTrail files (.json.gz, .json, arrays, one event per line, lookup-events exports) from files or directories, recursively. Idempotent.')
      .argument('<path...>', 'files or directories')
      .option('--json', 'print the summary as JSON on stdout')
      .option('--parse-threads <n>', 'threads that read and parse files beside the one that writes the store (0: parse inline)', parseThreadsArg)
      .option('--max-file-mb <n>', `largest decompressed file to read, in MiB (default ${DEFAULT_MAX_DECODED_BYTES / MIB}, at most ${MAX_FILE_MB}); a bigger file fails with its reason`, maxFileMbArg),
  ))
    .addHelpText('after', '\nExample:\n  trailscope import ./AWSLogs --db trailscope.db\n\nExit codes: 0 ok, 2 when any file failed (each is named on stderr with the reason).')
    .action(async (paths: string[], opts: { db?: string; json?: boolean; parseThreads?: number; maxFileMb?: number; sigmaDir?: string[] }) => {
      const tty = process.stderr.isTTY;
      const started = Date.now();
      let lastDraw = 0;
      const summary = await withIngestStore(opts, (store) =>
        importPaths(store, paths, {
          ...(opts.parseThreads !== undefined ? { parseThreads: opts.parseThreads } : {}),
          ...(opts.maxFileMb !== undefined ? { maxFileBytes: opts.maxFileMb * MIB } : {}),
          onProgress: (p) => {
            if (!tty || Date.now() - lastDraw < 200) return;
            lastDraw = Date.now();
            const rate = Math.round(p.eventsNew / Math.max(0.001, (Date.now() - started) / 1000));
            process.stderr.write(`\r\x1b[K${p.filesDone} files, ${p.eventsNew} new events (${rate}/s)`);
          },
          onFailure: (f) => {
            if (tty) process.stderr.write('\r\x1b[K');
            process.stderr.write(terminalLine(`trailscope: failed: ${f.path}: ${f.reason} (fix: ${f.fix})`));
          },
        }),
      );
      if (tty) process.stderr.write('\r\x1b[K');
      printSummary(summary, opts.json === true);
      if (summary.failed > 0) throw new CliError(`${summary.failed} file(s) failed to import`, 2);
    });
}

function printSummary(s: ImportSummary, json: boolean): void {
  if (json) {
    const { failures, ...counts } = s;
    process.stdout.write(JSON.stringify({ ...counts, failures }) + '\n');
    return;
  }
  const lines = [
    `files read:  ${s.filesRead}`,
    `events new:  ${s.eventsNew}`,
    `duplicates:  ${s.duplicates}${s.duplicateConflicts.count ? ` (${s.duplicateConflicts.count} with content different from the event kept under the same eventID: the first was kept)` : ''}`,
    `skipped:     ${s.skipped}${s.alreadyImported ? ` (${s.alreadyImported} already imported)` : ''}`,
    `failed:      ${s.failed}`,
  ];
  for (const c of s.duplicateConflicts.examples) lines.push(`  conflicting duplicate: eventID ${c.eventId} in ${c.path}`);
  if (s.rejectedRecords) {
    lines.push(`rejected records: ${s.rejectedRecords}`);
    for (const group of s.rejectedReasons) {
      lines.push(`  ${group.count} × ${group.reason}`);
      for (const e of group.examples) lines.push(`      e.g. ${e.path} record ${e.index}${e.line !== undefined ? ` (line ${e.line})` : ''}: ${e.reason}`);
    }
  }
  if (s.filesRead === 0 && s.alreadyImported > 0) lines.push('nothing new: every file was already imported');
  process.stdout.write(lines.map(terminalLine).join(''));
}

const MIB = 1024 * 1024;
/** V8 cannot hold a string much longer than 512 MiB, so a bigger file could never be read. */
const MAX_FILE_MB = 512;

function maxFileMbArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_FILE_MB) throw new CliError(`--max-file-mb must be a whole number from 1 to ${MAX_FILE_MB}, not "${value}"`, 1);
  return n;
}

function parseThreadsArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new CliError(`--parse-threads must be a whole number from 0 to 64, not "${value}"`, 1);
  return n;
}
