/**
 * `generateOrganization`: a realistic synthetic AWS organization for demos, tests and benchmarks.
 *
 * Output layout (relative to the output root):
 *   AWSLogs/<o-orgid>/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz
 *   AWSLogs/<o-orgid>/<account>/CloudTrail-Digest/us-east-1/YYYY/MM/DD/<account>_CloudTrail-Digest_us-east-1_org-trail_us-east-1_<YYYYMMDDTHHmmssZ>.json.gz
 *   iam/<account>.authorization-details.json    (get-account-authorization-details; account #2 URL-encoded)
 *   iam/<account>.credential-report.csv
 *   organizations/scps.json
 *   expected.json                                (planted cases and what trailscope should conclude)
 *
 * The same options and seed always give byte-identical files: nothing reads the clock, and the
 * default window ends at DEFAULT_END.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Rng } from './rng.js';
import { buildOrganization } from './org.js';
import type { Organization } from './org.js';
import type { PlannedEvent } from './records.js';
import { serializeCredentialReport, serializeSnapshot } from './iam-model.js';
import { DAY_MS } from './builder.js';
import type { ExpectedCase } from './builder.js';
import { INACTIVITY_DAYS } from './planted.js';
import { directorySink } from './sink.js';
import type { GenerateSink } from './sink.js';
import { iso, streamAccount, WritePool } from './stream.js';
import type { StreamContext, StreamCounters } from './stream.js';

export type { GenerateSink } from './sink.js';
export { directorySink, memorySink } from './sink.js';
export type { ExpectedCase, CaseCategory } from './builder.js';
export { INACTIVITY_DAYS } from './planted.js';

/** The default window ends here (exclusive) when --start is not given. */
export const DEFAULT_END = '2026-06-01T00:00:00Z';

export const DEFAULTS = {
  accounts: 3,
  days: 30,
  eventsPerDay: 2000,
  identitiesPerAccount: 40,
  seed: 'trailscope',
  deliveryMinutes: 5,
  gzipLevel: 6,
} as const;

export interface GenerateOptions {
  /** Output directory; used when no sink is given. */
  out?: string;
  accounts?: number;
  days?: number;
  /** Background events per account per day (planted events come on top). */
  eventsPerDay?: number;
  /** Background identities per account (people, CI users, workload roles...). */
  identitiesPerAccount?: number;
  seed?: string | number;
  /** Window start (ISO). Default: DEFAULT_END minus `days`. The window is [start, start + days). */
  start?: string;
  /** CloudTrail delivers a file per region about every 5 minutes. */
  deliveryMinutes?: number;
  /** gzip level of log files (1 = fastest). */
  gzipLevel?: number;
  /** Parallel file writes in flight. */
  concurrency?: number;
  /**
   * Worker threads generating accounts in parallel (only when writing to `out`, not to a custom
   * sink). Default: min(available CPUs, accounts, 8). Output is identical for any value.
   */
  workers?: number;
  /** Internal (workers): generate only these account indices' trail files, skip shared files. */
  onlyAccounts?: number[];
}

/** events: distinct eventIDs written; duplicateRecords: extra copies of already-written events (same eventID, another file), as CloudTrail sometimes delivers. */
export interface GenerateSummary extends StreamCounters {
  organizationId: string;
  managementAccountId: string;
  seed: string;
  start: string;
  end: string;
  days: number;
  accounts: { id: string; name: string; parents: string[]; events: number; identities: number }[];
  /** Records in all log files = events + duplicateRecords. */
  records: number;
  identities: number;
  plantedCases: number;
  durationMs: number;
}

/** Runs one worker (worker.ts) over some accounts; resolves with its partial summary. */
function runWorker(opts: GenerateOptions): Promise<GenerateSummary> {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
  return new Promise((resolve, reject) => {
    // Run from TypeScript sources (tests, bench via tsx), the worker must register tsx itself.
    const w = fromSource
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData: opts })
      : new Worker(url, { workerData: opts });
    let result: GenerateSummary | null = null;
    w.once('message', (m: GenerateSummary) => (result = m));
    w.once('error', reject);
    w.once('exit', (code) => (result ? resolve(result) : reject(new Error(`generate worker exited with code ${code}`))));
  });
}

