/**
 * Identities: the IAM model joined with effective permissions and observed usage in the
 * window [asOf - windowDays, asOf). Events after asOf are never looked at, so a run is
 * reproducible.
 *
 * Identities that act in CloudTrail but are absent from every imported snapshot (no snapshot
 * for that account yet, deleted since, root) are still listed, with what the events tell:
 * type and name from the ARN, activity and used actions; their createdAt, granted/unused/
 * unknown counts and isAdmin are null (unknown), and rules that need the IAM model skip them.
 */
import type {
  AccountSnapshot,
  EffectivePermissions,
  IamRole,
  IamUser,
  PermissionEvaluator,
} from '../iam/index.js';
import {
  accountOfArn,
  classifyGranted,
  dataEventServicesByAccount,
  usedActions,
  type GrantedClassification,
  type PrincipalUsage,
} from './usage.js';
import type { VisibilityFn } from './visibility.js';
import type { AccountCoverage, Span } from './coverage.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_WINDOW_DAYS = 90;

export type PrincipalType = 'user' | 'role' | 'root';

/** The public JSON shape of `trailscope identities --json` (one per identity). */
export interface IdentitySummary {
  arn: string;
  accountId: string;
  type: PrincipalType;
  name: string;
  /** ISO creation time; null when unknown (not in a snapshot). */
  createdAt: string | null;
  /** Latest successful call at or before asOf (failed calls are not activity); null when none seen. */
  lastActivity: string | null;
  /** Actions used successfully in the window, IAM spelling, sorted. */
  usedActions: string[];
  /** Null when the identity is not in any snapshot (permissions unknown). */
  grantedActionCount: number | null;
  unusedActionCount: number | null;
  unknownActionCount: number | null;
  isAdmin: boolean | null;
  /** Whether the identity was found in an imported IAM snapshot. */
  inSnapshot: boolean;
  /** For Identity Center (AWSReservedSSO_*) roles: the people seen using it in the window. */
  people?: string[];
  /**
   * "unknown" when CloudTrail covered less than the minimum span of the window in the account:
   * no absence of activity is judged then, and unusedActionCount is null.
   */
  activity: 'known' | 'unknown';
  /** The account's CloudTrail coverage of the window; null when coverage was not loaded. */
  coverage: { coveredDays: number; spans: Span[] } | null;
  /**
   * Present when IAM change events after the snapshot were applied to this identity's
   * configuration: their eventIDs, and whether some could not be applied exactly.
   */
  configuration?: { replayedEvents: string[]; uncertain: boolean };
}

/** Everything the rules need about one identity. */
export interface IdentityAnalysis {
  summary: IdentitySummary;
  iam: IamUser | IamRole | null;
  usage: PrincipalUsage | undefined;
  permissions: EffectivePermissions | null;
  classification: GrantedClassification | null;
  /** Path /aws-service-role/: managed by AWS, never judged. */
  serviceLinked: boolean;
  /** Created inside the window (or after its start): too young to judge. */
  createdInWindow: boolean;
}

export interface AnalysisInput {
  /** ISO end of the window (exclusive). */
  asOf: string;
  windowDays: number;
  snapshots: readonly AccountSnapshot[];
  /** Null when no IAM data is loaded: identities come from events only. */
  evaluator: PermissionEvaluator | null;
  /** Usage in the window, from aggregateUsage(). */
  usage: ReadonlyMap<string, PrincipalUsage>;
  /** Latest successful activity before asOf per principal, over all stored time (store.events.principals). */
  lastSuccess?: ReadonlyMap<string, string | null>;
  visibility: VisibilityFn;
  /** Only this account. */
  accountId?: string;
  /** Only this identity (policy suggestion): avoids computing everyone's permissions. */
  principalArn?: string;
  /** CloudTrail coverage per account (loadCoverage); absent: every account counts as covered. */
  coverage?: ReadonlyMap<string, AccountCoverage>;
}

export function windowStart(asOf: string, windowDays: number): string {
  return new Date(Date.parse(asOf) - windowDays * DAY_MS).toISOString();
}

export function isServiceLinked(path: string | undefined, arn: string): boolean {
  return (path ?? '').startsWith('/aws-service-role/') || arn.includes(':role/aws-service-role/');
}

export function isSsoRoleName(name: string): boolean {
  return name.startsWith('AWSReservedSSO_');
}

/** Type and name from an IAM ARN; null for anything that is not a user, role or root. */
export function parsePrincipalArn(arn: string): { accountId: string; type: PrincipalType; name: string } | null {
  const accountId = accountOfArn(arn);
  if (!accountId || !arn.startsWith('arn:aws') || !arn.includes(':iam::')) return null;
  const rest = arn.slice(arn.indexOf(':', arn.indexOf(accountId)) + 1);
  if (rest === 'root') return { accountId, type: 'root', name: 'root' };
  const m = /^(user|role)\/(?:.*\/)?([^/]+)$/.exec(rest);
  if (!m) return null;
  return { accountId, type: m[1] as 'user' | 'role', name: m[2] as string };
}

