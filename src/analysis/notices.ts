/**
 * First-run and partial-data notices: what an analysis run is missing and the exact command that
 * brings it in. Returned by the analysis layer (not printed) so the CLI (on stderr) and a future
 * HTTP API show the same thing; the result itself stays valid (empty list, `[]`).
 *
 * Reads only cheap summaries (IAM inventory, event stats), never documents or events.
 */
import type { EventStats, IamInventoryRow, Store } from '../store/index.js';

export type NoticeKind =
  | 'no-iam-snapshot'
  | 'no-iam-snapshot-at'
  | 'no-events'
  | 'no-events-in-window'
  | 'no-credential-report'
  | 'unknown-account'
  /** An account whose CloudTrail coverage of the window is too short to judge activity. */
  | 'coverage'
  /** IAM changes after an account's snapshot that could not be applied exactly (src/iam/replay). */
  | 'configuration-uncertain';

/** JSON shape (stable): what is missing, what it means for the result, and how to bring it in. */
export interface AnalysisNotice {
  kind: NoticeKind;
  /** The account it is about, when it is about one. */
  accountId?: string;
  message: string;
  /** Exact commands, any one of which brings the data in (placeholders in <angle brackets>). */
  commands: string[];
}

/** The rules that judge an absence of activity, so need enough CloudTrail coverage (named in the coverage notices). */
export const ACTIVITY_RULES = 'inactive-identity, overprovisioned-identity, unused-access-key, unused-console-password';

const IMPORT_IAM = [
  'aws iam get-account-authorization-details > auth.json && trailscope iam import auth.json',
  'trailscope iam sync',
];
const IMPORT_EVENTS = ['trailscope import <dir-of-CloudTrail-files>', 'trailscope ingest --queue-url <url>', 'trailscope backfill --bucket <trail-bucket>'];
const IMPORT_REPORT = [
  'aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d > report.csv && trailscope iam import report.csv',
];

export interface NoticeInput {
  /** ISO "now" of the run: snapshots taken later were not in force. */
  asOf: string;
  /** ISO start of the window; absent for checks that are not about a window (status). */
  windowStart?: string;
  /** The --account asked for (the principal's account). */
  accountId?: string;
  inventory: readonly IamInventoryRow[];
  events: Pick<EventStats, 'oldestEventTime' | 'newestEventTime'>;
  /** Accounts seen in events (as principal or recipient) or ingest counters. */
  eventAccounts: ReadonlySet<string>;
}

const list = (ids: readonly string[], max = 5) => ids.slice(0, max).join(', ') + (ids.length > max ? `, … (${ids.length} accounts)` : '');

/** The notices for one run, most fundamental first. Pure. */
export function missingData(input: NoticeInput): AnalysisNotice[] {
  const out: AnalysisNotice[] = [];
  const at = Date.parse(input.asOf);
  const of = (kind: string) => input.inventory.filter((r) => r.kind === kind);
  const inForce = (r: IamInventoryRow) => Date.parse(r.firstTakenAt) <= at;
  const mine = (r: IamInventoryRow) => !input.accountId || r.accountId === input.accountId;

  const known = new Set([...input.inventory.map((r) => r.accountId), ...input.eventAccounts]);
  if (input.accountId && !known.has(input.accountId)) {
    const ids = [...known].sort();
    out.push({
      kind: 'unknown-account',
      message: `account ${input.accountId} is in no IAM snapshot and no stored event: ${ids.length ? `known accounts are ${list(ids, 20)}` : 'the store knows no account yet'}`,
      // with nothing known, the notices below already give the import commands
      commands: ids.length ? [`--account <one of the known accounts>`, ...IMPORT_IAM] : [],
    });
  }

  const auth = of('authorization-details');
  if (auth.length === 0) {
    out.push({
      kind: 'no-iam-snapshot',
      message: 'no IAM snapshot imported: granted, unused and admin permissions are unknown and the IAM rules and paths find nothing',
      commands: IMPORT_IAM,
    });
  } else if (!auth.some(inForce)) {
    const first = auth.map((r) => r.firstTakenAt).sort()[0]!;
    out.push({
      kind: 'no-iam-snapshot-at',
      message: `no IAM snapshot was in force at ${input.asOf}: the earliest was taken at ${first}`,
      commands: [`--as-of ${first} (or later)`, 'trailscope iam import auth.json --taken-at <when it was exported>'],
    });
  } else if (input.accountId && known.has(input.accountId) && !auth.some((r) => mine(r) && inForce(r))) {
    out.push({
      kind: 'no-iam-snapshot-at',
      message: `no IAM snapshot of account ${input.accountId} was in force at ${input.asOf}: its identities come from events only`,
      commands: IMPORT_IAM,
    });
  }

  if (input.events.oldestEventTime === null) {
    out.push({
      kind: 'no-events',
      message: 'no CloudTrail events stored: usage and activity are unknown, so unused-permission and inactivity results mean nothing yet',
      commands: IMPORT_EVENTS,
    });
  } else if (input.windowStart !== undefined) {
    const newest = input.events.newestEventTime;
    const oldest = input.events.oldestEventTime;
    if ((newest !== null && Date.parse(newest) < Date.parse(input.windowStart)) || (oldest !== null && Date.parse(oldest) >= at)) {
      out.push({
        kind: 'no-events-in-window',
        message: `no stored event falls in the window ${input.windowStart} .. ${input.asOf} (stored events span ${oldest} .. ${newest})`,
        commands: [`--as-of ${newest} (or a time in the stored span)`, ...IMPORT_EVENTS],
      });
    }
  }

  const reports = new Set(of('credential-report').filter(inForce).map((r) => r.accountId));
  const withoutReport = [...new Set(auth.filter((r) => mine(r) && inForce(r)).map((r) => r.accountId))].filter((a) => !reports.has(a)).sort();
  if (withoutReport.length > 0) {
    out.push({
      kind: 'no-credential-report',
      message: `no credential report for ${withoutReport.length === 1 ? 'account' : 'accounts'} ${list(withoutReport)}: unused access keys and passwords and the root user cannot be judged`,
      commands: IMPORT_REPORT,
    });
  }
  return out;
}

