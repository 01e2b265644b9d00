/**
 * `trailscope demo --no-serve`: the same pipeline run to completion (deliver everything, ingest
 * until the queue is empty, analyse once), for scripts and CI.
 */
import { findFindings } from '../app/index.js';
import { runIngestion } from '../app/index.js';
import { DEFAULT_WINDOW_DAYS } from '../analysis/index.js';
import { ingestConfigOf } from '../connectors/index.js';
import type { Logger } from '../ingest/index.js';
import type { Store } from '../store/index.js';
import { deliverFiles } from './deliver.js';
import type { DeliveryReport } from './deliver.js';
import type { DemoScale } from './organization.js';
import { prepareDemo } from './prepare.js';

export interface DemoSummary {
  database: string;
  organizationId: string;
  accounts: number;
  window: { start: string; end: string };
  generated: { events: number; records: number; logFiles: number; digestFiles: number; plantedCases: number };
  stored: { events: number };
  notifications: DeliveryReport;
  /** Left on the queue after ingestion (all zero when every notification was handled). */
  queue: { ready: number; delayed: number; inFlight: number };
  quarantined: number;
  asOf: string;
  findings: { total: number; byRule: Record<string, number> };
  /** True when every generated event was stored, the queue is empty and nothing was quarantined. */
  complete: boolean;
}

export interface BatchDemoOptions {
  store: Store;
  seed: string;
  scale: DemoScale;
  log: Logger;
  signal: AbortSignal;
  /** How the summary names the database (default: the store's location). */
  database?: string;
  now?: () => Date;
}

export async function runDemoToCompletion(o: BatchDemoOptions): Promise<DemoSummary> {
  const now = o.now ?? (() => new Date());
  const { emulator, organization, connector } = await prepareDemo(o.store, { seed: o.seed, scale: o.scale, now: now() });
  const { summary } = organization;
  try {
    o.log.info('demo: delivering files', { files: organization.files.length, bucket: emulator.bucket });
    const notifications = await deliverFiles(emulator, organization.files, { durationMs: 0, signal: o.signal, accountId: summary.managementAccountId });
    const ingestion = await runIngestion(
      o.store,
      [ingestConfigOf(connector)],
      { exitWhenIdle: true, maxReceives: 5, waitTimeSeconds: 1, graceSeconds: 10, progressInterval: 30, retryBaseSeconds: 1 },
      o.log,
      o.signal,
    );
    for (const f of ingestion.failed) o.log.error('demo: connector could not run', { connector: f.connector, error: f.error });
    const asOf = now().toISOString();
    // Stopped by the user: report what got in, without making them wait for an analysis.
    const found = o.signal.aborted ? { findings: [] } : await findFindings(o.store, { asOf, windowDays: DEFAULT_WINDOW_DAYS });
    const byRule: Record<string, number> = {};
    for (const f of found.findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
    const stored = (await o.store.events.stats()).events;
    const queue = emulator.queueDepth();
    const quarantined = (await o.store.ingest.listQuarantine(connector.name)).length;
    return {
      database: o.database ?? o.store.location,
      organizationId: summary.organizationId,
      accounts: summary.accounts.length,
      window: { start: summary.start, end: summary.end },
      generated: { events: summary.events, records: summary.records, logFiles: summary.logFiles, digestFiles: summary.digestFiles, plantedCases: summary.plantedCases },
      stored: { events: stored },
      notifications,
      queue,
      quarantined,
      asOf,
      findings: { total: found.findings.length, byRule: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : 1))) },
      complete: stored === summary.events && queue.ready + queue.delayed + queue.inFlight === 0 && quarantined === 0 && notifications.unreadable === 0,
    };
  } finally {
    await emulator.stop();
  }
}
