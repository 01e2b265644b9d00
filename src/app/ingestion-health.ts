/**
 * The ingestion health document of GET /api/ingestion (the console's "Ingestion health" page):
 * `trailscope status` per connector and account, plus events per hour, coverage gaps and the
 * latest doctor run. Events per hour and gaps come from the coverage hours, which are kept per
 * account, not per connector: two connectors reading one account show the same series.
 */
import { loadCoverage, DEFAULT_COVERAGE_OPTIONS, type Span } from '../analysis/index.js';
import type { DoctorRunRecord, Store } from '../store/index.js';
import { buildStatus, type AccountStatus, type ConnectorStatus } from './status.js';

const HOUR_MS = 3_600_000;

export interface AccountHealth extends AccountStatus {
  /** The last `hours` UTC hours, oldest first; events counted by the hour of their log file. */
  eventsPerHour: { hour: string; events: number }[];
  /** Stretches of `gapHours`+ hours without a log file in the last `gapDays` days. */
  gaps: Span[];
}

export interface ConnectorHealth extends Omit<ConnectorStatus, 'accounts'> {
  /** Null for a connector that ingested once (ingest --queue-url) and is not registered. */
  enabled: boolean | null;
  accounts: AccountHealth[];
  /** The latest stored doctor run (each check with its fix), or null. */
  doctor: DoctorRunRecord | null;
}

export interface HealthRequest {
  now: Date;
  /** Hours of the events-per-hour series (default 24). */
  hours?: number;
  /** Days looked back for coverage gaps (default 7). */
  gapDays?: number;
}

export async function ingestionHealth(store: Store, req: HealthRequest): Promise<{ now: string; hours: number; connectors: ConnectorHealth[] }> {
  const hours = req.hours ?? 24;
  const gapDays = req.gapDays ?? 7;
  const status = await buildStatus(store, req.now);
  const registered = new Map((await store.connectors.list()).map((c) => [c.name, c]));
  const names = new Set([...status.connectors.map((c) => c.connector), ...registered.keys()]);
  const accountIds = [...new Set(status.connectors.flatMap((c) => c.accounts.map((a) => a.accountId)).filter((a) => a !== '-'))];

  // One coverage query per hour: coverage_hourly holds the events of each hour bucket.
  const end = Math.floor(req.now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const series = new Map<string, number[]>();
  for (let h = 0; h < hours; h++) {
    const since = new Date(end - (hours - h) * HOUR_MS).toISOString();
    const until = new Date(end - (hours - h - 1) * HOUR_MS).toISOString();
    for (const run of await store.coverage.runs({ since, until })) {
      const s = series.get(run.accountId) ?? new Array<number>(hours).fill(0);
      s[h] = (s[h] ?? 0) + run.events;
      series.set(run.accountId, s);
    }
  }
  const coverage = accountIds.length
    ? await loadCoverage(store, { since: new Date(req.now.getTime() - gapDays * 24 * HOUR_MS).toISOString(), until: req.now.toISOString(), accountIds }, DEFAULT_COVERAGE_OPTIONS)
    : new Map();

  const byName = new Map(status.connectors.map((c) => [c.connector, c]));
  const out: ConnectorHealth[] = [];
  for (const name of [...names].sort()) {
    const c: ConnectorStatus = byName.get(name) ?? {
      connector: name,
      totals: { files: 0, events: 0, duplicates: 0, quarantined: 0, problems: 0, filesDone: 0, filesFailed: 0 },
      accounts: [],
      quarantine: [],
      problems: [],
    };
    const r = registered.get(name);
    out.push({
      ...c,
      enabled: r ? r.enabled : null,
      accounts: c.accounts.map((a) => ({
        ...a,
        eventsPerHour: (series.get(a.accountId) ?? new Array<number>(hours).fill(0)).map((events, h) => ({ hour: new Date(end - (hours - h) * HOUR_MS).toISOString(), events })),
        gaps: coverage.get(a.accountId)?.gaps ?? [],
      })),
      doctor: r ? ((await store.connectors.latestDoctorRun(name)) ?? null) : null,
    });
  }
  return { now: req.now.toISOString(), hours, connectors: out };
}
