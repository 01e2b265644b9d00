import type { NormalizedEvent } from '../../model/index.js';
import type { AccountSnapshot, IamGroup, IamRole, IamUser, ManagedPolicy, PolicyDocument } from '../types.js';
import { decodePolicyDocument } from '../snapshot/policy-document.js';
import { isAwsManagedPolicyArn, shippedAwsManagedPolicy } from '../snapshot/aws-managed.js';

/** One applied change event, as findings report it. */
export interface ReplayedChange {
  eventID: string;
  eventName: string;
  eventTime: string;
  /** Who made the change (the principal ARN CloudTrail names), or null. */
  actor: string | null;
}

/** What the replay did to one identity's configuration (directly, through a group or a managed policy). */
export interface IdentityConfiguration {
  changes: ReplayedChange[];
  /** Some change could not be applied exactly: the effective permissions may be wrong. */
  uncertain: boolean;
  /** Why, one line per cause. */
  uncertainty: string[];
}

interface Marks {
  changes: ReplayedChange[];
  uncertainty: string[];
}

/**
 * The mutable configuration of one account while its change events are applied: a deep copy of
 * the snapshot (the stored one is never changed), indexes by name, and what each event touched
 * (identities by ARN, managed policies by ARN) so that the effect can be attributed at the end.
 */
export class ReplayState {
  readonly snapshot: AccountSnapshot;
  /** Known documents of each managed policy version, to apply SetDefaultPolicyVersion exactly. */
  private readonly versions = new Map<string, Map<string, PolicyDocument>>();
  private readonly identityMarks = new Map<string, Marks>();
  private readonly policyMarks = new Map<string, Marks>();
  /** The event being applied. */
  private current: ReplayedChange | null = null;
  /** Application order of the events (ties in eventTime keep it). */
  private readonly order = new Map<ReplayedChange, number>();

  constructor(base: AccountSnapshot) {
    this.snapshot = structuredClone(base);
    for (const p of this.snapshot.policies.values()) {
      if (p.versionId) this.versions.set(p.arn, new Map([[p.versionId, p.document]]));
    }
  }

  /** Starts applying an event: what is touched from now on is attributed to it. */
  begin(change: ReplayedChange | null): void {
    this.current = change;
    if (change) this.order.set(change, this.order.size);
  }

  get accountId(): string {
    return this.snapshot.accountId;
  }

  user(name: string): IamUser | undefined {
    return this.snapshot.users.find((u) => u.name === name);
  }

  role(name: string): IamRole | undefined {
    return this.snapshot.roles.find((r) => r.name === name);
  }

  group(name: string): IamGroup | undefined {
    return this.snapshot.groups.find((g) => g.name === name);
  }

  /** The ARN an identity of that name has (or would have: path unknown for one never seen). */
  arnOf(kind: 'user' | 'role' | 'group', name: string): string {
    const known = kind === 'user' ? this.user(name) : kind === 'role' ? this.role(name) : this.group(name);
    return known?.arn ?? `arn:${this.partition()}:iam::${this.accountId}:${kind}/${name}`;
  }

  partition(): string {
    const any = this.snapshot.users[0]?.arn ?? this.snapshot.roles[0]?.arn ?? this.snapshot.groups[0]?.arn ?? '';
    return /^arn:(aws[a-z-]*):/.exec(any)?.[1] ?? 'aws';
  }

  /** Records that the current event changed this identity. */
  touch(arn: string): void {
    this.mark(this.identityMarks, arn);
  }

  /** Records that the current event changed this identity but could not be applied exactly. */
  uncertain(arn: string, why: string): void {
    this.mark(this.identityMarks, arn).uncertainty.push(why);
  }

  touchPolicy(arn: string, uncertainWhy?: string): void {
    const m = this.mark(this.policyMarks, arn);
    if (uncertainWhy) m.uncertainty.push(uncertainWhy);
  }

