/**
 * CloudTrail evidence for attack-path steps: which enabling calls were made (succeeded or
 * denied) by whom against which target, which roles CloudTrail shows running behind a resource
 * (CreateFunction naming the role, RunInstances with an instance profile, CreateStack with a
 * roleARN), and which roles were passed to which service. Built once from the window's groups
 * of escalation-relevant calls (loadEscalationEvidence), then queried per step.
 */
import type { AccountSnapshot } from '../iam/index.js';
import type { EvidenceGroup, EvidenceSample } from '../store/index.js';
import { techniqueActions } from './techniques.js';

export type StepStatus = 'possible' | 'attempted' | 'exercised';

export const STATUS_RANK: Record<StepStatus, number> = { possible: 0, attempted: 1, exercised: 2 };

/** AccessDenied, AccessDeniedException, Client.UnauthorizedOperation, UnauthorizedAccess, Forbidden, ... */
export function isDenied(errorCode: string | null): boolean {
  return !!errorCode && /denied|unauthori[sz]ed|forbidden/i.test(errorCode);
}

/** account:type/name, path dropped (CloudTrail derives IAM ARNs from names, without the path). */
export function iamKey(arn: string): string {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group|policy|instance-profile)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? `${m[1]}:${m[2]}/${m[3]}` : arn;
}

/** Actions whose events can enable or reveal a step (lower-cased). */
export function evidenceActions(): string[] {
  return [...new Set([...techniqueActions(), 'iam:passrole', 'sts:assumerole', 'sts:assumerolewithwebidentity', 'sts:assumerolewithsaml'])].sort();
}

/** Where a role passed to a service is confirmed to run (event source → the service principal trusted by the role). */
const SOURCE_SERVICE: Record<string, string> = {
  'lambda.amazonaws.com': 'lambda.amazonaws.com',
  'ec2.amazonaws.com': 'ec2.amazonaws.com',
  'autoscaling.amazonaws.com': 'ec2.amazonaws.com',
  'cloudformation.amazonaws.com': 'cloudformation.amazonaws.com',
  'glue.amazonaws.com': 'glue.amazonaws.com',
  'sagemaker.amazonaws.com': 'sagemaker.amazonaws.com',
  'codebuild.amazonaws.com': 'codebuild.amazonaws.com',
  'datapipeline.amazonaws.com': 'datapipeline.amazonaws.com',
  'ecs.amazonaws.com': 'ecs-tasks.amazonaws.com',
  'apprunner.amazonaws.com': 'tasks.apprunner.amazonaws.com',
  'bedrock-agentcore.amazonaws.com': 'bedrock-agentcore.amazonaws.com',
  'codestar.amazonaws.com': 'codestar.amazonaws.com',
  'states.amazonaws.com': 'states.amazonaws.com',
  'batch.amazonaws.com': 'batch.amazonaws.com',
};

export interface RoleUse {
  /** The service principal the role was handed to. */
  service: string;
  eventId: string;
  eventTime: string;
  principalArn: string | null;
  /** The other resources of that event (the function, stack, instance... running as the role). */
  resources: string[];
}

export interface StepEvidence {
  status: StepStatus;
  /** eventIDs of enabling calls that succeeded / were denied. */
  succeeded: string[];
  failed: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  /** How 'exercised' was concluded without a successful enabling call (follow-on signal). */
  followOn?: string;
}

export interface StepQuery {
  /** The acting principal's ARN, or for an external account node its account id (`account:<id>`), a provider or service name. */
  from: string;
  fromKind: string;
  /** Lower-cased actions whose calls enable the step. */
  actions: readonly string[];
  /** ARNs (any path) the calls must name; empty = any resource. */
  related: readonly string[];
  /** The role or user the step reaches (for follow-on signals). */
  target?: string;
}

