/**
 * Builder state and evaluator access shared by the trust and technique edge builders: cached
 * effective permissions, admin-equivalence, cached isAllowed checks keyed by policy set, and
 * edge emission with CloudTrail evidence.
 */
import type { AccountSnapshot, EffectivePermissions, GrantKind, IamGroup, IamRole, PermissionEvaluator, PolicyDocument } from '../iam/index.js';
import { trustGrants } from './trust.js';
import { EvidenceIndex } from './evidence.js';
import { ADMIN_LEVERS, GUARDRAIL_MAX, PrivilegeGraph, type GraphEdge, type GraphInput, type Principal } from './model.js';

const NO_EVIDENCE = new EvidenceIndex([], []);

type Check = 'allowed' | 'conditional' | 'denied';

export abstract class BuilderBase {
  readonly graph: PrivilegeGraph;
  protected readonly ev: PermissionEvaluator;
  protected readonly evidence: EvidenceIndex;
  protected readonly perms = new Map<string, EffectivePermissions | null>();
  protected readonly checks = new Map<string, Check>();
  protected readonly rootAdmin = new Map<string, boolean>();
  protected readonly imported: Set<string>;
  protected readonly org: Set<string>;
  protected readonly identities = new Map<string, Principal | IamGroup>();
  /** Derived node id (a principal with permissions it may give itself) → the real principal's ARN. */
  protected readonly derivedFrom = new Map<string, string>();
  /** account → service → roles trusting it */
  protected readonly serviceRoles = new Map<string, Map<string, IamRole[]>>();

  constructor(protected readonly input: GraphInput) {
    this.ev = input.evaluator;
    this.evidence = input.evidence ?? NO_EVIDENCE;
    this.graph = new PrivilegeGraph(this.evidence);
    this.imported = new Set(input.snapshots.map((s) => s.accountId));
    this.org = new Set([...this.imported, ...(input.organizationAccountIds ?? [])]);
    for (const s of input.snapshots) for (const x of [...s.users, ...s.roles, ...s.groups]) this.identities.set(x.arn, x);
  }

  // ---- evaluator access, cached ------------------------------------------------------------

