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
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Rng, cumulative } from './rng.js';
import { getCall } from './catalog.js';
import type { ApiCall } from './catalog.js';
import { buildOrganization } from './org.js';
import type { Organization } from './org.js';
import type { AccountInfo, Actor } from './model.js';
import { buildRecord, SessionCache } from './records.js';
import type { CallError, PlannedEvent } from './records.js';
import { serializeCredentialReport, serializeSnapshot } from './iam-model.js';
import { DAY_MS, USER_AGENTS } from './builder.js';
import type { ExpectedCase } from './builder.js';
import { INACTIVITY_DAYS } from './planted.js';
import { directorySink } from './sink.js';
import type { GenerateSink } from './sink.js';

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

export interface GenerateSummary {
  organizationId: string;
  managementAccountId: string;
  seed: string;
  start: string;
  end: string;
  days: number;
  accounts: { id: string; name: string; parents: string[]; events: number; identities: number }[];
  /** Distinct events written (distinct eventIDs). */
  events: number;
  /** Extra copies of already-written events (same eventID, another file), as CloudTrail sometimes delivers. */
  duplicateRecords: number;
  /** Records in all log files = events + duplicateRecords. */
  records: number;
  plantedEvents: number;
  dataEvents: number;
  errorEvents: number;
  logFiles: number;
  digestFiles: number;
  bytesUncompressed: number;
  bytesCompressed: number;
  identities: number;
  plantedCases: number;
  durationMs: number;
}

const HOUR_MS = 3_600_000;

/** Share of each UTC hour in human activity (working hours heavy). */
const HUMAN_HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 10, 13, 14, 14, 12, 9, 6, 4, 3, 2, 1, 1];
const HUMAN_STYLES = new Set(['user-console', 'user-cli', 'sso', 'root']);