function resolveWindow(opts: GenerateOptions): { startMs: number; endMs: number; days: number } {
  const days = opts.days ?? DEFAULTS.days;
  if (!Number.isInteger(days) || days <= 0) throw new Error(`days must be a positive integer, got ${days}`);
  let startMs: number;
  if (opts.start !== undefined) {
    startMs = Date.parse(opts.start);
    if (Number.isNaN(startMs)) throw new Error(`not an ISO time: "${opts.start}"`);
  } else {
    startMs = Date.parse(DEFAULT_END) - days * DAY_MS;
  }
  startMs = Math.floor(startMs / 1000) * 1000;
  return { startMs, endMs: startMs + days * DAY_MS, days };
}

/**
 * Generates the organization and streams every file to `sink` (or to `opts.out`).
 * Memory stays bounded by one account-day of records plus the in-flight writes.
 */
export async function generateOrganization(opts: GenerateOptions, sink?: GenerateSink): Promise<GenerateSummary> {
  const t0 = performance.now();
  const out = sink ?? (opts.out ? directorySink(opts.out) : null);
  if (!out) throw new Error('generateOrganization needs a sink or opts.out');
  const accountsN = opts.accounts ?? DEFAULTS.accounts;
  const eventsPerDay = opts.eventsPerDay ?? DEFAULTS.eventsPerDay;
  const identitiesPerAccount = opts.identitiesPerAccount ?? DEFAULTS.identitiesPerAccount;
  const deliveryMinutes = opts.deliveryMinutes ?? DEFAULTS.deliveryMinutes;
  const gzipLevel = opts.gzipLevel ?? DEFAULTS.gzipLevel;
  for (const [name, v] of Object.entries({ accounts: accountsN, identitiesPerAccount, deliveryMinutes })) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(eventsPerDay) || eventsPerDay < 0) throw new Error(`eventsPerDay must be a non-negative integer, got ${eventsPerDay}`);
  if (!Number.isInteger(gzipLevel) || gzipLevel < 0 || gzipLevel > 9) throw new Error(`gzipLevel must be 0-9, got ${gzipLevel}`);
  const seed = String(opts.seed ?? DEFAULTS.seed);
  const { startMs, endMs, days } = resolveWindow(opts);
  const org = buildOrganization({ seed, accounts: accountsN, identitiesPerAccount, startMs, endMs });
  const pool = new WritePool(opts.concurrency ?? 32);
  const windowMs = deliveryMinutes * 60_000;
  const bucketName = `acme-org-cloudtrail-${Rng.derive(seed, 'bucket').lowerAlnum(8)}`;

  const workers = sink || opts.onlyAccounts ? 1 : Math.max(1, Math.min(opts.workers ?? availableParallelism(), accountsN, 8));
  const summary: GenerateSummary = {
    organizationId: org.id,
    managementAccountId: org.managementAccountId,
    seed,
    start: iso(startMs),
    end: iso(endMs),
    days,
    accounts: [],
    events: 0,
    duplicateRecords: 0,
    records: 0,
    plantedEvents: 0,
    dataEvents: 0,
    errorEvents: 0,
    logFiles: 0,
    digestFiles: 0,
    bytesUncompressed: 0,
    bytesCompressed: 0,
    identities: 0,
    plantedCases: org.cases.length,
    durationMs: 0,
  };

  // Planted events grouped by the account whose trail receives them.
  const scriptedByAccount = new Map<string, PlannedEvent[]>();
  for (const ev of org.scripted) {
    if (ev.timeMs < startMs || ev.timeMs >= endMs) continue;
    const id = ev.recipientAccountId ?? ev.actor.account.id;
    let list = scriptedByAccount.get(id);
    if (!list) scriptedByAccount.set(id, (list = []));
    list.push(ev);
  }

  const stream: StreamContext = { seed, org, startMs, days, eventsPerDay, windowMs, gzipLevel, bucketName, pool, sink: out, summary };
  const eventsByAccount = new Map<string, number>();
  if (workers > 1 && opts.out) {
    // Accounts are independent (each has its own random stream), so workers give identical files.
    const parts = await Promise.all(
      Array.from({ length: workers }, (_, w) => runWorker({ ...opts, workers: 1, onlyAccounts: org.accounts.map((a) => a.index).filter((i) => i % workers === w) })),
    );
    for (const p of parts) {
      for (const k of ['events', 'duplicateRecords', 'plantedEvents', 'dataEvents', 'errorEvents', 'logFiles', 'digestFiles', 'bytesUncompressed', 'bytesCompressed'] as const) summary[k] += p[k];
      for (const a of p.accounts) eventsByAccount.set(a.id, a.events);
    }
  } else {
    for (const acct of org.accounts) {
      if (opts.onlyAccounts && !opts.onlyAccounts.includes(acct.index)) continue;
      eventsByAccount.set(acct.id, await streamAccount(stream, acct, scriptedByAccount.get(acct.id) ?? []));
    }
  }
  for (const acct of org.accounts) {
    const events = eventsByAccount.get(acct.id);
    if (events === undefined) continue;
    const iam = org.iam.get(acct.id)!;
    const identities = iam.users.length + iam.roles.length;
    summary.identities += identities;
    summary.accounts.push({ id: acct.id, name: acct.name, parents: acct.parents, events, identities });
  }
  if (opts.onlyAccounts) {
    await pool.drain();
    return summary;
  }

  // IAM snapshots, credential reports, SCPs.
  for (const acct of org.accounts) {
    const iam = org.iam.get(acct.id)!;
    await pool.add(() => out.write(`iam/${acct.id}.authorization-details.json`, JSON.stringify(serializeSnapshot(iam), null, 2) + '\n'));
    await pool.add(() => out.write(`iam/${acct.id}.credential-report.csv`, serializeCredentialReport(iam)));
  }
  await pool.add(() => out.write('organizations/scps.json', JSON.stringify(scpExport(org), null, 2) + '\n'));
  summary.records = summary.events + summary.duplicateRecords;
  await pool.add(() => out.write('expected.json', JSON.stringify(expectedDoc(org, summary, opts), null, 2) + '\n'));
  await pool.drain();
  await out.close?.();
  summary.durationMs = Math.round(performance.now() - t0);
  return summary;
}

