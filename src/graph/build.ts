/**
 * The privilege-escalation graph: nodes are IAM users, roles and groups of every imported
 * account, root users, accounts outside the imported ones, identity providers, AWS service
 * principals, "*" (anyone) and one "admin" state; an edge A → B means "A can act as B" (or, to
 * admin, "A can make itself or someone it controls admin-equivalent").
 *
 * Every permission question goes through the PermissionEvaluator, so permission boundaries,
 * SCPs and explicit denies apply to every edge, and trust policies to every sts:AssumeRole edge.
 * Evaluator calls are prefiltered by each actor's effective granted actions (a technique is
 * only tried when every action it needs is granted at all) and cached.
 */
import type { AccountSnapshot, EffectivePermissions, GrantKind, IamGroup, IamRole, IamUser, PermissionEvaluator, PolicyDocument } from '../iam/types.js';
import { TECHNIQUES, type Technique } from './techniques.js';
import { oidcScope, trustGrants, narrowsToOrgOrAccount, isWebIdentity, type TrustGrant } from './trust.js';
import { EvidenceIndex, type StepEvidence, type StepStatus } from './evidence.js';

export const ADMIN = 'admin';
export const PUBLIC = '*';

export type NodeKind = 'user' | 'role' | 'group' | 'root' | 'account' | 'federated' | 'service' | 'public' | 'admin';
export type Confidence = 'confirmed' | 'potential';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  accountId: string | null;
  name: string;
  /** In an imported snapshot (users, roles, groups, roots of imported accounts). */
  imported: boolean;
  /**
   * Admin-equivalent: the evaluator's isAdmin (every action on every resource after boundaries,
   * SCPs and denies), or, in an account whose SCPs are only guardrails (they deny at most
   * GUARDRAIL_MAX actions, none of the IAM/STS levers), every action the account's SCPs allow.
   */
  isAdmin: boolean;
  /** Why isAdmin: 'all-actions' (evaluator isAdmin) or 'account-maximum' (everything the SCP guardrails leave). */
  adminBasis?: 'all-actions' | 'account-maximum';
  /** Why this node is an entry point for attackers (empty when it is not one). */
  entry: string[];
}

export interface GraphEdge {
  from: string;
  to: string;
  /** A technique id of the table (techniques.ts) or a trust edge kind (trust-service, trust-web-identity, ...). */
  technique: string;
  actions: string[];
  /** Allowed only under a condition that cannot be decided statically (or on resources only some of which qualify). */
  conditional: boolean;
  /** potential: acts through a resource (function, instance, stack...) not seen in CloudTrail; confirmed otherwise. */
  confidence: Confidence;
  /** The principal, group, policy or resource the step goes through. */
  via?: string;
  /** service-role steps: the service the role is handed to. */
  service?: string;
  /** Federated trust without a subject condition (any identity of the provider). */
  unscoped?: boolean;
  /** CloudTrail status of the step in the window. */
  status: StepStatus;
  evidence: StepEvidence;
}

export interface GraphInput {
  snapshots: readonly AccountSnapshot[];
  evaluator: PermissionEvaluator;
  /** Accounts of the organization (SCP export) besides the imported ones: trusting them is not "external". */
  organizationAccountIds?: Iterable<string>;
  /** CloudTrail evidence in the window (loadEscalationEvents → EvidenceIndex). */
  evidence?: EvidenceIndex;
}

export interface GraphStats {
  nodes: number;
  edges: number;
  evaluatorCalls: number;
  actors: number;
  ms: number;
}

const NO_EVIDENCE = new EvidenceIndex([], []);

/** SCPs denying (or resource-limiting) at most this many actions are guardrails, not a cap on administrators. */
export const GUARDRAIL_MAX = 200;
/** Actions an account's SCPs must leave fully allowed for anyone there to count as admin-equivalent. */
export const ADMIN_LEVERS = ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutUserPolicy', 'iam:CreatePolicyVersion', 'iam:PassRole', 'iam:CreateRole', 'sts:AssumeRole'];
const PROBE_ROLE = 'trailscope-escalation-probe';

