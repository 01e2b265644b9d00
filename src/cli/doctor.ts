/** `trailscope doctor`: validate and troubleshoot each connector's ingestion, and store the run. */
import type { Command } from 'commander';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { READ_ONLY } from './analysis-options.js';
import { ConnectorError, getConnector, listConnectors, type Connector } from '../connectors/index.js';
import { doctorExitCode, formatDoctorRun, type DoctorRun } from '../doctor/index.js';
import { doctorConnector } from '../app/index.js';

export function registerDoctor(program: Command): void {
  addDbOption(
    program
      .command('doctor')
      .description("Check that each connector's trail, bucket, queue, role and keys let ingestion work; each check passes, warns or fails with the fix")
      .option('--connector <name>', 'only this connector (default: every enabled one)')
      .option('--json', 'a JSON array of runs: {connector, startedAt, finishedAt, results: [{id, title, why, status, found, fix?, details?}]}'),
  )
    .addHelpText('after', '\nExit codes: 0 no check failed (warnings allowed), 1 a check failed.\nChecks and fixes: README "Doctor checks".')
    .action(async (opts: { db?: string; connector?: string; json?: boolean }) => {
      await withStore(opts, async (store) => {
        let connectors: Connector[];
        try {
          connectors = opts.connector ? [await getConnector(store, opts.connector)] : (await listConnectors(store)).filter((c) => c.enabled);
        } catch (err) {
          if (err instanceof ConnectorError) throw new CliError(err.message);
          throw err;
        }
        if (connectors.length === 0) throw new CliError('no enabled connector to check: add one with trailscope connector add --name N --bucket B --queue-url U');
        const runs: DoctorRun[] = [];
        for (const c of connectors) {
          const run = await doctorConnector(store, c);
          runs.push(run);
          if (!opts.json) process.stdout.write(formatDoctorRun(run));
        }
        if (opts.json) printJson(runs);
        process.exitCode = Math.max(0, ...runs.map(doctorExitCode));
      }, READ_ONLY);
    });
}