function latest(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
}

function activityOf(input: AnalysisInput, accountId: string): Pick<IdentitySummary, 'activity' | 'coverage'> {
  if (!input.coverage) return { activity: 'known', coverage: null };
  const c = input.coverage.get(accountId);
  return c ? { activity: c.activity, coverage: { coveredDays: c.coveredDays, spans: c.spans } } : { activity: 'unknown', coverage: { coveredDays: 0, spans: [] } };
}

export function analyseIdentities(input: AnalysisInput): IdentityAnalysis[] {
  const { asOf } = input;
  const asOfMs = Date.parse(asOf);
  const startMs = asOfMs - input.windowDays * DAY_MS;
  const dataEvents = dataEventServicesByAccount(input.usage.values(), input.visibility);
  // IAM ARNs are case-insensitive for names: match usage to snapshot identities by lower case.
  const usageByLower = new Map<string, PrincipalUsage>();
  for (const u of input.usage.values()) usageByLower.set(u.principalArn.toLowerCase(), u);
  const lastByLower = new Map<string, string | null>();
  for (const [arn, last] of input.lastSuccess ?? []) lastByLower.set(arn.toLowerCase(), last);

  const out: IdentityAnalysis[] = [];
  const seen = new Set<string>();
  const only = input.principalArn?.toLowerCase();

  for (const snap of input.snapshots) {
    if (input.accountId && snap.accountId !== input.accountId) continue;
    const identities: Array<IamUser | IamRole> = [...snap.users, ...snap.roles];
    for (const iam of identities) {
      // Not yet created at asOf: it did not exist in the state being judged.
      const created = iam.createdAt ? Date.parse(iam.createdAt) : NaN;
      if (created > asOfMs) continue;
      const key = iam.arn.toLowerCase();
      if (seen.has(key) || (only && key !== only)) continue;
      seen.add(key);
      const usage = usageByLower.get(key);
      let permissions: EffectivePermissions | null = null;
      try {
        permissions = input.evaluator?.effective(iam.arn) ?? null;
      } catch {
        permissions = null;
      }
      const classification = permissions
        ? classifyGranted(permissions.granted, usage, input.visibility, dataEvents.get(snap.accountId))
        : null;
      const summary: IdentitySummary = {
        arn: iam.arn,
        accountId: snap.accountId,
        type: iam.type,
        name: iam.name,
        createdAt: Number.isNaN(created) ? iam.createdAt : new Date(created).toISOString().replace('.000Z', 'Z'),
        lastActivity: latest(lastByLower.get(key), usage?.lastSuccess),
        usedActions: usedActions(usage),
        grantedActionCount: permissions ? permissions.granted.size : null,
        unusedActionCount: classification && activityOf(input, snap.accountId).activity === 'known' ? classification.unusedCount : null,
        unknownActionCount: classification ? classification.unknownCount : null,
        isAdmin: permissions ? permissions.isAdmin : null,
        inSnapshot: true,
        ...activityOf(input, snap.accountId),
      };
      if (iam.type === 'role' && isSsoRoleName(iam.name)) summary.people = [...(usage?.sessionNames ?? [])].sort();
      out.push({
        summary,
        iam,
        usage,
        permissions,
        classification,
        serviceLinked: iam.type === 'role' && isServiceLinked(iam.path, iam.arn),
        createdInWindow: created > startMs,
      });
    }
  }

  // Identities seen acting (in the window, or successfully before it) but in no snapshot.
  const eventOnly = new Set<string>([...input.usage.keys(), ...(input.lastSuccess?.keys() ?? [])]);
  for (const arn of eventOnly) {
    const key = arn.toLowerCase();
    if (seen.has(key) || (only && key !== only)) continue;
    const usage = usageByLower.get(key);
    const parsed = parsePrincipalArn(arn);
    if (!parsed) continue; // service principals, federated users without an IAM identity
    if (input.accountId && parsed.accountId !== input.accountId) continue;
    seen.add(key);
    const summary: IdentitySummary = {
      arn,
      accountId: parsed.accountId,
      type: parsed.type,
      name: parsed.name,
      createdAt: null,
      lastActivity: latest(lastByLower.get(key), usage?.lastSuccess),
      usedActions: usedActions(usage),
      grantedActionCount: null,
      unusedActionCount: null,
      unknownActionCount: null,
      isAdmin: null,
      inSnapshot: false,
      ...activityOf(input, parsed.accountId),
    };
    if (parsed.type === 'role' && isSsoRoleName(parsed.name)) summary.people = [...(usage?.sessionNames ?? [])].sort();
    out.push({
      summary,
      iam: null,
      usage,
      permissions: null,
      classification: null,
      serviceLinked: isServiceLinked(undefined, arn),
      createdInWindow: false,
    });
  }

  out.sort((a, b) =>
    a.summary.accountId === b.summary.accountId
      ? a.summary.arn < b.summary.arn ? -1 : a.summary.arn > b.summary.arn ? 1 : 0
      : a.summary.accountId < b.summary.accountId ? -1 : 1,
  );
  return out;
}
