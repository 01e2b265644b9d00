/** `trailscope demo`: the whole pipeline on an emulated AWS, no account needed (src/demo). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { rmSync } from 'node:fs';
import { CliError, parsePositiveInt, printJson, withIngestStore } from './common.js';
import type { LogFormat } from '../ingest/index.js';
import { terminalLine } from '../model/index.js';
import type { DemoSummary } from '../demo/index.js';

/** The demo's own database, replaced on every run (--db names another, which must be empty). */
export const DEMO_DB = './trailscope-demo.db';

interface DemoCliOptions {
  db?: string;
  port: string;
  serve: boolean;
  seed: string;
  json?: boolean;
  accounts?: number;
  days?: number;
  eventsPerDay?: number;
  deliverySeconds: number;
  logFormat: LogFormat;
}

const out = (line: string) => process.stdout.write(terminalLine(line));

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline with no AWS account: an S3/SQS emulator, a generated organization whose CloudTrail files arrive with their notifications ' +
        '(S3 events direct and through SNS, CloudTrail SNS notifications, EventBridge), a connector, the IAM snapshots, and `serve` with its console',
    )
    .option('--db <path>', `SQLite file or postgres:// URL, which must be empty (default: ${DEMO_DB}, replaced on every run)`)
    .option('--port <n>', 'console port (0: any free port)', '7878')
    .option('--no-serve', 'run the pipeline to completion (ingest until the queue is empty, analyse), print a summary and exit')
    .option('--json', 'with --no-serve, print the summary as JSON')
    .option('--seed <s>', 'random seed of the generated organization', 'demo')
    .option('--accounts <n>', 'accounts in the organization (default 3)', parsePositiveInt('--accounts'))
    .option('--days <n>', 'days of CloudTrail, ending now (default 8; activity rules need 7 or more)', parsePositiveInt('--days'))
    .option('--events-per-day <n>', 'background events per account per day (default 1000)', parsePositiveInt('--events-per-day'))
    .option('--delivery-seconds <n>', 'when serving, spread the files\' delivery over this many seconds', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new CliError(`--delivery-seconds must be a number ≥ 0, got "${v}"`);
      return n;
    }, 45)
    .addOption(new Option('--log-format <format>', 'stderr log lines').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  trailscope demo                 # then open the printed URL\n  trailscope demo --no-serve --json')
    .action(async (opts: DemoCliOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, got "${opts.port}"`);
      if (opts.json && opts.serve) throw new CliError('--json goes with --no-serve (serving prints the console URL, then logs)');
      const demo = await import('../demo/index.js');
      const scale = {
        ...demo.DEMO_SCALE,
        ...(opts.accounts ? { accounts: opts.accounts } : {}),
        ...(opts.days ? { days: opts.days } : {}),
        ...(opts.eventsPerDay ? { eventsPerDay: opts.eventsPerDay } : {}),
      };
      const db = opts.db ?? DEMO_DB;
      if (opts.db === undefined) for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
      // Loaded with the run: the ingest area brings the AWS SDK, which `demo --help` must not load.
      const { createLogger } = await import('../ingest/index.js');
      const log = createLogger(opts.logFormat);
      const stop = new AbortController();
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(130);
        log.info('demo: stopping');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await withIngestStore({ db }, async (store) => {
          try {
            if (!opts.serve) {
              const summary = await demo.runDemoToCompletion({ store, seed: opts.seed, scale, log, signal: stop.signal, database: db });
              if (opts.json) printJson(summary);
              else printSummary(summary);
              if (!summary.complete && !stop.signal.aborted) throw new CliError('demo: the pipeline did not complete (see the summary above)');
              return;
            }
            await demo.runDemoServing({
              store,
              seed: opts.seed,
              scale,
              host: '127.0.0.1',
              port,
              deliverySeconds: opts.deliverySeconds,
              log,
              signal: stop.signal,
              database: db,
              onReady: (r) => {
                out(`trailscope demo: console  ${r.url}/`);
                out(`trailscope demo: database ${r.database}`);
                out(`trailscope demo: ${r.files} CloudTrail files (${r.events} events) arrive over ${opts.deliverySeconds} s through connector "${r.connector}"; Ctrl-C to stop`);
              },
            });
          } catch (err) {
            if (err instanceof demo.DemoStoreNotEmptyError) throw new CliError(err.message);
            if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: pass --port N (0: any free port)`);
            throw err;
          }
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function printSummary(s: DemoSummary): void {
  out(`organization ${s.organizationId}: ${s.accounts} accounts, ${s.window.start} .. ${s.window.end}`);
  out(`events: ${s.stored.events} stored of ${s.generated.events} generated (${s.generated.logFiles} log files, ${s.generated.digestFiles} digests)`);
  out(`notifications sent: ${Object.entries(s.notifications.sent).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out(`queue received: ${Object.entries(s.notifications.received).map(([k, v]) => `${k} ${v}`).join(', ')}; left on the queue: ${s.queue.ready + s.queue.delayed + s.queue.inFlight}; quarantined: ${s.quarantined}`);
  out(`findings as of ${s.asOf}: ${s.findings.total}`);
  for (const [rule, n] of Object.entries(s.findings.byRule)) out(`  ${String(n).padStart(5)}  ${rule}`);
  out(`database: ${s.database} (explore: trailscope findings --db ${s.database}; trailscope identities --db ${s.database})`);
}