  private mark(marks: Map<string, Marks>, arn: string): Marks {
    let m = marks.get(arn);
    if (!m) marks.set(arn, (m = { changes: [], uncertainty: [] }));
    if (this.current && !m.changes.includes(this.current)) m.changes.push(this.current);
    return m;
  }

  /**
   * The managed policy an attachment or boundary refers to, making it known to the snapshot when
   * shipped AWS data has it; undefined (and the ARN listed as unresolved) when its document is unknown.
   */
  resolvePolicy(arn: string): ManagedPolicy | undefined {
    const known = this.snapshot.policies.get(arn);
    if (known) return known;
    const shipped = isAwsManagedPolicyArn(arn) ? shippedAwsManagedPolicy(arn) : undefined;
    if (shipped) {
      this.snapshot.policies.set(arn, shipped);
      return shipped;
    }
    if (!this.snapshot.unresolvedPolicyArns.includes(arn)) this.snapshot.unresolvedPolicyArns.push(arn);
    return undefined;
  }

  rememberVersion(policyArn: string, versionId: string, document: PolicyDocument): void {
    let v = this.versions.get(policyArn);
    if (!v) this.versions.set(policyArn, (v = new Map()));
    v.set(versionId, document);
  }

  knownVersion(policyArn: string, versionId: string): PolicyDocument | undefined {
    return this.versions.get(policyArn)?.get(versionId);
  }

  forgetPolicy(arn: string): void {
    this.snapshot.policies.delete(arn);
    this.versions.delete(arn);
  }

  /**
   * Each identity's share of the replay: its own changes, those of the groups it is in now, and
   * those of the managed policies attached to it, its groups or its boundary.
   */
  configurations(): Map<string, IdentityConfiguration> {
    const out = new Map<string, IdentityConfiguration>();
    const s = this.snapshot;
    const groupArn = (name: string) => this.arnOf('group', name);
    const sources = (arn: string, policies: string[], groups: string[]): Marks[] => {
      const list: (Marks | undefined)[] = [this.identityMarks.get(arn)];
      for (const g of groups) {
        list.push(this.identityMarks.get(groupArn(g)));
        for (const p of this.group(g)?.attachedPolicyArns ?? []) list.push(this.policyMarks.get(p));
      }
      for (const p of policies) list.push(this.policyMarks.get(p));
      return list.filter((m): m is Marks => m !== undefined);
    };
    const add = (arn: string, marks: Marks[]) => {
      const changes = [...new Set(marks.flatMap((m) => m.changes))].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
      if (changes.length === 0) return;
      const uncertainty = [...new Set(marks.flatMap((m) => m.uncertainty))];
      out.set(arn, { changes, uncertain: uncertainty.length > 0, uncertainty });
    };
    for (const x of [...s.users, ...s.roles, ...s.groups]) {
      const policies = [...x.attachedPolicyArns, ...(x.permissionsBoundaryArn ? [x.permissionsBoundaryArn] : [])];
      add(x.arn, sources(x.arn, policies, x.type === 'user' ? (x as IamUser).groupNames : []));
    }
    // deleted identities (or ones never in the snapshot) keep their own record
    for (const [arn, m] of this.identityMarks) if (!out.has(arn)) add(arn, [m]);
    return out;
  }
}

/** The request's string parameter, or undefined. */
export function param(e: NormalizedEvent, name: string): string | undefined {
  const v = (e.raw.requestParameters as Record<string, unknown> | null | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function response(e: NormalizedEvent, ...path: string[]): unknown {
  let v: unknown = e.raw.responseElements;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** A policy document from the request, or undefined when absent or unreadable. */
export function documentParam(e: NormalizedEvent, name: string): PolicyDocument | undefined {
  const raw = (e.raw.requestParameters as Record<string, unknown> | null | undefined)?.[name];
  if (raw === undefined || raw === null) return undefined;
  try {
    return decodePolicyDocument(raw, `${e.eventName} ${name}`);
  } catch {
    return undefined;
  }
}
