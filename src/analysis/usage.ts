/**
 * Usage: what each identity did, per IAM action (and per resource when the request named
 * one), from the store's aggregates (`events.usage`). Never reads individual events.
 *
 * Attribution is the store's: role sessions are rows of their role (principalArn is never an
 * STS session ARN), Identity Center sessions are rows of their AWSReservedSSO_* role and carry
 * the person in sessionNames. Success and failure are kept apart: a failed call is an attempt,
 * not use.
 */
import type { UsageRow } from '../store/index.js';
import type { GrantKind } from '../iam/index.js';
import type { VisibilityFn } from './visibility.js';

/** Evidence ids kept per aggregate. */
export const MAX_EVIDENCE = 5;
/** Session names kept per identity. */
export const MAX_SESSION_NAMES = 50;

export interface UsageStat {
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** A few CloudTrail eventIDs. */
  eventIds: string[];
}

export interface ResourceUsage {
  resource: string;
  success: UsageStat | null;
  failure: UsageStat | null;
}

export interface ActionUsage {
  /** IAM spelling as the mapping produced it, e.g. s3:ListAllMyBuckets. */
  action: string;
  success: UsageStat | null;
  failure: UsageStat | null;
  /** Per named resource; only filled from byResource rows. */
  resources: Map<string, ResourceUsage>;
  /** Resource rows were seen for this action (so `resources` is complete). */
  resourceDetail: boolean;
  /** Some successful call named no resource (from byResource rows whose resource is null). */
  unnamedSuccess: boolean;
  sessionNames: string[];
}

export interface PrincipalUsage {
  principalArn: string;
  accountId: string | null;
  /** Keyed by lower-cased action (IAM action names are case-insensitive). */
  actions: Map<string, ActionUsage>;
  /** Latest successful call in the queried range, or null. */
  lastSuccess: string | null;
  /** Earliest call (success or failure) in the queried range. */
  firstSeen: string | null;
  successCount: number;
  failureCount: number;
  sessionNames: string[];
}

function mergeStat(into: UsageStat | null, row: UsageRow): UsageStat {
  if (!into) {
    return { count: row.count, firstSeen: row.firstSeen, lastSeen: row.lastSeen, eventIds: row.sampleEventIds.slice(0, MAX_EVIDENCE) };
  }
  into.count += row.count;
  if (row.firstSeen < into.firstSeen) into.firstSeen = row.firstSeen;
  if (row.lastSeen > into.lastSeen) into.lastSeen = row.lastSeen;
  for (const id of row.sampleEventIds) {
    if (into.eventIds.length >= MAX_EVIDENCE) break;
    if (!into.eventIds.includes(id)) into.eventIds.push(id);
  }
  return into;
}

function addNames(into: string[], names: readonly string[]): void {
  for (const n of names) {
    if (into.length >= MAX_SESSION_NAMES) return;
    if (!into.includes(n)) into.push(n);
  }
}

/**
 * Folds usage rows into one record per principal. `rows` are action-level rows (they give
 * the totals); `resourceRows` (from a byResource query) only fill each action's `resources`,
 * because an event naming two resources is two resource rows and would over-count totals.
 */
export function aggregateUsage(
  rows: Iterable<UsageRow>,
  opts: { resourceRows?: Iterable<UsageRow> } = {},
): Map<string, PrincipalUsage> {
  const out = new Map<string, PrincipalUsage>();
  const principal = (row: UsageRow): PrincipalUsage => {
    let p = out.get(row.principalArn);
    if (!p) {
      p = {
        principalArn: row.principalArn,
        accountId: row.principalAccountId,
        actions: new Map(),
        lastSuccess: null,
        firstSeen: null,
        successCount: 0,
        failureCount: 0,
        sessionNames: [],
      };
      out.set(row.principalArn, p);
    }
    return p;
  };
  const actionOf = (p: PrincipalUsage, row: UsageRow): ActionUsage => {
    const key = row.action.toLowerCase();
    let a = p.actions.get(key);
    if (!a) {
      a = {
        action: row.action,
        success: null,
        failure: null,
        resources: new Map(),
        resourceDetail: false,
        unnamedSuccess: false,
        sessionNames: [],
      };
      p.actions.set(key, a);
    }
    return a;
  };

  for (const row of rows) {
    const p = principal(row);
    const a = actionOf(p, row);
    if (row.success) {
      a.success = mergeStat(a.success, row);
      p.successCount += row.count;
      if (p.lastSuccess === null || row.lastSeen > p.lastSuccess) p.lastSuccess = row.lastSeen;
    } else {
      a.failure = mergeStat(a.failure, row);
      p.failureCount += row.count;
    }
    if (p.firstSeen === null || row.firstSeen < p.firstSeen) p.firstSeen = row.firstSeen;
    addNames(a.sessionNames, row.sessionNames);
    addNames(p.sessionNames, row.sessionNames);
    if (row.resource !== null) addResource(a, row);
  }
  for (const row of opts.resourceRows ?? []) {
    const p = out.get(row.principalArn);
    const a = p?.actions.get(row.action.toLowerCase());
    // A resource row without its action-level row is outside the action-level range: ignore.
    if (!a) continue;
    a.resourceDetail = true;
    if (row.resource === null) {
      if (row.success) a.unnamedSuccess = true;
    } else {
      addResource(a, row);
    }
  }
  return out;
}

