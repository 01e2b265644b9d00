/**
 * `trailscope demo`: the service (`serve`'s startService) on the demo store while the files
 * arrive, so the console fills in live. Runs until `signal` aborts.
 */
import { ingestConfigOf } from '../connectors/index.js';
import type { Logger } from '../ingest/index.js';
import { startService } from '../service/index.js';
import type { Store } from '../store/index.js';
import { deliverFiles } from './deliver.js';
import type { DemoScale } from './organization.js';
import { prepareDemo } from './prepare.js';
import { sleep } from './sleep.js';

export interface ServingDemoOptions {
  store: Store;
  seed: string;
  scale: DemoScale;
  host: string;
  port: number;
  /** The files' notifications are spread over this long, so data visibly arrives. */
  deliverySeconds: number;
  log: Logger;
  /** Stops the demo (Ctrl-C / SIGTERM): delivery, ingestion, the API and the emulator. */
  signal: AbortSignal;
  /** How the console line names the database (default: the store's location). */
  database?: string;
  /** Called once the console answers, before any file is delivered. */
  onReady(info: { url: string; database: string; connector: string; files: number; events: number }): void;
  now?: () => Date;
}

export async function runDemoServing(o: ServingDemoOptions): Promise<void> {
  const { emulator, organization, connector } = await prepareDemo(o.store, { seed: o.seed, scale: o.scale, now: (o.now ?? (() => new Date()))() });
  const generated = organization.summary.events;
  try {
    const service = await startService({
      store: o.store,
      log: o.log,
      host: o.host,
      port: o.port,
      iamSyncHours: 0,
      // Often enough to watch findings appear while files arrive; not back to back (an analysis
      // takes seconds of CPU that delivery and ingestion share).
      analysisPollMs: 20_000,
      connectorPollMs: 15_000,
      ...(o.now ? { now: o.now } : {}),
      ingestion: { maxReceives: 5, waitTimeSeconds: 2, graceSeconds: 10, progressInterval: 30, retryBaseSeconds: 5 },
    });
    try {
      o.onReady({ url: service.url, database: o.database ?? o.store.location, connector: ingestConfigOf(connector).name, files: organization.files.length, events: generated });
      let lastTenth = -1;
      const report = await deliverFiles(emulator, organization.files, {
        durationMs: o.deliverySeconds * 1000,
        signal: o.signal,
        accountId: organization.summary.managementAccountId,
        onProgress: (done, total) => {
          const tenth = Math.floor((10 * done) / total);
          if (tenth !== lastTenth) o.log.info('demo: files delivered', { delivered: done, of: total });
          lastTenth = tenth;
        },
      });
      if (!o.signal.aborted) o.log.info('demo: every file delivered', { files: report.files, ...report.sent });
      // Once everything is in, analyse at once rather than at the next poll, and say so.
      while (!o.signal.aborted) {
        const stored = (await o.store.events.stats()).events;
        if (stored >= generated) {
          const { findings } = await service.analyse();
          o.log.info('demo: all events ingested and analysed; Ctrl-C to stop', { events: stored, findings });
          break;
        }
        await sleep(2000, o.signal);
      }
      if (!o.signal.aborted) await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
    } finally {
      await service.stop();
    }
  } finally {
    await emulator.stop();
  }
}
