/**
 * `trailscope status`: what ingestion has done and what is wrong, per connector and account.
 *
 * JSON shape (`--json`), stable for monitoring scripts:
 *
 * ```
 * {
 *   "now": "2026-01-31T12:00:00.000Z",
 *   "store": { "events": 1234, "files": 56, "oldestEventTime": "...", "newestEventTime": "..." },
 *   "connectors": [{
 *     "connector": "prod",
 *     "totals": { "files": 56, "events": 1234, "duplicates": 3, "quarantined": 1, "problems": 1,
 *                 "filesDone": 56, "filesFailed": 1 },   // from file records: exact after a crash
 *     "accounts": [{
 *       "accountId": "111122223333",          // "-" = messages/keys not tied to an account
 *       "lastMessageAt": "...", "lastFileAt": "...", "lastFileKey": "AWSLogs/...",
 *       "newestEventTime": "...",             // CloudTrail eventTime, not ingestion time
 *       "lagSeconds": 420,                    // now − newestEventTime; null when no event yet
 *       "files": 56, "events": 1234, "duplicates": 3,
 *       "errorsByKind": { "transient:throttled": 2, "quarantined": 1 }
 *     }],
 *     "quarantine": [{ "messageId", "bucket", "key", "reason", "fix", "receiveCount", "leftForDlq", "at", "body" }],
 *     "problems": [{ "kind", "message", "fix", "bucket", "key", "at" }]
 *   }]
 * }
 * ```
 * Times are ISO-8601 UTC; absent values are null. Exit code 0, even when problems are listed.
 */
import { escapeForTerminal } from '../model/index.js';
import type { Command } from 'commander';
import { addDbOption, withStore, parseTime, printJson } from './common.js';
import { checkMissing, formatNotices } from '../analysis/index.js';
import { buildStatus, type StatusReport } from '../app/index.js';

export { buildStatus };
export type { AccountStatus, ConnectorStatus, StatusReport } from '../app/index.js';

/** 0s, 42s, 7m, 2h05m, 3d04h. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

const short = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

export function formatStatus(r: StatusReport, maxListed = 20): string {
  const out: string[] = [];
  if (r.store) {
    out.push(`store: ${r.store.events} events in ${r.store.files} files, eventTime ${short(r.store.oldestEventTime)} .. ${short(r.store.newestEventTime)}`);
  }
  if (r.connectors.length === 0) {
    out.push('no ingestion yet: run `trailscope ingest --queue-url ...` (or `trailscope import` for local files)');
    return out.map(escapeForTerminal).join('\n') + '\n';
  }
  for (const c of r.connectors) {
    out.push('');
    out.push(
      `connector ${c.connector}: ${c.totals.files} files, ${c.totals.events} events, ${c.totals.duplicates} duplicates, ${c.totals.quarantined} quarantined, ${c.totals.problems} problems (file records: ${c.totals.filesDone} done, ${c.totals.filesFailed} failed)`,
    );
    if (c.accounts.length > 0) {
      const rows = [['ACCOUNT', 'LAST MESSAGE', 'LAST FILE', 'LAG', 'FILES', 'EVENTS', 'DUPS', 'ERRORS']];
      for (const a of c.accounts) {
        const errors = Object.entries(a.errorsByKind)
          .sort()
          .map(([k, n]) => `${k}=${n}`)
          .join(' ');
        rows.push([a.accountId === '-' ? '(none)' : a.accountId, short(a.lastMessageAt), short(a.lastFileAt), formatDuration(a.lagSeconds), String(a.files), String(a.events), String(a.duplicates), errors || '-']);
      }
      out.push(...table(rows).map((l) => `  ${l}`));
      const last = [...c.accounts].filter((a) => a.lastFileKey).sort((a, b) => (b.lastFileAt ?? '').localeCompare(a.lastFileAt ?? ''))[0];
      if (last) out.push(`  last file: ${last.lastFileKey}`);
    }
    if (c.quarantine.length > 0) {
      out.push(`  quarantined messages (${c.quarantine.length}):`);
      for (const q of c.quarantine.slice(0, maxListed)) {
        const where = q.bucket ? `s3://${q.bucket}/${q.key ?? ''}` : `message ${q.messageId}`;
        out.push(`    ${short(q.at)}  ${where}${q.leftForDlq ? '  (left for the DLQ)' : ''}  receives=${q.receiveCount}`);
        out.push(`      reason: ${q.reason}`);
        out.push(`      fix: ${q.fix}`);
      }
      if (c.quarantine.length > maxListed) out.push(`    ... ${c.quarantine.length - maxListed} more (use --json)`);
    }
    if (c.problems.length > 0) {
      out.push(`  health problems (${c.problems.length}):`);
      for (const p of c.problems.slice(0, maxListed)) {
        const where = p.bucket ? ` s3://${p.bucket}/${p.key ?? ''}` : '';
        out.push(`    ${short(p.at)}  ${p.kind}${where}: ${p.message}`);
        out.push(`      fix: ${p.fix}`);
      }
      if (c.problems.length > maxListed) out.push(`    ... ${c.problems.length - maxListed} more (use --json)`);
    }
  }
  return out.map(escapeForTerminal).join('\n') + '\n';
}

export function registerStatus(program: Command): void {
  addDbOption(
    program
      .command('status')
      .description('Ingestion status per connector and account: last message and file, lag, counts, duplicates, quarantined messages, errors and health problems with fixes.')
      .option('--json', 'print JSON (shape documented in src/cli/status.ts)')
      .option('--now <time>', 'compute lag against this time instead of the clock (ISO-8601)'),
  )
    .addHelpText('after', '\nExamples:\n  trailscope status\n  trailscope status --json | jq \'.connectors[].accounts[] | select(.lagSeconds > 3600)\'')
    .action(async (opts: { db?: string; json?: boolean; now?: string }) => {
      const now = opts.now ? new Date(parseTime(opts.now)) : new Date();
      const [report, notices] = await withStore(
        opts,
        async (store) => Promise.all([buildStatus(store, now), checkMissing(store, { asOf: now.toISOString() })]),
        { create: false },
      );
      for (const line of formatNotices(notices, opts.db)) process.stderr.write(escapeForTerminal(line) + '\n');
      if (opts.json) printJson(report);
      else process.stdout.write(formatStatus(report));
    });
}
