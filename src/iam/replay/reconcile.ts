/**
 * Reconciliation: when a new snapshot arrives, the configuration replayed from the previous
 * snapshot and the change events up to the new one's takenAt should equal it. Differences are
 * changes CloudTrail did not show (missing coverage, events not yet ingested, an unapplied kind)
 * or replay mistakes; either way the user should know.
 */
import type { EventStore, IamStore } from '../../store/index.js';
import type { AccountSnapshot, IamGroup, IamRole, IamUser } from '../types.js';
import { deserializeSnapshot } from '../model.js';
import { IAM_KIND } from '../repository.js';
import { loadChangeEvents, replayAccount } from './index.js';

export interface Reconciliation {
  accountId: string;
  /** takenAt of the snapshot the replay started from. */
  since: string;
  until: string;
  replayedEvents: number;
  /** One line per difference between the replayed configuration and the imported one. */
  differences: string[];
}

/**
 * Replays the account's changes from its previous snapshot to `takenAt` and compares with
 * `snapshot`. Null when there is no earlier snapshot or no change event in between.
 */
export async function reconcileSnapshot(
  store: { iam: IamStore; events: EventStore },
  snapshot: AccountSnapshot,
  takenAt: string,
): Promise<Reconciliation | null> {
  const history = await store.iam.history(IAM_KIND.authorizationDetails, snapshot.accountId);
  const previous = history.find((r) => (r.takenAt ?? r.importedAt) < takenAt);
  if (!previous) return null;
  const since = previous.takenAt ?? previous.importedAt;
  const events = await loadChangeEvents(store.events, { since, until: takenAt });
  const replayed = replayAccount(deserializeSnapshot(previous.document), events);
  if (replayed.applied === 0) return null;
  return { accountId: snapshot.accountId, since, until: takenAt, replayedEvents: replayed.applied, differences: diffConfigurations(replayed.snapshot, snapshot) };
}

type Principal = IamUser | IamRole | IamGroup;

/** What differs between a replayed configuration and the real one (IAM configuration only, not credentials). */
export function diffConfigurations(replayed: AccountSnapshot, real: AccountSnapshot): string[] {
  const out: string[] = [];
  const index = (s: AccountSnapshot) => new Map<string, Principal>([...s.users, ...s.roles, ...s.groups].map((x) => [x.arn, x]));
  const a = index(replayed);
  const b = index(real);
  for (const [arn, x] of a) if (!b.has(arn)) out.push(`${label(x)}: in the replayed configuration, not in the snapshot`);
  for (const [arn, y] of b) {
    const x = a.get(arn);
    if (!x) {
      out.push(`${label(y)}: in the snapshot, not in the replayed configuration`);
      continue;
    }
    setDiff(out, label(y), 'attached policy', x.attachedPolicyArns, y.attachedPolicyArns);
    setDiff(out, label(y), 'inline policy', x.inlinePolicies.map((p) => p.name), y.inlinePolicies.map((p) => p.name));
    for (const p of y.inlinePolicies) {
      const mine = x.inlinePolicies.find((q) => q.name === p.name);
      if (mine && canonical(mine.document) !== canonical(p.document)) out.push(`${label(y)}: inline policy ${p.name} differs`);
    }
    if ((x.permissionsBoundaryArn ?? null) !== (y.permissionsBoundaryArn ?? null)) {
      out.push(`${label(y)}: permissions boundary ${x.permissionsBoundaryArn ?? 'none'} replayed, ${y.permissionsBoundaryArn ?? 'none'} in the snapshot`);
    }
    if (x.type === 'user' && y.type === 'user') setDiff(out, label(y), 'group', x.groupNames, y.groupNames);
    if (x.type === 'role' && y.type === 'role' && canonical(x.trustPolicy) !== canonical(y.trustPolicy)) out.push(`${label(y)}: trust policy differs`);
  }
  for (const [arn, p] of real.policies) {
    if (p.awsManaged) continue;
    const mine = replayed.policies.get(arn);
    if (!mine) out.push(`policy ${arn}: in the snapshot, not in the replayed configuration`);
    else if (canonical(mine.document) !== canonical(p.document)) out.push(`policy ${arn}: default version differs`);
  }
  for (const [arn, p] of replayed.policies) {
    if (!p.awsManaged && !real.policies.has(arn)) out.push(`policy ${arn}: in the replayed configuration, not in the snapshot`);
  }
  return out;
}

function label(x: Principal): string {
  return `${x.type} ${x.name}`;
}

function setDiff(out: string[], who: string, what: string, replayed: string[], real: string[]): void {
  for (const v of replayed) if (!real.includes(v)) out.push(`${who}: ${what} ${v} replayed, not in the snapshot`);
  for (const v of real) if (!replayed.includes(v)) out.push(`${who}: ${what} ${v} in the snapshot, not replayed`);
}

/** JSON with object keys sorted, so that key order never counts as a difference. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : val,
  );
}
