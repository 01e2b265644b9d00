/**
 * CloudTrail evidence for attack-path steps: which enabling calls were made (succeeded or
 * denied) by whom against which target, which roles CloudTrail shows running behind a resource
 * (CreateFunction naming the role, RunInstances with an instance profile, CreateStack with a
 * roleARN), and which roles were passed to which service. Built once from the window's
 * escalation-relevant events (loadEscalationEvents), then queried per step.
 */
import type { NormalizedEvent } from '../model/index.js';
import type { AccountSnapshot } from '../iam/index.js';
import type { EventStore } from '../store/index.js';
import { techniqueActions } from './techniques.js';
import { canonicalAction } from '../parse/index.js';

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

const MAX_IDS = 20;

export class EvidenceIndex {
  private readonly byPrincipal = new Map<string, NormalizedEvent[]>();
  private readonly byAccount = new Map<string, NormalizedEvent[]>();
  private readonly byResource = new Map<string, NormalizedEvent[]>();
  /** role key → uses seen in CloudTrail (successful calls that passed it). */
  readonly roleUses = new Map<string, RoleUse[]>();
  /** resource ARN (function, stack, instance profile...) → role key running it. */
  readonly resourceRole = new Map<string, string>();
  readonly eventCount: number;

  constructor(
    events: readonly NormalizedEvent[],
    snapshots: readonly AccountSnapshot[],
    private readonly sessionNames: (roleArn: string) => readonly string[] = () => [],
  ) {
    this.eventCount = events.length;
    const roleOfProfile = new Map<string, string>();
    for (const s of snapshots) for (const r of s.roles) for (const p of r.instanceProfileArns) roleOfProfile.set(iamKey(p), iamKey(r.arn));
    for (const e of events) {
      if (e.principalArn) push(this.byPrincipal, e.principalArn, e);
      if (e.principalAccountId && !e.principalArn) push(this.byAccount, e.principalAccountId, e);
      for (const r of e.resources) push(this.byResource, iamKey(r), e);
      if (e.errorCode || !e.actions.some((a) => a.toLowerCase() === 'iam:passrole')) continue;
      const service = SOURCE_SERVICE[e.eventSource];
      const roles: string[] = [];
      for (const r of e.resources) {
        if (/:iam::\d{12}:role\//.test(r)) roles.push(iamKey(r));
        else if (/:iam::\d{12}:instance-profile\//.test(r)) {
          const role = roleOfProfile.get(iamKey(r));
          if (role) roles.push(role);
        }
      }
      for (const role of roles) {
        const others = e.resources.filter((r) => iamKey(r) !== role);
        if (service) push(this.roleUses, role, { service, eventId: e.eventID, eventTime: e.eventTime, principalArn: e.principalArn, resources: others });
        for (const o of others) if (!/:iam::/.test(o) || /:instance-profile\//.test(o)) this.resourceRole.set(iamKey(o), role);
      }
    }
  }

  /** Uses of a role by a service seen in CloudTrail. */
  usesOf(roleArn: string, service?: string): RoleUse[] {
    const uses = this.roleUses.get(iamKey(roleArn)) ?? [];
    return service ? uses.filter((u) => u.service === service) : uses;
  }

  /** Every ARN known to stand for this role in events: the role, its instance profiles, resources running as it. */
  aliasesOf(roleArn: string, instanceProfiles: readonly string[] = []): string[] {
    const key = iamKey(roleArn);
    const out = [roleArn, ...instanceProfiles];
    for (const [res, role] of this.resourceRole) if (role === key) out.push(res);
    return out;
  }

  step(q: StepQuery): StepEvidence {
    const actions = new Set(q.actions.map((a) => a.toLowerCase()));
    const related = new Set(q.related.map(iamKey));
    const candidates =
      q.fromKind === 'account'
        ? (this.byAccount.get(q.from) ?? [])
        : q.fromKind === 'federated' || q.fromKind === 'public' || q.fromKind === 'service'
          ? [...related].flatMap((r) => this.byResource.get(r) ?? [])
          : (this.byPrincipal.get(q.from) ?? []);
    const succeeded: string[] = [];
    const failed: string[] = [];
    let firstSeen: string | null = null;
    let lastSeen: string | null = null;
    const seen = new Set<string>();
    for (const e of candidates) {
      if (seen.has(e.eventID)) continue;
      seen.add(e.eventID);
      if (!e.actions.some((a) => actions.has(a.toLowerCase()))) continue;
      if (related.size > 0 && !e.resources.some((r) => related.has(iamKey(r)))) continue;
      if (!e.errorCode) succeeded.push(e.eventID);
      else if (isDenied(e.errorCode)) failed.push(e.eventID);
      else continue;
      if (!firstSeen || e.eventTime < firstSeen) firstSeen = e.eventTime;
      if (!lastSeen || e.eventTime > lastSeen) lastSeen = e.eventTime;
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

  /** Events of one principal with any of these (lower-cased) actions. */
  eventsOf(principalArn: string, actions: ReadonlySet<string>): NormalizedEvent[] {
    return (this.byPrincipal.get(principalArn) ?? []).filter((e) => e.actions.some((a) => actions.has(a.toLowerCase())));
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** At most this many events are kept (the raw record is dropped: only ids and normalised fields are needed). */
export const MAX_EVIDENCE_EVENTS = 200_000;

/**
 * The window's events of escalation-relevant actions (succeeded or failed), without their raw
 * records, in eventTime order. One scan of the window for every action; events appear once.
 */
export async function loadEscalationEvents(
  events: Pick<EventStore, 'iterate'>,
  q: { since: string; until: string; recipientAccountId?: string },
  /** Actions seen in the window at all (lower-cased, e.g. from usage aggregates): others are not queried. */
  present?: ReadonlySet<string>,
): Promise<NormalizedEvent[]> {
  const out = new Map<string, NormalizedEvent>();
  // the store matches IAM's spelling of the action exactly
  // calls without an IAM principal (web identity, SAML, another account's AssumeRole) have no usage rows: always asked
  const wanted = evidenceActions().filter((a) => !present || present.has(a) || a.startsWith('sts:assumerole'));
  const anyAction = [...new Set(wanted.map((a) => canonicalAction(a) ?? a))];
  if (anyAction.length === 0) return [];
  // One scan of the window for all actions, in eventTime order, without raw records.
  for await (const e of events.iterate({ since: q.since, until: q.until, recipientAccountId: q.recipientAccountId, anyAction, columnsOnly: true })) {
    if (out.size >= MAX_EVIDENCE_EVENTS) break;
    const key = `${e.eventID}|${e.recipientAccountId ?? ''}`;
    if (!out.has(key)) out.set(key, e);
  }
  return [...out.values()];
}
