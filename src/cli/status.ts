/**
 * `trailscope status`: what ingestion has done and what is wrong, per connector and account.
 *
 * JSON shape (`--json`), stable for monitoring scripts:
 *
 * ```
 * {
 *   "now": "2026-01-31T12:00:00.000Z",
 *   "store": { "events": 1234, "files": 56, "oldestEventTime": "...", "newestEventTime": "..." },
 *   "database": { "sizeBytes": 123456, "retentionDays": 90, "oldestEventTime": "..." },  // retentionDays null: keep everything
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
import { escapeForTerminal } from '../model/text.js';
import type { Command } from 'commander';
import { addDbOption, withStore, parseTime, printJson } from './common.js';
import { checkMissing, formatNotices } from '../analysis/notices.js';
import type { ConnectorCounters, EventStats, HealthProblem, QuarantineRecord, Store } from '../store/index.js';
import { databaseStatus, type DatabaseStatus } from '../store/index.js';
import { formatDatabaseStatus } from './status-database.js';

export interface AccountStatus {
  accountId: string;
  lastMessageAt: string | null;
  lastFileAt: string | null;
  lastFileKey: string | null;
  newestEventTime: string | null;
  lagSeconds: number | null;
  files: number;
  events: number;
  duplicates: number;
  errorsByKind: Record<string, number>;
}

export interface ConnectorStatus {
  connector: string;
  /**
   * files/events/duplicates add up the per-account counters. filesDone and filesFailed are
   * counted from the file records themselves, which are committed atomically with the events,
   * so they stay exact even when a worker was killed between a commit and its counter update.
   */
  totals: { files: number; events: number; duplicates: number; quarantined: number; problems: number; filesDone: number; filesFailed: number };
  accounts: AccountStatus[];
  quarantine: QuarantineRecord[];
  problems: HealthProblem[];
}

export interface StatusReport {
  now: string;
  store: EventStats | null;
  /** Size on disk, retention and the oldest event kept (null when the store cannot tell). */
  database: DatabaseStatus | null;
  connectors: ConnectorStatus[];
}

export async function buildStatus(store: Store, now: Date = new Date()): Promise<StatusReport> {
  const [counters, quarantine, problems] = await Promise.all([store.ingest.counters(), store.ingest.listQuarantine(), store.ingest.listProblems()]);
  let stats: EventStats | null = null;
  try {
    stats = await store.events.stats();
  } catch {
    stats = null;
  }
  const names = new Set<string>([...counters.map((c) => c.connector), ...quarantine.map((q) => q.connector), ...problems.map((p) => p.connector)]);
  const fileCounts = new Map<string, { done: number; failed: number }>();
  for (const connector of names) {
    const [done, failed] = await Promise.all([store.files.count({ status: 'done', connector }), store.files.count({ status: 'failed', connector })]);
    fileCounts.set(connector, { done, failed });
  }
  const connectors: ConnectorStatus[] = [...names].sort().map((connector) => {
    const mine: ConnectorCounters[] = counters.filter((c) => c.connector === connector);
    const accounts = mine
      .map((c): AccountStatus => {
        const newest = c.newestEventTime ? Date.parse(c.newestEventTime) : NaN;
        return {
          accountId: c.accountId,
          lastMessageAt: c.lastMessageAt,
          lastFileAt: c.lastFileAt,
          lastFileKey: c.lastFileKey,
          newestEventTime: c.newestEventTime,
          lagSeconds: Number.isNaN(newest) ? null : Math.max(0, Math.round((now.getTime() - newest) / 1000)),
          files: c.files,
          events: c.events,
          duplicates: c.duplicates,
          errorsByKind: c.errorsByKind,
        };
      })
      .sort((a, b) => a.accountId.localeCompare(b.accountId));
    const q = quarantine.filter((r) => r.connector === connector);
    const p = problems.filter((r) => r.connector === connector);
    return {
      connector,
      totals: {
        files: accounts.reduce((n, a) => n + a.files, 0),
        events: accounts.reduce((n, a) => n + a.events, 0),
        duplicates: accounts.reduce((n, a) => n + a.duplicates, 0),
        quarantined: q.length,
        problems: p.length,
        filesDone: fileCounts.get(connector)?.done ?? 0,
        filesFailed: fileCounts.get(connector)?.failed ?? 0,
      },
      accounts,
      quarantine: q,
      problems: p,
    };
  });
  const database = await databaseStatus(store).catch(() => null);
  return { now: now.toISOString(), store: stats, database, connectors };
}

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
  if (r.database) out.push(formatDatabaseStatus(r.database));
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