const DENY_PROBES = ['iam:ListRoles', 's3:ListBuckets', 'secretsmanager:ListSecrets', 'kms:ListKeys', 'ec2:DescribeInstances', 'dynamodb:ListTables', 'iam:GetAccountSummary'];
const DENY_CODES: Record<string, string> = {
  'ec2.amazonaws.com': 'Client.UnauthorizedOperation',
  'dynamodb.amazonaws.com': 'AccessDeniedException',
  'kms.amazonaws.com': 'AccessDeniedException',
  'secretsmanager.amazonaws.com': 'AccessDeniedException',
  'lambda.amazonaws.com': 'AccessDeniedException',
};
const OP_ERRORS: Record<string, CallError[]> = {
  's3.amazonaws.com': [{ code: 'NoSuchKey', message: 'The specified key does not exist.' }, { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' }],
  'dynamodb.amazonaws.com': [{ code: 'ConditionalCheckFailedException', message: 'The conditional request failed' }, { code: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.' }],
  'lambda.amazonaws.com': [{ code: 'ResourceConflictException', message: 'The operation cannot be performed at this time. An update is in progress for resource' }],
  'ssm.amazonaws.com': [{ code: 'ParameterNotFound', message: '' }],
  'ec2.amazonaws.com': [{ code: 'Client.RequestLimitExceeded', message: 'Request limit exceeded.' }],
  'secretsmanager.amazonaws.com': [{ code: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }],
  'cloudformation.amazonaws.com': [{ code: 'ValidationError', message: 'Stack with id does not exist' }],
};
const THROTTLE: CallError = { code: 'ThrottlingException', message: 'Rate exceeded' };

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

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function stamp(ms: number, seconds = false): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${seconds ? pad(d.getUTCSeconds()) : ''}Z`;
}

function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A record already serialized, with its event time (for digests). */
interface Rec {
  json: string;
  timeMs: number;
}

interface Window {
  region: string;
  deliveryMs: number;
  records: Rec[];
}

/** CloudTrail splits large deliveries; so do we. */
const MAX_RECORDS_PER_FILE = 1500;

interface DigestEntry {
  s3Object: string;
  hashValue: string;
  oldest: string;
  newest: string;
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

/** Small bounded pool of async writes, so generation streams instead of holding every file. */
class WritePool {
  private inflight = new Set<Promise<void>>();
  private failure: unknown = null;
  constructor(private readonly limit: number) {}
  async add(task: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
    const p: Promise<void> = task()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    if (this.failure) throw this.failure;
  }
}

/**
 * Generates the organization and streams every file to `sink` (or to `opts.out`).
 * Memory stays bounded by one account-day of records plus the in-flight writes.
 */
export async function generateOrganization(opts: GenerateOptions, sink?: GenerateSink): Promise<GenerateSummary> {
  const t0 = performance.now();
  const out = sink ?? (opts.out ? directorySink(opts.out) : null);
  if (!out) throw new Error('generateOrganization needs a sink or opts.out');
  const sinkOut: GenerateSink = out;
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
      eventsByAccount.set(acct.id, await generateAccount(acct));
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

  async function generateAccount(acct: AccountInfo): Promise<number> {
    const rng = Rng.derive(seed, `events:${acct.id}`);
    const sessions = new SessionCache(rng);
    const actors = org.actors.get(acct.id) ?? [];
    const actorCum = cumulative(actors.map((a) => a.weight));
    const callCums = actors.map((a) => cumulative(a.activity.weights));
    const human = actors.map((a) => HUMAN_STYLES.has(a.style));
    const scripted = scriptedByAccount.get(acct.id) ?? [];
    let si = 0;
    const pending = new Map<string, Window>();
    const digestHours = new Map<number, DigestEntry[]>(); // first day, home region
    const home = acct.regions[0]!;
    const prefix = `AWSLogs/${org.id}/${acct.id}`;
    let accountEvents = 0;

    const place = (rec: Rec, region: string, deliveryMs: number): void => {
      const w = Math.ceil(deliveryMs / windowMs) * windowMs;
      const key = `${region}|${w}`;
      let win = pending.get(key);
      if (!win) pending.set(key, (win = { region, deliveryMs: w, records: [] }));
      win.records.push(rec);
    };
    /** Adds the record to the file of its delivery window; returns the delivery time. */
    const deliver = (ev: PlannedEvent): number => {
      const json = JSON.stringify(buildRecord(ev, rng, sessions));
      if (ev.call.data) summary.dataEvents++;
      if (ev.error) summary.errorEvents++;
      const delay = rng.chance(0.002) ? rng.int(30, 150) * 60_000 : rng.int(45, 540) * 1000;
      place({ json, timeMs: ev.timeMs }, ev.region, ev.timeMs + delay);
      return ev.timeMs + delay;
    };
    /** Writes every window delivered at or before `untilMs` (no later event can still join it). */
    const flush = async (untilMs: number): Promise<void> => {
      const ready: Window[] = [];
      for (const w of pending.values()) if (w.deliveryMs <= untilMs) ready.push(w);
      if (!ready.length) return;
      ready.sort((a, b) => a.deliveryMs - b.deliveryMs || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
      for (const w of ready) {
        pending.delete(`${w.region}|${w.deliveryMs}`);
        rng.shuffle(w.records);
        for (let i = 0; i < w.records.length; i += MAX_RECORDS_PER_FILE) {
          const part = w.records.slice(i, i + MAX_RECORDS_PER_FILE);
          const name = `${acct.id}_CloudTrail_${w.region}_${stamp(w.deliveryMs)}_${rng.alnum(16)}.json.gz`;
          const path = `${prefix}/CloudTrail/${w.region}/${datePath(w.deliveryMs)}/${name}`;
          let text = '{"Records":[';
          for (let j = 0; j < part.length; j++) text += (j ? ',' : '') + part[j]!.json;
          text += ']}';
          summary.logFiles++;
          summary.bytesUncompressed += text.length;
          if (w.region === home && w.deliveryMs - startMs < DAY_MS) {
            let oldest = part[0]!.timeMs;
            let newest = oldest;
            for (const r of part) {
              if (r.timeMs < oldest) oldest = r.timeMs;
              if (r.timeMs > newest) newest = r.timeMs;
            }
            const hour = Math.floor((w.deliveryMs - startMs) / HOUR_MS);
            let list = digestHours.get(hour);
            if (!list) digestHours.set(hour, (list = []));
            list.push({ s3Object: path, hashValue: createHash('sha256').update(text).digest('hex'), oldest: iso(oldest), newest: iso(newest) });
          }
          // Synchronous gzip: for many small files it costs a fraction of the thread-pool round trip.
          const gz = gzipSync(text, { level: gzipLevel });
          summary.bytesCompressed += gz.length;
          await pool.add(() => sinkOut.write(path, gz));
        }
      }
    };

    for (let d = 0; d < days; d++) {
      const dayStart = startMs + d * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      sessions.clear();
      const n = actors.length ? eventsPerDay : 0;
      // Plan the day: who acts when. Every background actor acts at least every third day.
      const who = new Int32Array(n);
      const when = new Float64Array(n);
      let c = 0;
      for (let i = 0; i < actors.length && c < n; i++) if ((i + d) % 3 === 0) who[c++] = i;
      for (let i = c; i < n; i++) who[i] = rng.pickCumulative(actorCum);
      for (let i = 0; i < n; i++) {
        const hour = human[who[i]!] ? weightedHour(rng) : rng.int(0, 23);
        when[i] = dayStart + hour * HOUR_MS + rng.int(0, 3599) * 1000;
      }
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => when[a]! - when[b]!);
      // CloudTrail occasionally delivers an event twice: the same record again in a later file.
      const dup = n > 0 ? rng.int(0, n - 1) : -1;
      let lastFlush = dayStart;
      for (const i of order) {
        const timeMs = when[i]!;
        while (si < scripted.length && scripted[si]!.timeMs <= timeMs) {
          deliver(scripted[si++]!);
          summary.plantedEvents++;
          accountEvents++;
        }
        const ai = who[i]!;
        const ev = backgroundEvent(rng, actors[ai]!, callCums[ai]!, timeMs);
        const deliveredMs = deliver(ev);
        if (i === dup) {
          const win = pending.get(`${ev.region}|${Math.ceil(deliveredMs / windowMs) * windowMs}`)!;
          place(win.records[win.records.length - 1]!, ev.region, deliveredMs + windowMs);
          summary.duplicateRecords++;
        }
        if (timeMs - lastFlush >= windowMs) {
          await flush(timeMs);
          lastFlush = timeMs;
        }
      }
      accountEvents += n;
      while (si < scripted.length && scripted[si]!.timeMs < dayEnd) {
        deliver(scripted[si++]!);
        summary.plantedEvents++;
        accountEvents++;
      }
      await flush(dayEnd);
    }
    await flush(Number.POSITIVE_INFINITY);
    summary.events += accountEvents;

    // Hourly digests for the first day in the home region (importers must skip them).
    let previous: { object: string; hash: string; signature: string } | null = null;
    for (let h = 0; h < Math.min(24, days * 24); h++) {
      const dStart = startMs + h * HOUR_MS;
      const dEnd = dStart + HOUR_MS;
      const files = digestHours.get(h) ?? [];
      const object = `${prefix}/CloudTrail-Digest/${home}/${datePath(dEnd)}/${acct.id}_CloudTrail-Digest_${home}_${acct.res.trailName}_${home}_${stamp(dEnd, true)}.json.gz`;
      const times = files.flatMap((f) => [f.oldest, f.newest]).sort();
      const digest: Record<string, unknown> = {
        awsAccountId: acct.id,
        digestStartTime: iso(dStart),
        digestEndTime: iso(dEnd),
        digestS3Bucket: bucketName,
        digestS3Object: object,
        digestPublicKeyFingerprint: rng.hex(32),
        digestSignatureAlgorithm: 'SHA256withRSA',
        newestEventTime: times.length ? times[times.length - 1] : null,
        oldestEventTime: times.length ? times[0] : null,
        previousDigestS3Bucket: previous ? bucketName : null,
        previousDigestS3Object: previous?.object ?? null,
        previousDigestHashValue: previous?.hash ?? null,
        previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
        previousDigestSignature: previous?.signature ?? null,
        logFiles: files.map((f) => ({ s3Bucket: bucketName, s3Object: f.s3Object, hashValue: f.hashValue, hashAlgorithm: 'SHA-256', newestEventTime: f.newest, oldestEventTime: f.oldest })),
      };
      const text: string = JSON.stringify(digest);
      previous = { object, hash: createHash('sha256').update(text).digest('hex'), signature: rng.hex(512) };
      summary.digestFiles++;
      const gz = gzipSync(text, { level: gzipLevel });
      await pool.add(() => sinkOut.write(object, gz));
    }
    return accountEvents;
  }
}

const HOUR_CUM = cumulative(HUMAN_HOURS);
function weightedHour(rng: Rng): number {
  return rng.pickCumulative(HOUR_CUM);
}

function backgroundEvent(rng: Rng, actor: Actor, callCum: Float64Array, timeMs: number): PlannedEvent {
  let call: ApiCall = actor.activity.calls[rng.pickCumulative(callCum)]!;
  const account = actor.account;
  let error: CallError | undefined;
  let userAgent: string | undefined;
  if (rng.chance(0.03)) {
    if (actor.deniable && rng.chance(0.6)) {
      const granted = new Set(actor.activity.calls.map((c) => c.action));
      const probes = DENY_PROBES.filter((k) => !granted.has(getCall(k).action));
      if (probes.length) {
        call = getCall(rng.pick(probes));
        const who = actor.style === 'user-cli' ? actor.arn : `arn:aws:sts::${account.id}:assumed-role/${actor.name}/${actor.sessionNames[0]}`;
        const code = DENY_CODES[call.eventSource] ?? 'AccessDenied';
        const base = `User: ${who} is not authorized to perform: ${call.action} because no identity-based policy allows the ${call.action} action`;
        error = { code, message: code === 'Client.UnauthorizedOperation' ? `You are not authorized to perform this operation. ${base}` : base };
        if (rng.chance(0.03)) userAgent = rng.pick(USER_AGENTS.hostile);
      }
    } else {
      error = rng.pick(OP_ERRORS[call.eventSource] ?? [THROTTLE]);
    }
  }
  const region = call.global ? 'us-east-1' : (actor.homeRegion ?? rng.weighted(account.regions, account.regionWeights));
  return { timeMs, actor, call, region, error, userAgent, args: actor.argsFor?.(rng) };
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