/** Gathers the summaries missingData needs from the store (cheap queries only). */
export async function checkMissing(store: Store, opts: { asOf: string; windowStart?: string; accountId?: string }): Promise<AnalysisNotice[]> {
  // the stored span, not stats(): counting every event costs what the events do
  const [inventory, events, counters] = await Promise.all([store.iam.inventory(), store.events.timeSpan(), store.ingest.counters()]);
  const eventAccounts = new Set(counters.map((c) => c.accountId));
  const a = opts.accountId;
  if (a && !eventAccounts.has(a) && !inventory.some((r) => r.accountId === a)) {
    // only asked when the cheap sources do not know it: a lookup of one account in the events
    const asPrincipal = await store.events.principals({ principalAccountId: a });
    const asRecipient = asPrincipal.length ? [] : await store.events.query({ recipientAccountId: a, limit: 1, columnsOnly: true });
    if (asPrincipal.length || asRecipient.length) eventAccounts.add(a);
  }
  return missingData({ ...opts, inventory, events, eventAccounts });
}

/** Notices as stderr lines; `db` (the --db given) is added to every trailscope command. */
/** One notice per account whose replayed configuration is uncertain for some identities. */
export function uncertainConfigurationNotices(uncertain: ReadonlyMap<string, { accountId: string; reason: string }[]>): AnalysisNotice[] {
  return [...uncertain].map(([accountId, list]) => ({
    kind: 'configuration-uncertain' as const,
    accountId,
    message:
      `account ${accountId}: IAM changes after the snapshot could not all be applied exactly; the permissions of ${list.length} identit${list.length === 1 ? 'y are' : 'ies are'} uncertain ` +
      `(${list[0]!.reason}${list.length > 1 ? ', …' : ''}); a new snapshot settles it`,
    commands: IMPORT_IAM,
  }));
}

export function formatNotices(notices: readonly AnalysisNotice[], db?: string): string[] {
  const withDb = (c: string) => (db ? c.replace(/(trailscope [a-z]+(?: import| sync)?)(?= |$)/g, `$1 --db ${quoteArg(db)}`) : c);
  const lines: string[] = [];
  const uncovered = notices.filter((n) => n.kind === 'coverage');
  const folded = uncovered.length > MAX_COVERAGE_LINES;
  if (folded) lines.push(foldedCoverageLine(uncovered, withDb));
  for (const n of notices) {
    if (n.kind === 'coverage') {
      if (folded) continue;
      // One line per account: why its activity is not judged, and what brings its logs in.
      lines.push(`trailscope: ${n.message}; bring its logs in: ${n.commands.map(withDb).join(', or ')}`);
      continue;
    }
    lines.push(`trailscope: ${n.message}`);
    for (const c of n.commands) lines.push(`  ${c.startsWith('--') ? 'use' : 'run'}: ${withDb(c)}`);
  }
  return lines;
}

/** Above this many accounts without enough coverage, one line names them all (organizations see dozens). */
const MAX_COVERAGE_LINES = 3;
const NAMED_ACCOUNTS = 5;

function foldedCoverageLine(uncovered: readonly AnalysisNotice[], withDb: (c: string) => string): string {
  const accounts = uncovered.map((n) => n.accountId ?? '?');
  const named = accounts.slice(0, NAMED_ACCOUNTS).join(', ') + (accounts.length > NAMED_ACCOUNTS ? ` and ${accounts.length - NAMED_ACCOUNTS} more` : '');
  const first = uncovered[0]!;
  // the per-account commands with the account left as a placeholder
  const commands = first.commands.map((c) => withDb(first.accountId ? c.replace(first.accountId, '<account>') : c));
  return (
    `trailscope: ${accounts.length} accounts: activity not judged (${ACTIVITY_RULES}): ` +
    `too little CloudTrail coverage of the window in ${named}; ${withDb('trailscope coverage')} shows each account's spans; bring their logs in: ${commands.join(', or ')}`
  );
}

function quoteArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