/** organizations/scps.json: SCPs with their targets, the OU tree and each account's parents. */
export function scpExport(org: Organization): Record<string, unknown> {
  return {
    organizationId: org.id,
    managementAccountId: org.managementAccountId,
    rootId: org.rootId,
    note: 'SCPs do not apply to the management account. parents lists the account\'s OU chain innermost first, ending at the root.',
    policies: org.scps.map((p) => ({ id: p.id, arn: p.arn, name: p.name, description: p.description, awsManaged: p.awsManaged, document: p.document, targets: p.targets })),
    organizationalUnits: org.ous,
    accounts: org.accounts.map((a) => ({ id: a.id, name: a.name, parents: a.parents })),
  };
}

function expectedDoc(org: Organization, summary: GenerateSummary, opts: GenerateOptions): Record<string, unknown> {
  const cases: ExpectedCase[] = org.cases;
  return {
    generator: {
      seed: summary.seed,
      accounts: org.accounts.length,
      days: summary.days,
      eventsPerDay: opts.eventsPerDay ?? DEFAULTS.eventsPerDay,
      identitiesPerAccount: opts.identitiesPerAccount ?? DEFAULTS.identitiesPerAccount,
    },
    window: { start: summary.start, end: summary.end },
    evaluatedAt: summary.end,
    inactivityDays: INACTIVITY_DAYS,
    organizationId: org.id,
    managementAccountId: org.managementAccountId,
    externalAccountId: org.externalAccountId,
    counts: { events: summary.events, duplicateRecords: summary.duplicateRecords, records: summary.records, plantedEvents: summary.plantedEvents },
    note: 'Planted cases only: background identities may produce further (realistic) findings. Status vocabulary for inactivity: active | inactive | not-judged.',
    cases,
  };
}
