/**
 * Replay: brings an account's IAM configuration from its snapshot up to a later time by applying
 * the IAM change events CloudTrail recorded in between, one small applier per event family.
 * Failed calls change nothing; a change that cannot be applied exactly (a policy document never
 * seen) marks the identities it reaches as uncertain instead of guessing.
 */
import type { NormalizedEvent } from '../../model/index.js';
import type { EventStore } from '../../store/index.js';
import type { AccountSnapshot } from '../types.js';
import type { IamModel, IamPrincipal } from '../model.js';
import { ReplayState, type IdentityConfiguration } from './state.js';
import type { Applier } from './appliers/types.js';
import { identityAppliers } from './appliers/identities.js';
import { policyAppliers } from './appliers/policies.js';
import { attachmentAppliers } from './appliers/attachments.js';

export type { IdentityConfiguration, ReplayedChange } from './state.js';

const APPLIERS: Record<string, Applier> = { ...identityAppliers, ...policyAppliers, ...attachmentAppliers };

/** The IAM API calls replayed, by CloudTrail eventName. */
export const REPLAYED_EVENT_NAMES: readonly string[] = Object.keys(APPLIERS).sort();

export interface ReplayedAccount {
  snapshot: AccountSnapshot;
  /** Identities (by ARN) whose configuration some applied event changed. */
  configurations: Map<string, IdentityConfiguration>;
  /** Events applied (successful IAM changes of this account). */
  applied: number;
}

/** Whether this event is a successful IAM change the replay applies. */
export function isReplayable(e: NormalizedEvent): boolean {
  return e.eventSource === 'iam.amazonaws.com' && !e.errorCode && Object.hasOwn(APPLIERS, e.eventName);
}

/** Applies the account's events (any order in, eventTime order applied) on a copy of the snapshot. */
export function replayAccount(base: AccountSnapshot, events: Iterable<NormalizedEvent>): ReplayedAccount {
  const state = new ReplayState(base);
  const mine = [...events].filter((e) => isReplayable(e) && accountOf(e) === base.accountId).sort(byTime);
  for (const e of mine) {
    state.begin({ eventID: e.eventID, eventName: e.eventName, eventTime: e.eventTime, actor: e.principalArn });
    APPLIERS[e.eventName]!(state, e);
  }
  state.begin(null);
  return { snapshot: state.snapshot, configurations: state.configurations(), applied: mine.length };
}

/**
 * The IAM change events in (since, until]: only iam.amazonaws.com calls of the replayed names,
 * found through the action index, so the cost is that of the changes, not of all events.
 */
export async function loadChangeEvents(events: EventStore, q: { since: string; until: string }): Promise<NormalizedEvent[]> {
  const out: NormalizedEvent[] = [];
  const until = new Date(Date.parse(q.until) + 1).toISOString();
  for await (const e of events.iterate({ since: q.since, until, anyAction: REPLAYED_EVENT_NAMES.map((n) => `iam:${n}`) })) {
    if (e.eventTime > q.since && e.eventTime <= q.until && isReplayable(e)) out.push(e);
  }
  return out;
}

export interface ReplayedModel {
  model: IamModel;
  /** Every replayed identity of every account, by ARN. */
  configurations: Map<string, IdentityConfiguration>;
  applied: number;
}

/**
 * The model brought up to `asOf`: each account's snapshot (taken at `takenAt` of that account)
 * with the changes recorded after it. The model is returned unchanged when nothing applies.
 */
export async function replayModel(events: EventStore, model: IamModel, takenAt: ReadonlyMap<string, string>, asOf: string): Promise<ReplayedModel> {
  const starts = [...model.accounts.keys()].map((a) => takenAt.get(a)).filter((t): t is string => t !== undefined && t < asOf);
  if (starts.length === 0) return { model, configurations: new Map(), applied: 0 };
  const since = starts.reduce((a, b) => (a < b ? a : b));
  const changes = await loadChangeEvents(events, { since, until: asOf });
  if (changes.length === 0) return { model, configurations: new Map(), applied: 0 };
  const accounts = new Map(model.accounts);
  const configurations = new Map<string, IdentityConfiguration>();
  let applied = 0;
  for (const [accountId, snapshot] of model.accounts) {
    const from = takenAt.get(accountId);
    if (from === undefined) continue;
    const r = replayAccount(snapshot, changes.filter((e) => e.eventTime > from));
    if (r.applied === 0) continue;
    applied += r.applied;
    accounts.set(accountId, r.snapshot);
    for (const [arn, c] of r.configurations) configurations.set(arn, c);
  }
  if (applied === 0) return { model, configurations, applied };
  const identities = new Map<string, IamPrincipal>();
  for (const s of accounts.values()) for (const x of [...s.users, ...s.roles, ...s.groups]) identities.set(x.arn, x);
  return { model: { ...model, accounts, identities }, configurations, applied };
}

function accountOf(e: NormalizedEvent): string | null {
  return e.recipientAccountId ?? e.principalAccountId;
}

function byTime(a: NormalizedEvent, b: NormalizedEvent): number {
  // ties keep the order CloudTrail delivered them in (the sort is stable)
  return a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0;
}