  protected permissions(arn: string): EffectivePermissions | null {
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

  protected admin(arn: string): { isAdmin: boolean; adminBasis?: 'all-actions' | 'account-maximum' } {
    const basis = this.adminBasis(arn);
    return basis ? { isAdmin: true, adminBasis: basis } : { isAdmin: false };
  }

  protected isAdmin(arn: string): boolean {
    return this.adminBasis(arn) !== null;
  }

  protected readonly guardrailAccounts = new Map<string, Map<string, GrantKind> | null>();
  protected readonly maxCache = new WeakMap<object, boolean>();

  /** The root's grants when the account's SCPs are guardrails only (see GraphNode.isAdmin), else null. */
  protected guardrails(accountId: string): Map<string, GrantKind> | null {
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

  protected grant(arn: string, action: string): GrantKind | undefined {
    return this.permissions(arn)?.granted.get(action);
  }

  /** An action on a resource, for the actor: 'full' grants need no simulation (true for every resource and context). */
  protected check(actor: string, action: string, resourceOrNode: string, context?: Record<string, string>): Check {
    const resource = this.realArn(resourceOrNode);
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

  protected readonly setIds = new WeakMap<object, number>();
  protected setCount = 0;
  protected readonly variablesOf = new Map<string, boolean>();
  protected readonly variableDocs = new WeakMap<PolicyDocument, boolean>();
  protected readonly agnosticTrust = new WeakMap<IamRole, boolean>();

  /**
   * Who the answer depends on. Principals sharing a policy set (the evaluator shares one granted
   * map per distinct set of identity policies, boundary and SCP chain), a type and an account get
   * the same answer — unless their policies use variables (\${aws:username}) or the role's trust
   * names principals or has conditions: then the actor itself is the key.
   */
  protected callerKey(actor: string, role: IamRole | null): string {
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

  protected trustIsAgnostic(role: IamRole): boolean {
    let v = this.agnosticTrust.get(role);
    if (v === undefined) {
      v = role.trustPolicy.Statement.every((st) => !st.Condition && !st.NotPrincipal) && trustGrants(role).every((g) => g.kind !== 'principal');
      this.agnosticTrust.set(role, v);
    }
    return v;
  }

  protected usesVariables(p: Principal): boolean {
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
  protected granted(actor: string, actions: readonly string[]): { conditional: boolean } | null {
    let conditional = false;
    for (const a of actions) {
      const g = this.grant(actor, a);
      if (!g) return null;
      if (g !== 'full') conditional = true;
    }
    return { conditional };
  }

  /** The account's SCPs allow everything (its root user is admin-equivalent): full control there is reachable at all. */
  protected accountAllowsAdmin(accountId: string): boolean {
    let v = this.rootAdmin.get(accountId);
    if (v === undefined) {
      v = (this.permissions(`arn:aws:iam::${accountId}:root`)?.isAdmin ?? false) || this.guardrails(accountId) !== null;
      this.rootAdmin.set(accountId, v);
    }
    return v;
  }

  /** Granting itself more would make the principal admin-equivalent: no boundary caps it and SCPs allow everything. */
  protected canBecomeAdmin(p: Principal): boolean {
    return p.permissionsBoundaryArn === null && this.accountAllowsAdmin(p.accountId);
  }

  protected edge(
    e: Omit<GraphEdge, 'status' | 'evidence'>,
    q: { evidenceFrom?: string; fromKind: string; actions: readonly string[]; related: readonly string[]; target?: string },
  ): void {
    // a derived node acts with its real principal's credentials: CloudTrail names that principal
    const evidence = this.evidence.step({
      from: q.evidenceFrom ?? this.realArn(e.from),
      fromKind: q.fromKind,
      actions: q.actions,
      related: q.related.map((r) => this.realArn(r)),
      target: q.target === undefined ? undefined : this.realArn(q.target),
    });
    const conditions = e.conditional && !e.conditions ? this.conditionsOf(e.from, e.actions) : [];
    const via = e.via === undefined ? {} : { via: this.realArn(e.via) };
    this.graph.addEdge({ ...e, ...via, ...(conditions.length ? { conditions } : {}), status: evidence.status, evidence });
  }

  /**
   * The actor may attach managed policies to itself only under conditions on iam:PolicyARN:
   * which policies decides where that leads (self-attach.ts), not "admin" outright.
   */
  protected attachLimitedToPolicies(actor: string, action: string): boolean {
    const conditions = this.conditionsOf(actor, [action]);
    return conditions.length > 0 && conditions.every((c) => c.split(' ')[1]?.toLowerCase() === 'iam:policyarn');
  }

  /** The real principal behind a derived node id (any other id unchanged). */
  protected realArn(id: string): string {
    return this.derivedFrom.get(id) ?? id;
  }

  private readonly conditionCache = new WeakMap<object, Map<string, string[]>>();

  /** What a conditional step hangs on, for the reader: the undecided conditions of the actor's grants. */
  protected conditionsOf(actor: string, actions: readonly string[]): string[] {
    if (!this.ev.conditionsOf || !this.identities.has(actor)) return [];
    const granted = this.permissions(actor)?.granted;
    if (!granted) return [];
    // principals sharing a granted map share their policy set, and so its conditions
    let byAction = this.conditionCache.get(granted);
    if (!byAction) this.conditionCache.set(granted, (byAction = new Map()));
    const out = new Set<string>();
    for (const a of actions) {
      let list = byAction.get(a);
      if (!list) byAction.set(a, (list = this.ev.conditionsOf(actor, a)));
      for (const c of list) out.add(c);
    }
    return [...out];
  }

  protected snapshotOf(accountId: string): AccountSnapshot | undefined {
    return this.input.snapshots.find((s) => s.accountId === accountId);
  }
}