type Principal = IamUser | IamRole;
type Check = 'allowed' | 'conditional' | 'denied';

export class PrivilegeGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  readonly out = new Map<string, GraphEdge[]>();
  readonly in = new Map<string, GraphEdge[]>();
  readonly stats: GraphStats = { nodes: 0, edges: 0, evaluatorCalls: 0, actors: 0, ms: 0 };
  private readonly edgeKeys = new Set<string>();

  constructor(readonly evidence: EvidenceIndex) {}

  addNode(n: Omit<GraphNode, 'entry'> & { entry?: string[] }): GraphNode {
    const existing = this.nodes.get(n.id);
    if (existing) {
      for (const e of n.entry ?? []) if (!existing.entry.includes(e)) existing.entry.push(e);
      return existing;
    }
    const node: GraphNode = { ...n, entry: [...(n.entry ?? [])] };
    this.nodes.set(n.id, node);
    return node;
  }

  addEdge(e: GraphEdge): void {
    if (e.from === e.to) return;
    const key = `${e.from}\n${e.to}\n${e.technique}\n${e.via ?? ''}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push(e);
    push(this.out, e.from, e);
    push(this.in, e.to, e);
  }

  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Admin-equivalent targets: the admin state and every admin-equivalent user, role or root. */
  adminTargets(): Set<string> {
    const out = new Set<string>([ADMIN]);
    for (const n of this.nodes.values()) if (n.isAdmin && (n.kind === 'user' || n.kind === 'role' || n.kind === 'root')) out.add(n.id);
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Builds the graph. Synchronous: the evaluator is already prepared. */
export function buildGraph(input: GraphInput): PrivilegeGraph {
  const t0 = performance.now();
  const b = new Builder(input);
  b.run();
  const g = b.graph;
  g.stats.nodes = g.nodes.size;
  g.stats.edges = g.edges.length;
  g.stats.ms = Math.round(performance.now() - t0);
  return g;
}

class Builder {
  readonly graph: PrivilegeGraph;
  private readonly ev: PermissionEvaluator;
  private readonly evidence: EvidenceIndex;
  private readonly perms = new Map<string, EffectivePermissions | null>();
  private readonly checks = new Map<string, Check>();
  private readonly rootAdmin = new Map<string, boolean>();
  private readonly imported: Set<string>;
  private readonly org: Set<string>;
  private readonly identities = new Map<string, Principal | IamGroup>();
  /** account → service → roles trusting it */
  private readonly serviceRoles = new Map<string, Map<string, IamRole[]>>();

  constructor(private readonly input: GraphInput) {
    this.ev = input.evaluator;
    this.evidence = input.evidence ?? NO_EVIDENCE;
    this.graph = new PrivilegeGraph(this.evidence);
    this.imported = new Set(input.snapshots.map((s) => s.accountId));
    this.org = new Set([...this.imported, ...(input.organizationAccountIds ?? [])]);
    for (const s of input.snapshots) for (const x of [...s.users, ...s.roles, ...s.groups]) this.identities.set(x.arn, x);
  }

  run(): void {
    const { snapshots } = this.input;
    for (const s of snapshots) {
      const root = `arn:aws:iam::${s.accountId}:root`;
      this.graph.addNode({ id: root, kind: 'root', accountId: s.accountId, name: 'root', imported: true, ...this.admin(root) });
      for (const u of s.users) {
        const entry: string[] = [];
        if (u.accessKeys?.some((k) => k.active)) entry.push('access-key');
        if (u.hasConsolePassword) entry.push('console-password');
        this.graph.addNode({ id: u.arn, kind: 'user', accountId: s.accountId, name: u.name, imported: true, ...this.admin(u.arn), entry });
      }
      for (const r of s.roles) this.graph.addNode({ id: r.arn, kind: 'role', accountId: s.accountId, name: r.name, imported: true, ...this.admin(r.arn) });
      for (const g of s.groups) this.graph.addNode({ id: g.arn, kind: 'group', accountId: s.accountId, name: g.name, imported: true, isAdmin: false });
    }
    this.graph.addNode({ id: ADMIN, kind: 'admin', accountId: null, name: 'admin-equivalent', imported: false, isAdmin: true });
    for (const s of snapshots) for (const r of s.roles) this.trustEdges(s, r);
    for (const s of snapshots) {
      for (const p of [...s.users, ...s.roles]) {
        if (this.graph.node(p.arn)?.isAdmin || isServiceLinked(p)) continue;
        this.graph.stats.actors++;
        this.techniqueEdges(s, p);
      }
    }
  }

  // ---- evaluator access, cached ------------------------------------------------------------

  private permissions(arn: string): EffectivePermissions | null {
    if (!this.perms.has(arn)) {
      let p: EffectivePermissions | null = null;
      try {
        p = this.ev.effective(arn);
      } catch {
        p = null;
      }
      this.perms.set(arn, p);
    }
    return this.perms.get(arn)!;
  }

  private admin(arn: string): { isAdmin: boolean; adminBasis?: 'all-actions' | 'account-maximum' } {
    const basis = this.adminBasis(arn);
    return basis ? { isAdmin: true, adminBasis: basis } : { isAdmin: false };
  }

  private isAdmin(arn: string): boolean {
    return this.adminBasis(arn) !== null;
  }

  private readonly guardrailAccounts = new Map<string, Map<string, GrantKind> | null>();
  private readonly maxCache = new WeakMap<object, boolean>();

  /** The root's grants when the account's SCPs are guardrails only (see GraphNode.isAdmin), else null. */
  private guardrails(accountId: string): Map<string, GrantKind> | null {
    if (!this.guardrailAccounts.has(accountId)) {
      const root = this.permissions(`arn:aws:iam::${accountId}:root`);
      const universe = (this.ev as { universe?: { size?: number } }).universe?.size;
      let v: Map<string, GrantKind> | null = null;
      if (root && !root.isAdmin && universe) {
        let notFull = universe - root.granted.size;
        for (const [, k] of root.granted) if (k !== 'full') notFull++;
        if (notFull <= GUARDRAIL_MAX && ADMIN_LEVERS.every((a) => root.granted.get(a) === 'full')) v = root.granted;
      }
      this.guardrailAccounts.set(accountId, v);
    }
    return this.guardrailAccounts.get(accountId)!;
  }

  adminBasis(arn: string): 'all-actions' | 'account-maximum' | null {
    const p = this.permissions(arn);
    if (!p) return null;
    if (p.isAdmin) return 'all-actions';
    const accountId = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1];
    const root = accountId ? this.guardrails(accountId) : null;
    if (!root) return null;
    let v = this.maxCache.get(p.granted);
    if (v === undefined) {
      v = p.granted.size >= root.size;
      if (v) for (const [a, k] of root) {
          if (k === 'full' && p.granted.get(a) !== 'full') {
            v = false;
            break;
          }
        }
      this.maxCache.set(p.granted, v);
    }
    return v ? 'account-maximum' : null;
  }

  private grant(arn: string, action: string): GrantKind | undefined {
    return this.permissions(arn)?.granted.get(action);
  }

  /** An action on a resource, for the actor: 'full' grants need no simulation (true for every resource and context). */
  private check(actor: string, action: string, resource: string, context?: Record<string, string>): Check {
    const g = this.grant(actor, action);
    if (!g) return 'denied';
    const target = this.identities.get(resource);
    const assumesRole = action.toLowerCase() === 'sts:assumerole' && target?.type === 'role';
    if (g === 'full' && !assumesRole) return 'allowed';
    const key = `${this.callerKey(actor, assumesRole ? (target as IamRole) : null)}\n${action}\n${resource}\n${context ? JSON.stringify(context) : ''}`;
    let r = this.checks.get(key);
    if (r === undefined) {
      this.graph.stats.evaluatorCalls++;
      try {
        r = this.ev.isAllowed(actor, action, resource, context);
      } catch {
        r = 'denied';
      }
      this.checks.set(key, r);
    }
    return r;
  }

  private readonly setIds = new WeakMap<object, number>();
  private setCount = 0;
  private readonly variablesOf = new Map<string, boolean>();
  private readonly variableDocs = new WeakMap<PolicyDocument, boolean>();
  private readonly agnosticTrust = new WeakMap<IamRole, boolean>();

  /**
   * Who the answer depends on. Principals sharing a policy set (the evaluator shares one granted
   * map per distinct set of identity policies, boundary and SCP chain), a type and an account get
   * the same answer — unless their policies use variables (\${aws:username}) or the role's trust
   * names principals or has conditions: then the actor itself is the key.
   */
  private callerKey(actor: string, role: IamRole | null): string {
    const p = this.identities.get(actor);
    const perms = this.permissions(actor);
    if (!p || !perms || p.type === 'group') return actor;
    if (role && !this.trustIsAgnostic(role)) return actor;
    let vars = this.variablesOf.get(actor);
    if (vars === undefined) this.variablesOf.set(actor, (vars = this.usesVariables(p)));
    if (vars) return actor;
    let id = this.setIds.get(perms.granted);
    if (id === undefined) this.setIds.set(perms.granted, (id = ++this.setCount));
    return `set:${id}|${p.type}|${p.accountId}`;
  }

  private trustIsAgnostic(role: IamRole): boolean {
    let v = this.agnosticTrust.get(role);
    if (v === undefined) {
      v = role.trustPolicy.Statement.every((st) => !st.Condition && !st.NotPrincipal) && trustGrants(role).every((g) => g.kind !== 'principal');
      this.agnosticTrust.set(role, v);
    }
    return v;
  }

  private usesVariables(p: Principal): boolean {
    const s = this.snapshotOf(p.accountId);
    const docs: PolicyDocument[] = p.inlinePolicies.map((x) => x.document);
    for (const a of [...p.attachedPolicyArns, ...(p.permissionsBoundaryArn ? [p.permissionsBoundaryArn] : [])]) {
      const d = s?.policies.get(a)?.document;
      if (d) docs.push(d);
    }
    if (p.type === 'user') {
      for (const name of p.groupNames) {
        const g = s?.groups.find((x) => x.name === name);
        if (!g) continue;
        docs.push(...g.inlinePolicies.map((x) => x.document));
        for (const a of g.attachedPolicyArns) {
          const d = s?.policies.get(a)?.document;
          if (d) docs.push(d);
        }
      }
    }
    return docs.some((d) => {
      let v = this.variableDocs.get(d);
      if (v === undefined) {
        v = JSON.stringify(d).includes('${');
        this.variableDocs.set(d, v);
      }
      return v;
    });
  }

  /** Every action granted at all (none on a specific resource): null when one is missing, else whether any is less than full. */
  private granted(actor: string, actions: readonly string[]): { conditional: boolean } | null {
    let conditional = false;
    for (const a of actions) {
      const g = this.grant(actor, a);
      if (!g) return null;
      if (g !== 'full') conditional = true;
    }
    return { conditional };
  }

  /** The account's SCPs allow everything (its root user is admin-equivalent): full control there is reachable at all. */
  private accountAllowsAdmin(accountId: string): boolean {
    let v = this.rootAdmin.get(accountId);
    if (v === undefined) {
      v = (this.permissions(`arn:aws:iam::${accountId}:root`)?.isAdmin ?? false) || this.guardrails(accountId) !== null;
      this.rootAdmin.set(accountId, v);
    }
    return v;
  }

  /** Granting itself more would make the principal admin-equivalent: no boundary caps it and SCPs allow everything. */
  private canBecomeAdmin(p: Principal): boolean {
    return p.permissionsBoundaryArn === null && this.accountAllowsAdmin(p.accountId);
  }

  private edge(
    e: Omit<GraphEdge, 'status' | 'evidence'>,
    q: { evidenceFrom?: string; fromKind: string; actions: readonly string[]; related: readonly string[]; target?: string },
  ): void {
    const evidence = this.evidence.step({ from: q.evidenceFrom ?? e.from, fromKind: q.fromKind, actions: q.actions, related: q.related, target: q.target });
    this.graph.addEdge({ ...e, status: evidence.status, evidence });
  }

  // ---- trust edges ------------------------------------------------------------------------

  private trustEdges(s: AccountSnapshot, role: IamRole): void {
    if (isServiceLinked(role)) return;
    const grants = trustGrants(role);
    const candidates = new Set<string>();
    for (const g of grants) {
      const assume = g.actions.some((a) => /^sts:(AssumeRole|\*)$/i.test(a) || a === '*');
      const conditional = !!g.condition;
      switch (g.kind) {
        case 'service': {
          this.graph.addNode({ id: g.value, kind: 'service', accountId: null, name: g.value, imported: false, isAdmin: false });
          this.edge(
            { from: g.value, to: role.arn, technique: 'trust-service', actions: ['sts:AssumeRole'], conditional, confidence: 'confirmed', service: g.value },
            { fromKind: 'service', actions: [], related: [] },
          );
          let byService = this.serviceRoles.get(s.accountId);
          if (!byService) this.serviceRoles.set(s.accountId, (byService = new Map()));
          const l = byService.get(g.value) ?? [];
          if (!l.includes(role)) l.push(role);
          byService.set(g.value, l);
          break;
        }
        case 'federated': {
          const web = isWebIdentity(g);
          const scope = web ? oidcScope(g) : null;
          const unscoped = !!scope && !scope.hasSubject;
          this.graph.addNode({
            id: g.value,
            kind: 'federated',
            accountId: g.accountId,
            name: g.value.split('/').pop() ?? g.value,
            imported: false,
            isAdmin: false,
            entry: unscoped ? ['unscoped-oidc'] : [],
          });
          this.edge(
            { from: g.value, to: role.arn, technique: web ? 'trust-web-identity' : 'trust-saml', actions: [web ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRoleWithSAML'], conditional: conditional && !unscoped, confidence: 'confirmed', unscoped },
            { fromKind: 'federated', actions: ['sts:assumerolewithwebidentity', 'sts:assumerolewithsaml'], related: [role.arn] },
          );
          break;
        }
        case 'public': {
          if (!assume) break;
          if (!narrowsToOrgOrAccount(g)) {
            this.graph.addNode({ id: PUBLIC, kind: 'public', accountId: null, name: 'anyone (*)', imported: false, isAdmin: false, entry: ['public-trust'] });
            this.edge(
              { from: PUBLIC, to: role.arn, technique: 'trust-public', actions: ['sts:AssumeRole'], conditional, confidence: 'confirmed' },
              { fromKind: 'public', actions: ['sts:assumerole'], related: [role.arn] },
            );
          }
          for (const snap of this.input.snapshots) for (const p of [...snap.users, ...snap.roles]) candidates.add(p.arn);
          break;
        }
        case 'account':
        case 'principal': {
          if (!assume) break;
          const acct = g.accountId;
          const known = g.kind === 'principal' ? this.identities.get(g.value) : undefined;
          if (known && known.type !== 'group') {
            candidates.add(known.arn);
          } else if (acct && this.imported.has(acct) && g.kind === 'account') {
            const snap = this.input.snapshots.find((x) => x.accountId === acct)!;
            for (const p of [...snap.users, ...snap.roles]) candidates.add(p.arn);
          } else if (acct && !this.imported.has(acct)) {
            this.externalEdge(acct, role, g);
          }
          break;
        }
      }
    }
    for (const c of candidates) {
      if (c === role.arn || this.graph.node(c)?.isAdmin || !this.grant(c, 'sts:AssumeRole')) continue;
      const r = this.check(c, 'sts:AssumeRole', role.arn);
      if (r === 'denied') continue;
      this.edge(
        { from: c, to: role.arn, technique: 'sts-001', actions: ['sts:AssumeRole'], conditional: r === 'conditional', confidence: 'confirmed' },
        { fromKind: this.identities.get(c)?.type ?? 'user', actions: ['sts:assumerole'], related: [role.arn], target: role.arn },
      );
    }
  }

  private externalEdge(acct: string, role: IamRole, g: TrustGrant): void {
    const id = `arn:aws:iam::${acct}:root`;
    const inOrg = this.org.has(acct);
    this.graph.addNode({ id, kind: 'account', accountId: acct, name: acct, imported: false, isAdmin: false, entry: [inOrg ? 'organization-account-trust' : 'external-account-trust'] });
    // the role's account logs the caller only as its account (userIdentity type AWSAccount)
    this.edge(
      { from: id, to: role.arn, technique: 'trust-external', actions: ['sts:AssumeRole'], conditional: !!g.condition, confidence: 'confirmed', ...(g.kind === 'principal' ? { via: g.value } : {}) },
      { evidenceFrom: acct, fromKind: 'account', actions: ['sts:assumerole'], related: [role.arn] },
    );
  }

  // ---- technique edges ----------------------------------------------------------------------

  private techniqueEdges(s: AccountSnapshot, p: Principal): void {
    const granted = this.permissions(p.arn)?.granted;
    if (!granted || granted.size === 0) return;
    for (const t of TECHNIQUES) {
      if (t.target === 'role-assume' || t.retired) continue; // role-assume: from trust policies (trustEdges)
      const any = t.anyOf ? t.actions.some((a) => granted.get(a)) : t.actions.every((a) => granted.get(a));
      if (!any) continue;
      switch (t.target) {
        case 'self':
          this.self(t, p);
          break;
        case 'own-group':
          this.ownGroup(s, t, p);
          break;
        case 'own-policy':
          this.ownPolicy(s, t, p);
          break;
        case 'admin-group':
          this.adminGroup(s, t, p);
          break;
        case 'user-credentials':
          this.userCredentials(s, t, p);
          break;
        case 'role-trust-update':
          this.roleTrustUpdate(s, t, p);
          break;
        case 'modify-and-access':
          this.modifyAndAccess(s, t, p);
          break;
        case 'new-role':
          this.newRole(t, p);
          break;
        case 'service-role':
          this.serviceRole(s, t, p);
          break;
      }
    }
  }

  /** All actions allowed on one resource: null if one is denied, else whether any is conditional. */
  private allOn(actor: string, actions: readonly string[], resource: string, context?: Record<string, string>): { conditional: boolean } | null {
    let conditional = false;
    for (const a of actions) {
      const r = this.check(actor, a, resource, context);
      if (r === 'denied') return null;
      if (r === 'conditional') conditional = true;
    }
    return { conditional };
  }

  private self(t: Technique, p: Principal): void {
    if (!t.principalTypes?.includes(p.type)) return;
    const own = p.type === 'user' ? /User/ : /Role/;
    const actions = t.anyOf ? t.actions.filter((a) => own.test(a)) : t.actions;
    if (actions.length === 0 || actions.some((a) => /User|Role/.test(a) && !own.test(a))) return;
    const boundaryTechnique = actions.some((a) => /PermissionsBoundary$/.test(a));
    if (boundaryTechnique) {
      // removing or replacing the boundary leaves the identity policies: admin if they allow everything
      if (p.permissionsBoundaryArn === null || !this.accountAllowsAdmin(p.accountId) || !identityAllowsAll(p, this.snapshotOf(p.accountId))) return;
    } else if (!this.canBecomeAdmin(p)) return;
    const r = this.allOn(p.arn, actions, p.arn);
    if (!r) return;
    this.edge(
      { from: p.arn, to: ADMIN, technique: t.id, actions: [...actions], conditional: r.conditional, confidence: 'confirmed', via: p.arn },
      { fromKind: p.type, actions: actions.map(lc), related: [p.arn] },
    );
  }

  private ownGroup(s: AccountSnapshot, t: Technique, p: Principal): void {
    if (p.type !== 'user' || !this.canBecomeAdmin(p)) return;
    for (const name of p.groupNames) {
      const g = s.groups.find((x) => x.name === name);
      if (!g) continue;
      const r = this.allOn(p.arn, t.actions, g.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed', via: g.arn },
        { fromKind: 'user', actions: t.actions.map(lc), related: [g.arn] },
      );
    }
  }

  private ownPolicy(s: AccountSnapshot, t: Technique, p: Principal): void {
    if (!this.canBecomeAdmin(p)) return;
    for (const arn of customerPoliciesOf(s, p)) {
      const r = this.allOn(p.arn, t.actions, arn);
      if (!r) continue;
      // SetDefaultPolicyVersion only helps when a non-default version grants more: the snapshot holds the default one
      const conditional = r.conditional || t.actions.includes('iam:SetDefaultPolicyVersion');
      this.edge(
        { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional, confidence: 'confirmed', via: arn },
        { fromKind: p.type, actions: t.actions.map(lc), related: [arn] },
      );
    }
  }

  private adminGroup(s: AccountSnapshot, t: Technique, p: Principal): void {
    if (p.type !== 'user' || !this.canBecomeAdmin(p)) return;
    for (const g of s.groups) {
      if (p.groupNames.includes(g.name) || !this.isAdmin(g.arn)) continue;
      const r = this.allOn(p.arn, t.actions, g.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed', via: g.arn },
        { fromKind: 'user', actions: t.actions.map(lc), related: [g.arn] },
      );
    }
  }

  private userCredentials(s: AccountSnapshot, t: Technique, p: Principal): void {
    const keys = t.actions.includes('iam:CreateAccessKey');
    for (const u of s.users) {
      if (u.arn === p.arn) continue;
      let unknown = false;
      if (keys) {
        const n = u.accessKeys?.length ?? 0;
        // two keys already: a third needs DeleteAccessKey first (iam-003); fewer: CreateAccessKey alone (iam-002)
        if (t.actions.includes('iam:DeleteAccessKey') !== n >= 2) continue;
      } else {
        const create = t.actions.includes('iam:CreateLoginProfile');
        if (u.hasConsolePassword === undefined) unknown = true;
        else if (create === u.hasConsolePassword) continue;
      }
      const r = this.allOn(p.arn, t.actions, u.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: u.arn, technique: t.id, actions: [...t.actions], conditional: r.conditional || unknown, confidence: 'confirmed' },
        { fromKind: p.type, actions: t.actions.map(lc), related: [u.arn], target: u.arn },
      );
    }
  }

  private roleTrustUpdate(s: AccountSnapshot, t: Technique, p: Principal): void {
    for (const role of s.roles) {
      if (role.arn === p.arn || isServiceLinked(role)) continue;
      const r = this.allOn(p.arn, t.actions, role.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: role.arn, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed' },
        { fromKind: p.type, actions: t.actions.map(lc), related: [role.arn], target: role.arn },
      );
    }
  }

  private modifyAndAccess(s: AccountSnapshot, t: Technique, p: Principal): void {
    const type = t.principalTypes?.[0];
    const targets: Principal[] = type === 'user' ? s.users : s.roles;
    for (const b of targets) {
      if (b.arn === p.arn || isServiceLinked(b) || this.isAdmin(b.arn) || !this.canBecomeAdmin(b)) continue;
      const access = this.check(p.arn, t.access!, b.arn);
      if (access === 'denied') continue;
      const resources = t.modify === 'iam:CreatePolicyVersion' ? customerPoliciesOf(s, b) : [b.arn];
      for (const res of resources) {
        const m = this.check(p.arn, t.modify!, res);
        if (m === 'denied') continue;
        this.edge(
          { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: m === 'conditional' || access === 'conditional', confidence: 'confirmed', via: b.arn },
          { fromKind: p.type, actions: [lc(t.modify!)], related: [res], target: b.arn },
        );
        break;
      }
    }
  }

  private newRole(t: Technique, p: Principal): void {
    if (!this.accountAllowsAdmin(p.accountId)) return;
    const probe = `arn:aws:iam::${p.accountId}:role/${PROBE_ROLE}`;
    const r = this.allOn(p.arn, t.actions, probe);
    if (!r) return;
    this.edge(
      { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed' },
      { fromKind: p.type, actions: ['iam:createrole', 'iam:attachrolepolicy'], related: [] },
    );
  }

  private serviceRole(s: AccountSnapshot, t: Technique, p: Principal): void {
    const roles = this.serviceRoles.get(s.accountId)?.get(t.service!) ?? [];
    if (roles.length === 0) return;
    const others = t.actions.filter((a) => a !== 'iam:PassRole');
    const base = this.granted(p.arn, others);
    if (!base) return;
    for (const role of roles) {
      if (role.arn === p.arn) continue;
      if (t.instanceProfile && role.instanceProfileArns.length === 0) continue;
      let conditional = base.conditional;
      if (t.passRole) {
        const r = this.check(p.arn, 'iam:PassRole', role.arn, { 'iam:PassedToService': t.service! });
        if (r === 'denied') continue;
        if (r === 'conditional') conditional = true;
      }
      const uses = this.evidence.usesOf(role.arn, t.service);
      const confidence: Confidence = uses.length > 0 ? 'confirmed' : 'potential';
      this.edge(
        { from: p.arn, to: role.arn, technique: t.id, actions: [...t.actions], conditional, confidence, service: t.service!, ...(uses[0] ? { via: uses[0].resources[0] ?? role.arn } : {}) },
        { fromKind: p.type, actions: others.map(lc), related: this.evidence.aliasesOf(role.arn, role.instanceProfileArns), target: role.arn },
      );
    }
  }

  private snapshotOf(accountId: string): AccountSnapshot | undefined {
    return this.input.snapshots.find((s) => s.accountId === accountId);
  }
}

function lc(s: string): string {
  return s.toLowerCase();
}

export function isServiceLinked(p: { path: string }): boolean {
  return p.path.startsWith('/aws-service-role/');
}

/** Customer-managed policies attached to the principal (and, for users, to its groups). */
export function customerPoliciesOf(s: AccountSnapshot, p: Principal): string[] {
  const arns = new Set(p.attachedPolicyArns);
  if (p.type === 'user') for (const name of p.groupNames) for (const a of s.groups.find((g) => g.name === name)?.attachedPolicyArns ?? []) arns.add(a);
  return [...arns].filter((a) => !s.policies.get(a)?.awsManaged && !/:iam::aws:policy\//.test(a));
}

/** The identity policies (inline, attached, groups') allow "*" on "*" without condition and deny nothing. */
export function identityAllowsAll(p: Principal, s: AccountSnapshot | undefined): boolean {
  if (!s) return false;
  const docs: PolicyDocument[] = p.inlinePolicies.map((x) => x.document);
  const attached = [...p.attachedPolicyArns];
  if (p.type === 'user') {
    for (const name of p.groupNames) {
      const g = s.groups.find((x) => x.name === name);
      if (!g) continue;
      docs.push(...g.inlinePolicies.map((x) => x.document));
      attached.push(...g.attachedPolicyArns);
    }
  }
  for (const a of attached) {
    const d = s.policies.get(a)?.document;
    if (d) docs.push(d);
  }
  const statements = docs.flatMap((d) => d.Statement);
  if (statements.some((st) => st.Effect === 'Deny')) return false;
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return statements.some((st) => st.Effect === 'Allow' && !st.Condition && list(st.Action).includes('*') && list(st.Resource).includes('*'));
}