function addResource(a: ActionUsage, row: UsageRow): void {
  const resource = row.resource as string;
  let r = a.resources.get(resource);
  if (!r) {
    r = { resource, success: null, failure: null };
    a.resources.set(resource, r);
  }
  if (row.success) r.success = mergeStat(r.success, row);
  else r.failure = mergeStat(r.failure, row);
}

/** Successfully used actions (IAM spelling), sorted case-insensitively then by spelling. */
export function usedActions(usage: PrincipalUsage | undefined): string[] {
  if (!usage) return [];
  const used: string[] = [];
  for (const a of usage.actions.values()) if (a.success) used.push(a.action);
  return used.sort(compareActions);
}

export function compareActions(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

export function servicePrefix(action: string): string {
  const i = action.indexOf(':');
  return (i < 0 ? action : action.slice(0, i)).toLowerCase();
}

export type ActionStatus = 'used' | 'unused' | 'unknown';
export type UnknownReason = 'data-event' | 'not-logged' | 'passrole-not-inferred';

/**
 * Static facts about one granted-action map, computed once and shared by every identity with
 * the same policy set (the evaluator returns the same map for the same set): actions sorted,
 * lower-cased, with their service and CloudTrail visibility.
 */
interface GrantProfile {
  actions: string[];
  index: Map<string, number>;
  service: string[];
  /** 0 logged, 1 data event, 2 not logged, 3 iam:PassRole */
  kind: Uint8Array;
  /** Not-logged actions and iam:PassRole: unknown unless used. */
  alwaysUnknown: number;
  /** Data-event actions per service: unknown unless used or the trail records that service's data events. */
  dataEvents: Map<string, number>;
}

const KIND_LOGGED = 0;
const KIND_DATA = 1;
const KIND_NOT_LOGGED = 2;
const KIND_PASSROLE = 3;

const profiles = new WeakMap<ReadonlyMap<string, unknown>, WeakMap<VisibilityFn, GrantProfile>>();

function profileOf(granted: ReadonlyMap<string, GrantKind>, visibility: VisibilityFn): GrantProfile {
  let byVis = profiles.get(granted);
  if (!byVis) profiles.set(granted, (byVis = new WeakMap()));
  let p = byVis.get(visibility);
  if (p) return p;
  const keyed = [...granted.keys()].map((a) => ({ a, k: a.toLowerCase() }));
  keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
  const actions = keyed.map((x) => x.a);
  const index = new Map<string, number>();
  const service: string[] = new Array(actions.length);
  const kind = new Uint8Array(actions.length);
  let alwaysUnknown = 0;
  const dataEvents = new Map<string, number>();
  keyed.forEach(({ a, k }, i) => {
    index.set(k, i);
    const svc = servicePrefix(k);
    service[i] = svc;
    if (k === 'iam:passrole') kind[i] = KIND_PASSROLE;
    else {
      const v = visibility(a);
      kind[i] = v === 'not-logged' ? KIND_NOT_LOGGED : v === 'data-event' ? KIND_DATA : KIND_LOGGED;
    }
    if (kind[i] === KIND_PASSROLE || kind[i] === KIND_NOT_LOGGED) alwaysUnknown++;
    else if (kind[i] === KIND_DATA) dataEvents.set(svc, (dataEvents.get(svc) ?? 0) + 1);
  });
  p = { actions, index, service, kind, alwaysUnknown, dataEvents };
  byVis.set(visibility, p);
  return p;
}

/**
 * Every granted action classified as used, unused or unknown:
 * - used: at least one successful call in the window;
 * - unknown: not seen, and CloudTrail could not have shown it (not logged, or a data event of a
 *   service whose data events this account's trail is not seen recording; iam:PassRole is used
 *   only when inferred from a consuming call, otherwise unknown);
 * - unused: not seen although CloudTrail would have recorded it.
 * Counts are computed eagerly; the (possibly long) lists only when asked for.
 */
export class GrantedClassification {
  /** Used granted actions, sorted. */
  readonly used: string[];
  readonly usedCount: number;
  readonly unusedCount: number;
  readonly unknownCount: number;
  private readonly usedIdx: Set<number>;

  constructor(
    private readonly profile: GrantProfile,
    usedIdx: Set<number>,
    private readonly dataEventServices: ReadonlySet<string>,
  ) {
    this.usedIdx = usedIdx;
    this.used = [...usedIdx].sort((a, b) => a - b).map((i) => profile.actions[i] as string);
    this.usedCount = usedIdx.size;
    let unknown = profile.alwaysUnknown;
    for (const [svc, n] of profile.dataEvents) if (!dataEventServices.has(svc)) unknown += n;
    for (const i of usedIdx) if (this.isUnknown(i)) unknown--;
    this.unknownCount = unknown;
    this.unusedCount = profile.actions.length - this.usedCount - unknown;
  }

  private isUnknown(i: number): boolean {
    const k = this.profile.kind[i];
    return k === KIND_PASSROLE || k === KIND_NOT_LOGGED || (k === KIND_DATA && !this.dataEventServices.has(this.profile.service[i] as string));
  }

  status(action: string): ActionStatus | undefined {
    const i = this.profile.index.get(action.toLowerCase());
    if (i === undefined) return undefined;
    return this.usedIdx.has(i) ? 'used' : this.isUnknown(i) ? 'unknown' : 'unused';
  }

  /** Unused granted actions, sorted. */
  unused(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.profile.actions.length; i++) if (!this.usedIdx.has(i) && !this.isUnknown(i)) out.push(this.profile.actions[i] as string);
    return out;
  }

  /** Unknown granted actions, sorted. */
  unknown(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.profile.actions.length; i++) if (!this.usedIdx.has(i) && this.isUnknown(i)) out.push(this.profile.actions[i] as string);
    return out;
  }

  /**
   * Unused actions per service: the count of every service, and the actions of the services
   * `list` accepts (all by default). One pass, no per-action string work.
   */
  unusedByService(list: (service: string) => boolean = () => true): { counts: Record<string, number>; actions: Record<string, string[]> } {
    const counts: Record<string, number> = {};
    const actions: Record<string, string[]> = {};
    const p = this.profile;
    for (let i = 0; i < p.actions.length; i++) {
      if (this.usedIdx.has(i) || this.isUnknown(i)) continue;
      const svc = p.service[i] as string;
      counts[svc] = (counts[svc] ?? 0) + 1;
      if (list(svc)) (actions[svc] ??= []).push(p.actions[i] as string);
    }
    return { counts, actions };
  }

  /** Unknown actions counted per service. */
  unknownByService(): Record<string, number> {
    const counts: Record<string, number> = {};
    const p = this.profile;
    for (let i = 0; i < p.actions.length; i++) {
      if (this.usedIdx.has(i) || !this.isUnknown(i)) continue;
      const svc = p.service[i] as string;
      counts[svc] = (counts[svc] ?? 0) + 1;
    }
    return counts;
  }

  unknownReason(action: string): UnknownReason | undefined {
    const i = this.profile.index.get(action.toLowerCase());
    if (i === undefined || this.usedIdx.has(i) || !this.isUnknown(i)) return undefined;
    const k = this.profile.kind[i];
    return k === KIND_PASSROLE ? 'passrole-not-inferred' : k === KIND_NOT_LOGGED ? 'not-logged' : 'data-event';
  }
}

