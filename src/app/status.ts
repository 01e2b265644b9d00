/**
 * The ingestion status document of `trailscope status --json` and GET /api/status (shape in
 * src/cli/status.ts): per connector and account, what ingestion has done and what is wrong.
 */
import type { ConnectorCounters, EventStats, HealthProblem, QuarantineRecord, Store } from '../store/index.js';

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
  return { now: now.toISOString(), store: stats, connectors };
}

