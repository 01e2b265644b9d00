/**
 * Runs the doctor's checks against one connector, one after the other (CloudTrail's read APIs
 * are rate-limited and the checks share facts), and never throws for what AWS answers: a denied
 * diagnostic call is a `warn` naming the missing read-only permission, any other error of a
 * check is a `warn` saying the check could not run.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { createClients, connectionOf, credentialsFor } from '../aws/index.js';
import type { AwsClients, ConnectorConfig } from '../aws/index.js';
import { ALL_CHECKS } from './checks/index.js';
import { DoctorContext, DEFAULT_THRESHOLDS } from './context.js';
import type { DoctorClients, DoctorStore, DoctorThresholds } from './context.js';
import { MissingPermission, diagnosticsStatement, errorMessage, errorName } from './aws-errors.js';
import type { CheckOutcome, CheckResult, DoctorCheck, DoctorRun } from './types.js';

export interface DoctorOptions {
  /** AWS clients to use; by default made from the connector (and destroyed afterwards). */
  clients?: DoctorClients;
  /** Enables account-files-recent. */
  store?: DoctorStore;
  now?: () => Date;
  thresholds?: Partial<DoctorThresholds>;
  /** The checks to run (default ALL_CHECKS). */
  checks?: readonly DoctorCheck[];
}

async function runOne(check: DoctorCheck, ctx: DoctorContext): Promise<CheckOutcome> {
  const skip = check.skipWhen?.(ctx);
  if (skip) return { status: 'skip', found: skip };
  try {
    return await check.run(ctx);
  } catch (err) {
    if (err instanceof MissingPermission) {
      return {
        status: 'warn',
        found: `could not check: ${err.action} was denied${err.resource ? ` on ${err.resource}` : ''} (a read-only permission of the optional diagnostics policy)`,
        fix: `add to the reader role's policy: ${diagnosticsStatement(err.action)}`,
        details: { missingPermission: err.action },
      };
    }
    return { status: 'warn', found: `could not check: ${errorName(err)}: ${errorMessage(err)}`, details: { error: errorName(err) } };
  }
}

/** The connector's clients, plus STS with the credentials before AssumeRole (for external-id-required). */
function ownClients(connector: ConnectorConfig): AwsClients & DoctorClients {
  const conn = connectionOf(connector);
  const clients = createClients(conn);
  if (!conn.roleArn) return clients;
  const base = credentialsFor({ ...conn, roleArn: undefined, externalId: undefined });
  return Object.assign(clients, { baseSts: new STSClient({ ...(conn.region ? { region: conn.region } : {}), credentials: base, userAgentAppId: 'trailscope' }) });
}

export async function runDoctor(connector: ConnectorConfig, opts: DoctorOptions = {}): Promise<DoctorRun> {
  const now = opts.now ?? (() => new Date());
  const owned = opts.clients ? undefined : ownClients(connector);
  const clients = opts.clients ?? owned!;
  const ctx = new DoctorContext(connector, clients, opts.store, now, { ...DEFAULT_THRESHOLDS, ...opts.thresholds });
  const startedAt = now().toISOString();
  const results: CheckResult[] = [];
  let blockedBy: string | undefined;
  try {
    for (const check of opts.checks ?? ALL_CHECKS) {
      const meta = { id: check.id, title: check.title, why: check.why };
      if (blockedBy) {
        results.push({ ...meta, status: 'skip', found: `not run: ${blockedBy} failed` });
        continue;
      }
      const outcome = await runOne(check, ctx);
      results.push({ ...meta, ...outcome });
      if (check.required && outcome.status === 'fail') blockedBy = check.id;
    }
  } finally {
    owned?.destroy();
    owned?.baseSts?.destroy();
  }
  return { connector: connector.name, startedAt, finishedAt: now().toISOString(), results };
}

/** The process exit code for a run: 1 when any check failed, else 0 (warnings do not fail). */
export function doctorExitCode(run: Pick<DoctorRun, 'results'>): number {
  return run.results.some((r) => r.status === 'fail') ? 1 : 0;
}