/**
 * Classifies every granted action (see GrantedClassification). Cost is proportional to the
 * identity's usage, plus one pass over the granted set per distinct policy set.
 *
 * `dataEventServices` lists service prefixes whose data events were observed in the account
 * (for anyone): the trail records them, so absence there means unused.
 */
export function classifyGranted(
  granted: ReadonlyMap<string, GrantKind>,
  usage: PrincipalUsage | undefined,
  visibility: VisibilityFn,
  dataEventServices: ReadonlySet<string> = new Set(),
): GrantedClassification {
  const profile = profileOf(granted, visibility);
  const usedIdx = new Set<number>();
  for (const [key, a] of usage?.actions ?? []) {
    if (!a.success) continue;
    const i = profile.index.get(key);
    if (i !== undefined) usedIdx.add(i);
  }
  return new GrantedClassification(profile, usedIdx, dataEventServices);
}

/**
 * Per account, the service prefixes whose data-event actions were seen at all: evidence that
 * the trail records those data events, so their absence for an identity means unused.
 */
export function dataEventServicesByAccount(
  usage: Iterable<PrincipalUsage>,
  visibility: VisibilityFn,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of usage) {
    const account = p.accountId ?? accountOfArn(p.principalArn);
    if (!account) continue;
    for (const a of p.actions.values()) {
      if (visibility(a.action) !== 'data-event') continue;
      let set = out.get(account);
      if (!set) out.set(account, (set = new Set()));
      set.add(servicePrefix(a.action));
    }
  }
  return out;
}

/** The account id of an IAM ARN (arn:aws:iam::123456789012:...), or null. */
export function accountOfArn(arn: string): string | null {
  const parts = arn.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4] ?? '') ? (parts[4] as string) : null;
}