/** The store's order: eventTime, then eventID. */
export function bySampleOrder(a: EvidenceSample, b: EvidenceSample): number {
  return a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.eventID < b.eventID ? -1 : a.eventID > b.eventID ? 1 : 0;
}

const MAX_IDS = 20;

export class EvidenceIndex {
  private readonly byPrincipal = new Map<string, EvidenceGroup[]>();
  private readonly byAccount = new Map<string, EvidenceGroup[]>();
  private readonly byResource = new Map<string, EvidenceGroup[]>();
  /** role key → uses seen in CloudTrail (successful calls that passed it, sampled per group), in time order. */
  readonly roleUses = new Map<string, RoleUse[]>();
  /** resource ARN (function, stack, instance profile...) → role key running it (the latest call's). */
  readonly resourceRole = new Map<string, string>();
  /** Calls the groups stand for. */
  readonly eventCount: number;

  constructor(
    groups: readonly EvidenceGroup[],
    snapshots: readonly AccountSnapshot[],
    private readonly sessionNames: (roleArn: string) => readonly string[] = () => [],
  ) {
    let count = 0;
    const roleOfProfile = new Map<string, string>();
    for (const s of snapshots) for (const r of s.roles) for (const p of r.instanceProfileArns) roleOfProfile.set(iamKey(p), iamKey(r.arn));
    // the latest call last, so a resource maps to the role it ran as most recently
    const byLast = [...groups].sort((a, b) => (a.lastTime < b.lastTime ? -1 : a.lastTime > b.lastTime ? 1 : 0));
    for (const g of byLast) {
      count += g.count;
      if (g.principalArn) push(this.byPrincipal, g.principalArn, g);
      if (g.principalAccountId && !g.principalArn) push(this.byAccount, g.principalAccountId, g);
      for (const r of new Set(g.resources.map(iamKey))) push(this.byResource, r, g);
      if (g.errorCode || !g.actions.some((a) => a.toLowerCase() === 'iam:passrole')) continue;
      const service = SOURCE_SERVICE[g.eventSource];
      const roles: string[] = [];
      for (const r of g.resources) {
        if (/:iam::\d{12}:role\//.test(r)) roles.push(iamKey(r));
        else if (/:iam::\d{12}:instance-profile\//.test(r)) {
          const role = roleOfProfile.get(iamKey(r));
          if (role) roles.push(role);
        }
      }
      for (const role of roles) {
        const others = g.resources.filter((r) => iamKey(r) !== role);
        if (service) for (const s of g.samples) push(this.roleUses, role, { service, eventId: s.eventID, eventTime: s.eventTime, principalArn: g.principalArn, resources: others });
        for (const o of others) if (!/:iam::/.test(o) || /:instance-profile\//.test(o)) this.resourceRole.set(iamKey(o), role);
      }
    }
    for (const uses of this.roleUses.values()) uses.sort((a, b) => bySampleOrder({ eventID: a.eventId, eventTime: a.eventTime }, { eventID: b.eventId, eventTime: b.eventTime }));
    this.eventCount = count;
  }

  /** Uses of a role by a service seen in CloudTrail (the same array on every call: do not change it). */
  usesOf(roleArn: string, service?: string): readonly RoleUse[] {
    const uses = this.roleUses.get(iamKey(roleArn)) ?? [];
    if (!service) return uses;
    // asked once per principal, technique and role while the graph is built: filtered once
    const key = `${iamKey(roleArn)} ${service}`;
    let list = this.usesByService.get(key);
    if (!list) this.usesByService.set(key, (list = uses.filter((u) => u.service === service)));
    return list;
  }

  /** Every ARN known to stand for this role in events: the role, its instance profiles, resources running as it. */
  aliasesOf(roleArn: string, instanceProfiles: readonly string[] = []): string[] {
    return [roleArn, ...instanceProfiles, ...(this.resourcesRunningAs().get(iamKey(roleArn)) ?? [])];
  }

  private readonly usesByService = new Map<string, RoleUse[]>();
  private runningAs: Map<string, string[]> | undefined;

  /** role key → resources running as it, in resourceRole's order (it is complete once constructed). */
  private resourcesRunningAs(): Map<string, string[]> {
    if (!this.runningAs) {
      this.runningAs = new Map();
      for (const [res, role] of this.resourceRole) push(this.runningAs, role, res);
    }
    return this.runningAs;
  }

  step(q: StepQuery): StepEvidence {
    const actions = new Set(q.actions.map((a) => a.toLowerCase()));
    const related = new Set(q.related.map(iamKey));
    // as the calls were once listed: per candidate list (principal, account or each related resource) in time order
    const lists =
      q.fromKind === 'account'
        ? [this.byAccount.get(q.from) ?? []]
        : q.fromKind === 'federated' || q.fromKind === 'public' || q.fromKind === 'service'
          ? [...related].map((r) => this.byResource.get(r) ?? [])
          : [this.byPrincipal.get(q.from) ?? []];
    const succeeded: string[] = [];
    const failed: string[] = [];
    let firstSeen: string | null = null;
    let lastSeen: string | null = null;
    const seenGroups = new Set<EvidenceGroup>();
    const seenIds = new Set<string>();
    for (const list of lists) {
      const ok: EvidenceSample[] = [];
      const denied: EvidenceSample[] = [];
      for (const g of list) {
        if (seenGroups.has(g)) continue;
        seenGroups.add(g);
        const keys = this.keysOf(g);
        if (!keys.actions.some((a) => actions.has(a))) continue;
        if (related.size > 0 && !keys.resources.some((r) => related.has(r))) continue;
        if (!g.errorCode) ok.push(...g.samples);
        else if (isDenied(g.errorCode)) denied.push(...g.samples);
        else continue;
        if (!firstSeen || g.firstTime < firstSeen) firstSeen = g.firstTime;
        if (!lastSeen || g.lastTime > lastSeen) lastSeen = g.lastTime;
      }
      for (const [samples, ids] of [[ok, succeeded], [denied, failed]] as const) {
        for (const s of samples.sort(bySampleOrder)) {
          if (seenIds.has(s.eventID)) continue;
          seenIds.add(s.eventID);
          ids.push(s.eventID);
        }
      }
    }
    const ev: StepEvidence = {
      status: succeeded.length > 0 ? 'exercised' : failed.length > 0 ? 'attempted' : 'possible',
      succeeded: succeeded.slice(0, MAX_IDS),
      failed: failed.slice(0, MAX_IDS),
      firstSeen,
      lastSeen,
    };
    if (ev.status !== 'exercised' && q.target && /:role\//.test(q.target) && (q.fromKind === 'user' || q.fromKind === 'role')) {
      // follow-on: the target role's sessions carry the actor's name (the source trail may be missing)
      const name = q.from.split('/').pop()!;
      if (this.sessionNames(q.target).includes(name)) {
        ev.status = 'exercised';
        ev.followOn = `sessions of ${q.target} named "${name}" acted in the window`;
      }
    }
    return ev;
  }

  /** Call groups of one principal with any of these (lower-cased) actions. */
  groupsOf(principalArn: string, actions: ReadonlySet<string>): EvidenceGroup[] {
    return (this.byPrincipal.get(principalArn) ?? []).filter((g) => this.keysOf(g).actions.some((a) => actions.has(a)));
  }

  private readonly groupKeys = new Map<EvidenceGroup, { actions: string[]; resources: string[] }>();

  /** A group's actions lower-cased and resources as iamKey, computed once: steps ask for them per edge. */
  private keysOf(g: EvidenceGroup): { actions: string[]; resources: string[] } {
    let k = this.groupKeys.get(g);
    if (!k) this.groupKeys.set(g, (k = { actions: g.actions.map((a) => a.toLowerCase()), resources: g.resources.map(iamKey) }));
    return k;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
