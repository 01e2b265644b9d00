import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import { validateIdentityPolicy, validateServiceControlPolicy } from '@cloud-copilot/iam-policy';
import type {
  EffectivePermissions,
  GrantKind,
  IamGroup,
  IamRole,
  IamUser,
  PermissionEvaluator,
  PolicyDocument,
  PolicyStatement,
  ScpChain,
} from '../types.js';
import type { IamModel } from '../model.js';
import { asList } from '../snapshot/policy-document.js';
import { actionMatchesPattern } from '@cloud-copilot/iam-expand';
import { ActionUniverse, forEachBit, hasBit } from './actions.js';

/**
 * Effective permissions of IAM principals, at action level.
 *
 * How it works (fast path first, simulator only where it decides):
 * 1. Every policy statement's Action/NotAction list is expanded once (iam-expand) into a bitset
 *    over the ~22,000 actions of iam-data.
 * 2. Each layer — identity policies (inline, managed, through groups), the permission boundary,
 *    every SCP level — becomes a per-action grade: 3 full (Resource "*", no condition),
 *    2 limited (resource-constrained), 1 conditional (only under a condition), 0 none; denies
 *    cap the grade (unconditional "*" deny → 0, resource-limited deny → 2, conditional deny → 1).
 * 3. A principal's grade is the minimum over its layers. Results are cached per layer and per
 *    distinct (identity policies + boundary + SCP chain) set, which many identities share.
 * 4. Only where resource constraints of two layers meet (could the intersection be empty?),
 *    or a resource-limited deny meets a resource-limited allow, the simulator
 *    (iam-simulate, unvalidated call on policies validated once) decides on the granting
 *    statements' resources.
 * isAllowed() runs the simulator for one request, twice at most: with undecidable conditions
 * read pessimistically ('allowed') and optimistically ('conditional').
 */

const FULL = 3;
const LIMITED = 2;
const CONDITIONAL = 1;
const KIND: Record<number, GrantKind> = { [FULL]: 'full', [LIMITED]: 'limited', [CONDITIONAL]: 'conditional' };

export class UnknownPrincipalError extends Error {}

interface CompiledStatement {
  effect: 'Allow' | 'Deny';
  actions: Uint32Array;
  grade: number;
  statement: PolicyStatement;
}

interface CompiledPolicy {
  id: string;
  name: string;
  document: PolicyDocument;
  statements: CompiledStatement[];
}

interface PolicyArrays {
  allow: Uint8Array;
  /** null when the policy has no Deny */
  cap: Uint8Array | null;
  resourceDeny: Uint8Array | null;
}

interface Layer {
  allow: Uint8Array;
  caps: Uint8Array[];
  resourceDenies: Uint8Array[];
}

interface PolicySet {
  key: string;
  accountId: string;
  identity: CompiledPolicy[];
  /** undefined: no boundary; null: a boundary whose document is unknown */
  boundary: CompiledPolicy | null | undefined;
  scp: ScpChain | undefined;
  scpLevels: CompiledPolicy[][];
  unresolved: string[];
}

interface SetResult {
  granted: Map<string, GrantKind>;
  grade: Uint8Array;
  isAdmin: boolean;
}

export interface EvaluatorStats {
  principals: number;
  distinctPolicySets: number;
  layerCacheSize: number;
  simulatorCalls: number;
  policiesWithValidationErrors: number;
}

export interface EvaluatorOptions {
  /** Validate documents with iam-policy once while preparing (default true). */
  validate?: boolean;
}

/** Prepares an evaluator for a model: loads the action universe and expands every statement once. */
export async function createPermissionEvaluator(model: IamModel, opts: EvaluatorOptions = {}): Promise<IamPermissionEvaluator> {
  const universe = await ActionUniverse.load();
  const docs: PolicyDocument[] = [];
  for (const snap of model.accounts.values()) {
    for (const p of snap.policies.values()) docs.push(p.document);
    for (const x of [...snap.users, ...snap.roles, ...snap.groups]) for (const ip of x.inlinePolicies) docs.push(ip.document);
  }
  for (const chain of model.scpChains.values()) for (const level of chain.levels) docs.push(...level);
  for (const d of docs) {
    for (const s of d.Statement) {
      const list = s.Action !== undefined ? asList(s.Action) : asList(s.NotAction);
      if (list.length) await universe.prepare(list);
    }
  }
  return new IamPermissionEvaluator(model, universe, opts);
}

export class IamPermissionEvaluator implements PermissionEvaluator {
  private readonly compiled = new WeakMap<PolicyDocument, CompiledPolicy>();
  private readonly layerCache = new Map<string, Layer>();
  private readonly policyCache = new Map<string, PolicyArrays>();
  private readonly compiledById = new Map<string, CompiledPolicy>();
  private readonly minCache = new Map<string, Uint8Array>();
  private readonly specialized = new WeakSet<PolicyDocument>();
  private readonly principalKeyDocs = new WeakMap<PolicyDocument, boolean>();
  private readonly conditionCache = new Map<string, boolean | undefined>();
  private readonly setCache = new Map<string, SetResult>();
  private readonly principalSets = new Map<string, PolicySet>();
  private readonly validated = new WeakMap<PolicyDocument, string[]>();
  private readonly groupsByAccount = new Map<string, Map<string, IamGroup>>();
  private readonly idsByText = new Map<string, string>();
  private readonly docIds = new WeakMap<PolicyDocument, string>();
  private simulatorCalls = 0;
  /** Validation problems found once per document (policy id → messages). */
  readonly validationErrors = new Map<string, string[]>();

  constructor(
    readonly model: IamModel,
    readonly universe: ActionUniverse,
    private readonly opts: EvaluatorOptions = {},
  ) {
    for (const snap of model.accounts.values()) {
      this.groupsByAccount.set(snap.accountId, new Map(snap.groups.map((g) => [g.name, g])));
    }
  }

  stats(): EvaluatorStats {
    return {
      principals: this.principalSets.size,
      distinctPolicySets: this.setCache.size,
      layerCacheSize: this.layerCache.size,
      simulatorCalls: this.simulatorCalls,
      policiesWithValidationErrors: this.validationErrors.size,
    };
  }

  // ---- principals and their policy sets -------------------------------------------------

  /** Resolves user/role/group ARNs, account root ARNs and assumed-role session ARNs. */
  resolvePrincipal(arn: string): IamUser | IamRole | IamGroup | { type: 'root'; arn: string; accountId: string } {
    const direct = this.model.identities.get(arn);
    if (direct) return direct;
    const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(arn);
    if (root) return { type: 'root', arn, accountId: root[1]! };
    const session = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
    if (session) {
      const snap = this.model.accounts.get(session[1]!);
      const role = snap?.roles.find((r) => r.name === session[2]);
      if (role) return role;
    }
    throw new UnknownPrincipalError(`unknown principal ${arn}: not in any imported IAM snapshot`);
  }

  private policySet(principalArn: string): PolicySet {
    const cached = this.principalSets.get(principalArn);
    if (cached) return cached;
    const p = this.resolvePrincipal(principalArn);
    const snap = this.model.accounts.get(p.accountId);
    const pctx = decidableContext(p);
    const unresolved: string[] = [];
    const identity: CompiledPolicy[] = [];
    const addManaged = (arn: string) => {
      const mp = snap?.policies.get(arn);
      if (!mp) {
        unresolved.push(arn);
        return;
      }
      identity.push(this.compile(this.specialize(mp.document, pctx), arn));
    };
    const addInline = (owner: string, name: string, doc: PolicyDocument) => {
      identity.push(this.compile(this.specialize(doc, pctx), `${owner}#${name}`));
    };
    let boundary: CompiledPolicy | null | undefined;
    if (p.type === 'root') {
      identity.push(this.compile(ROOT_POLICY, 'root user'));
    } else {
      for (const arn of p.attachedPolicyArns) addManaged(arn);
      for (const ip of p.inlinePolicies) addInline(p.arn, ip.name, ip.document);
      if (p.type === 'user') {
        const groups = this.groupsByAccount.get(p.accountId);
        for (const gname of p.groupNames) {
          const g = groups?.get(gname);
          if (!g) {
            unresolved.push(`group:${gname}`);
            continue;
          }
          for (const arn of g.attachedPolicyArns) addManaged(arn);
          for (const ip of g.inlinePolicies) addInline(g.arn, ip.name, ip.document);
        }
      }
      if (p.permissionsBoundaryArn) {
        const b = snap?.policies.get(p.permissionsBoundaryArn);
        if (b) boundary = this.compile(this.specialize(b.document, pctx), p.permissionsBoundaryArn);
        else {
          boundary = null;
          unresolved.push(p.permissionsBoundaryArn);
        }
      }
    }
    const scp = this.model.scpChains.get(p.accountId);
    const scpLevels = (scp?.levels ?? []).map((level, li) =>
      level.map((doc, pi) => this.compile(this.specialize(doc, pctx), scp?.policyNames?.[li]?.[pi] ?? `scp-${li}-${pi}`, true)),
    );
    const ids = [...new Set(identity.map((c) => c.id))].sort();
    const dedupIdentity = ids.map((id) => identity.find((c) => c.id === id)!);
    const key = [
      `I:${ids.join(',')}`,
      `B:${boundary === undefined ? '-' : boundary === null ? '?' : boundary.id}`,
      `S:${scpLevels.map((l) => l.map((c) => c.id).join('+')).join('/')}`,
    ].join('|');
    const set: PolicySet = { key, accountId: p.accountId, identity: dedupIdentity, boundary, scp, scpLevels, unresolved };
    this.principalSets.set(principalArn, set);
    return set;
  }

  /** Documents with identical content share an id (and so cached layers), across accounts too. */
  private contentId(doc: PolicyDocument): string {
    let id = this.docIds.get(doc);
    if (id) return id;
    const text = JSON.stringify(doc);
    id = this.idsByText.get(text);
    if (!id) {
      id = `p${this.idsByText.size}`;
      this.idsByText.set(text, id);
    }
    this.docIds.set(doc, id);
    return id;
  }

  private compile(document: PolicyDocument, name: string, isScp = false): CompiledPolicy {
    const hit = this.compiled.get(document);
    if (hit) return hit;
    const id = this.contentId(document);
    const same = this.compiledById.get(id);
    if (same) {
      this.compiled.set(document, same);
      return same;
    }
    if (this.opts.validate !== false && !this.specialized.has(document) && !this.validated.has(document)) {
      const errs = (isScp ? validateServiceControlPolicy(document) : validateIdentityPolicy(document)).map(
        (e) => `${e.path}: ${e.message}`,
      );
      this.validated.set(document, errs);
      if (errs.length) this.validationErrors.set(name, errs);
    }
    const statements: CompiledStatement[] = [];
    for (const s of document.Statement) {
      let actions: Uint32Array;
      if (s.Action !== undefined) actions = this.bitsFor(asList(s.Action));
      else if (s.NotAction !== undefined) actions = this.universe.complement(this.bitsFor(asList(s.NotAction)));
      else continue;
      const conditional = s.Condition !== undefined && Object.keys(s.Condition).length > 0;
      const resourceAll = s.NotResource === undefined && asList(s.Resource).some((r) => r.trim() === '*');
      const grade = conditional ? CONDITIONAL : resourceAll ? FULL : LIMITED;
      statements.push({ effect: s.Effect, actions, grade, statement: s });
    }
    const c: CompiledPolicy = { id, name, document, statements };
    this.compiled.set(document, c);
    this.compiledById.set(id, c);
    return c;
  }

  /**
   * Decides the parts of conditions that only depend on the principal (aws:PrincipalArn,
   * aws:PrincipalAccount, aws:PrincipalType, and for users aws:username, aws:userid and
   * aws:PrincipalTag/*): a statement whose principal part is false is dropped, a true part is
   * removed. So an SCP "Deny unless aws:PrincipalArn is the break-glass role" is an
   * unconditional deny for everyone else, not a 'conditional' grant. The simulator evaluates
   * the condition operators.
   */
  private specialize(doc: PolicyDocument, pctx: DecidableContext): PolicyDocument {
    let has = this.principalKeyDocs.get(doc);
    if (has === undefined) {
      has = doc.Statement.some((st) => st.Condition && Object.values(st.Condition).some((e) => Object.keys(e).some(isPrincipalKey)));
      this.principalKeyDocs.set(doc, has);
    }
    if (!has) return doc;
    const out: PolicyStatement[] = [];
    let changed = false;
    for (const st of doc.Statement) {
      if (!st.Condition) {
        out.push(st);
        continue;
      }
      const mine: Record<string, Record<string, unknown>> = {};
      const rest: Record<string, Record<string, unknown>> = {};
      let any = false;
      for (const [op, entries] of Object.entries(st.Condition)) {
        for (const [key, value] of Object.entries(entries)) {
          if (pctx.isKnown(key)) {
            (mine[op] ??= {})[key] = value;
            any = true;
          } else (rest[op] ??= {})[key] = value;
        }
      }
      if (!any) {
        out.push(st);
        continue;
      }
      const holds = this.conditionHolds(mine, pctx);
      if (holds === undefined) {
        out.push(st);
        continue;
      }
      changed = true;
      if (!holds) continue;
      const copy: PolicyStatement = { ...st };
      if (Object.keys(rest).length) copy.Condition = rest;
      else delete copy.Condition;
      out.push(copy);
    }
    if (!changed) return doc;
    const specialized: PolicyDocument = { ...doc, Statement: out };
    this.specialized.add(specialized);
    return specialized;
  }

  private conditionHolds(
    condition: Record<string, Record<string, unknown>>,
    pctx: DecidableContext,
    context: Record<string, string | string[]> = pctx.ctx,
  ): boolean | undefined {
    const key = `${pctx.arn}|${JSON.stringify(condition)}|${context === pctx.ctx ? '' : JSON.stringify(context)}`;
    if (this.conditionCache.has(key)) return this.conditionCache.get(key);
    const probe = 's3:ListAllMyBuckets';
    const result = this.simulate(
      {
        principalArn: pctx.arn,
        identityPolicies: [{ name: 'condition', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: probe, Resource: '*', Condition: condition }] } }],
        permissionBoundaryPolicies: undefined,
        serviceControlPolicies: [],
      },
      probe,
      '*',
      context,
      pctx.accountId,
    );
    const holds = result === 'Error' ? undefined : result === 'Allowed';
    this.conditionCache.set(key, holds);
    return holds;
  }

  private bitsFor(list: string[]): Uint32Array {
    if (list.length === 0) return this.universe.empty();
    // documents outside the model (root policy) or prepared lazily: fall back to a sync match
    if (!this.universe.isPrepared(list)) return syncMatch(this.universe, list);
    return this.universe.bits(list);
  }

  // ---- layers ----------------------------------------------------------------------------

  /** Per-policy arrays: best Allow grade per action, lowest Deny cap, resource-limited deny. */
  private policyArrays(p: CompiledPolicy): PolicyArrays {
    const hit = this.policyCache.get(p.id);
    if (hit) return hit;
    const n = this.universe.size;
    const allow = new Uint8Array(n);
    let cap: Uint8Array | null = null;
    let resourceDeny: Uint8Array | null = null;
    for (const s of p.statements) {
      if (s.effect === 'Allow') {
        const g = s.grade;
        forEachBit(s.actions, (i) => {
          if (allow[i]! < g) allow[i] = g;
        });
      } else {
        const c = s.grade === FULL ? 0 : s.grade === LIMITED ? LIMITED : CONDITIONAL;
        const capArr = (cap ??= new Uint8Array(n).fill(FULL));
        const rd = s.grade === LIMITED ? (resourceDeny ??= new Uint8Array(n)) : null;
        forEachBit(s.actions, (i) => {
          if (capArr[i]! > c) capArr[i] = c;
          if (rd) rd[i] = 1;
        });
      }
    }
    const arrays = { allow, cap, resourceDeny };
    this.policyCache.set(p.id, arrays);
    return arrays;
  }

  /**
   * A layer: the best Allow grade over its policies (a level of SCPs, the identity policies or
   * the boundary). Denies are collected across all layers: a Deny anywhere applies.
   */
  private layer(policies: CompiledPolicy[]): Layer {
    const key = policies.map((p) => p.id).join(',');
    const hit = this.layerCache.get(key);
    if (hit) return hit;
    const arrays = policies.map((p) => this.policyArrays(p));
    let allow: Uint8Array;
    if (arrays.length === 1) allow = arrays[0]!.allow;
    else {
      allow = new Uint8Array(this.universe.size);
      for (const a of arrays) {
        const src = a.allow;
        for (let i = 0; i < src.length; i++) if (src[i]! > allow[i]!) allow[i] = src[i]!;
      }
    }
    const caps = arrays.flatMap((a) => (a.cap ? [a.cap] : []));
    const resourceDenies = arrays.flatMap((a) => (a.resourceDeny ? [a.resourceDeny] : []));
    const layer: Layer = { allow, caps, resourceDenies };
    this.layerCache.set(key, layer);
    return layer;
  }

  /** min() of several grade arrays, as one array (cached for SCP chains, shared by many sets). */
  private minOf(arrays: Uint8Array[], key: string | undefined): Uint8Array | undefined {
    if (arrays.length === 0) return undefined;
    if (arrays.length === 1) return arrays[0];
    const hit = key === undefined ? undefined : this.minCache.get(key);
    if (hit) return hit;
    const out = arrays[0]!.slice();
    for (let a = 1; a < arrays.length; a++) {
      const src = arrays[a]!;
      for (let i = 0; i < out.length; i++) if (src[i]! < out[i]!) out[i] = src[i]!;
    }
    if (key !== undefined) this.minCache.set(key, out);
    return out;
  }

  private evaluateSet(set: PolicySet, principalArn: string): SetResult {
    const hit = this.setCache.get(set.key);
    if (hit) return hit;
    const n = this.universe.size;
    const identity = this.layer(set.identity);
    const boundary = set.boundary ? this.layer([set.boundary]) : undefined;
    const levels = set.scpLevels.map((l) => this.layer(l));
    const chainKey = set.key.slice(set.key.indexOf('|S:'));
    // SCP levels: every level must allow; denies of every level apply
    const scpAllow = this.minOf(levels.map((l) => l.allow), `allow${chainKey}`);
    const scpCap = this.minOf(levels.flatMap((l) => l.caps), `cap${chainKey}`);
    const allows = [identity.allow, ...(boundary ? [boundary.allow] : []), ...(scpAllow ? [scpAllow] : [])];
    const caps = [...identity.caps, ...(boundary?.caps ?? []), ...(scpCap ? [scpCap] : [])];
    const grade = new Uint8Array(n);
    grade.set(identity.allow);
    for (const src of [...allows.slice(1), ...caps]) {
      for (let i = 0; i < n; i++) if (src[i]! < grade[i]!) grade[i] = src[i]!;
    }
    // an unknown boundary can only make grants conditional, never leave them silently full
    if (set.boundary === null) for (let i = 0; i < n; i++) if (grade[i]! > CONDITIONAL) grade[i] = CONDITIONAL;
    const resourceDenies = [...identity.resourceDenies, ...(boundary?.resourceDenies ?? []), ...levels.flatMap((l) => l.resourceDenies)];
    const layerAllows = [identity.allow, ...(boundary ? [boundary.allow] : []), ...levels.map((l) => l.allow)];
    let count = 0;
    let full = 0;
    const residual: number[] = [];
    for (let i = 0; i < n; i++) {
      const g = grade[i]!;
      if (g === 0) continue;
      count++;
      if (g === FULL) full++;
      else if (g === LIMITED) {
        // could the resource constraints of two layers, or a resource-limited deny, leave nothing?
        let limitedLayers = 0;
        for (const a of layerAllows) if (a[i] === LIMITED) limitedLayers++;
        if (limitedLayers === 0) continue;
        let rdeny = false;
        for (const r of resourceDenies) if (r[i] === 1) rdeny = true;
        if (limitedLayers > 1 || rdeny) residual.push(i);
      }
    }
    for (const i of residual) {
      if (!this.limitedGrantSurvives(set, principalArn, i)) {
        grade[i] = 0;
        count--;
      }
    }
    const isAdmin = set.boundary !== null && full === n;
    const result: SetResult = { grade, isAdmin, granted: new GrantMap(this.universe, grade, count) };
    this.setCache.set(set.key, result);
    return result;
  }

  /** Simulates the action on the resources named by the unconditional allows that grant it. */
  private limitedGrantSurvives(set: PolicySet, principalArn: string, i: number): boolean {
    const action = this.universe.actions[i]!;
    const candidates = new Set<string>();
    const collect = (policies: CompiledPolicy[]) => {
      for (const p of policies)
        for (const s of p.statements)
          if (s.effect === 'Allow' && s.grade === LIMITED && hasBit(s.actions, i))
            for (const r of asList(s.statement.Resource)) candidates.add(r);
    };
    collect(set.identity);
    if (set.boundary) collect([set.boundary]);
    for (const level of set.scpLevels) collect(level);
    if (candidates.size === 0) return true; // NotResource grants: no concrete resource to try
    const sim = this.simulationBase(set, principalArn, i, undefined);
    for (const resource of candidates) {
      if (this.simulate(sim, action, resource, {}, set.accountId) === 'Allowed') return true;
    }
    return false;
  }

  // ---- simulator -------------------------------------------------------------------------

  /**
   * The simulator's inputs for a set. With an action index, statements that cannot match the
   * action are left out first (the simulator re-reads every document on each call, and
   * AWS-managed documents run to thousands of actions).
   */
  private simulationBase(
    set: PolicySet,
    principalArn: string,
    actionIndex: number | undefined,
    transform: ((d: PolicyDocument) => PolicyDocument) | undefined,
  ) {
    const view = (p: CompiledPolicy): PolicyDocument => {
      let d = p.document;
      if (actionIndex !== undefined) {
        const statements = p.statements.filter((st) => hasBit(st.actions, actionIndex)).map((st) => st.statement);
        if (statements.length !== d.Statement.length) d = { Version: d.Version ?? '2012-10-17', Statement: statements };
      }
      return transform ? transform(d) : d;
    };
    return {
      principalArn,
      identityPolicies: set.identity.map((p) => ({ name: p.id, policy: view(p) })),
      permissionBoundaryPolicies: set.boundary ? [{ name: set.boundary.id, policy: view(set.boundary) }] : undefined,
      serviceControlPolicies: set.scpLevels.map((level, li) => ({
        orgIdentifier: set.scp?.targets?.[li] ?? `level-${li}`,
        policies: level.map((p) => ({ name: p.name, policy: view(p) })),
      })),
    };
  }

  private simulate(
    base: ReturnType<IamPermissionEvaluator['simulationBase']>,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    principalAccount: string,
  ): string {
    this.simulatorCalls++;
    // The principal's side only: the resource is treated as the principal's own account, so a
    // resource policy (which the model does not hold) is never required; trust policies of
    // imported roles are checked separately (trustSide).
    const resourceAccount = principalAccount;
    const simulation: Simulation = {
      request: {
        principal: base.principalArn,
        action,
        resource: { resource, accountId: resourceAccount },
        contextVariables: context,
      },
      identityPolicies: base.identityPolicies,
      serviceControlPolicies: base.serviceControlPolicies,
      resourceControlPolicies: [],
    };
    if (base.permissionBoundaryPolicies) simulation.permissionBoundaryPolicies = base.permissionBoundaryPolicies;
    try {
      return runUnsafeSimulation(simulation, {});
    } catch {
      return 'Error';
    }
  }

  /**
   * The trust-policy side of sts:AssumeRole* on an imported role (PMapper's rule): the trust
   * policy must allow the caller — by ARN, by account (then the caller's own policies must
   * allow too) or by "*" — and no trust statement may deny it.
   */
  private trustSide(
    action: string,
    role: IamRole,
    pctx: DecidableContext,
    context: Record<string, string | string[]>,
  ): { result: 'allowed' | 'denied' | 'conditional'; namesCaller: boolean } {
    const callerArn = pctx.arn;
    const matchesPrincipal = (principal: unknown): 'arn' | 'account' | false => {
      if (principal === '*') return 'account';
      if (!principal || typeof principal !== 'object') return false;
      const aws = (principal as Record<string, unknown>).AWS;
      for (const v of aws === undefined ? [] : Array.isArray(aws) ? aws : [aws]) {
        if (v === '*') return 'account';
        if (v === callerArn) return 'arn';
        if (v === pctx.accountId || v === `arn:aws:iam::${pctx.accountId}:root`) return 'account';
      }
      return false;
    };
    let best: 'allowed' | 'conditional' | 'denied' = 'denied';
    let namesCaller = false;
    const ctx = { ...pctx.ctx, ...context };
    const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
    for (const st of role.trustPolicy.Statement) {
      const m = matchesPrincipal(st.Principal);
      if (!m || !asList(st.Action).some((a) => actionMatchesPattern(action, a))) continue;
      let decided: 'allowed' | 'conditional' | 'denied' = 'allowed';
      if (st.Condition) {
        const keys = Object.values(st.Condition).flatMap((e) => Object.keys(e));
        if (keys.every((k) => given.has(k.toLowerCase()) || pctx.isKnown(k))) {
          decided = this.conditionHolds(st.Condition, pctx, ctx) ? 'allowed' : 'denied';
        } else decided = 'conditional';
      }
      if (st.Effect === 'Deny') {
        if (decided === 'allowed') return { result: 'denied', namesCaller };
        if (decided === 'conditional' && best === 'allowed') best = 'conditional';
        continue;
      }
      if (decided === 'denied') continue;
      if (decided === 'allowed' || best === 'denied') best = decided;
      if (m === 'arn' && decided === 'allowed') namesCaller = true;
    }
    return { result: best, namesCaller };
  }

  // ---- public API ------------------------------------------------------------------------

  effective(principalArn: string): EffectivePermissions & { unresolvedPolicyArns: string[] } {
    const set = this.policySet(principalArn);
    const r = this.evaluateSet(set, principalArn);
    return { principalArn, granted: r.granted, isAdmin: r.isAdmin, unresolvedPolicyArns: set.unresolved };
  }

  isAllowed(
    principalArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): 'allowed' | 'denied' | 'conditional' {
    const set = this.policySet(principalArn);
    const i = this.universe.indexOf(action);
    const assumesModelRole = action.toLowerCase().startsWith('sts:assumerole') && this.model.identities.get(resource)?.type === 'role';
    if (i !== undefined && !assumesModelRole) {
      const r = this.evaluateSet(set, principalArn);
      if (r.grade[i] === 0) return 'denied';
    }
    const pctx = decidableContext(this.resolvePrincipal(principalArn));
    const identitySide = this.identitySide(set, principalArn, i, action, resource, context, pctx);
    const a = action.toLowerCase();
    if (a.startsWith('sts:assumerole')) {
      const target = this.model.identities.get(resource);
      if (target?.type === 'role') {
        const trust = this.trustSide(action, target, pctx, context);
        if (trust.result === 'denied' || identitySide === 'explicit-deny') return 'denied';
        // a trust policy naming the caller's ARN in its own account needs no identity grant
        // (kept to principals without SCPs and boundaries, which could still block it)
        if (trust.namesCaller && target.accountId === pctx.accountId && identitySide === 'denied' && set.scpLevels.length === 0 && set.boundary === undefined) {
          return trust.result;
        }
        return rank(identitySide) < rank(trust.result) ? (identitySide as 'denied' | 'conditional' | 'allowed') : trust.result;
      }
    }
    if (identitySide === 'explicit-deny') return 'denied';
    if (identitySide === 'denied' && a.startsWith('kms:') && i !== undefined) {
      // KMS needs a key policy, which the model lacks: answer from the identity side's grade
      const g = this.evaluateSet(set, principalArn).grade[i]!;
      return g === FULL ? 'allowed' : g > 0 ? 'conditional' : 'denied';
    }
    return identitySide;
  }

  /** Pessimistic run → 'allowed'; optimistic run → 'conditional'; else denied (explicitly or not). */
  private identitySide(
    set: PolicySet,
    principalArn: string,
    i: number | undefined,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    pctx: DecidableContext,
  ): 'allowed' | 'conditional' | 'denied' | 'explicit-deny' {
    if (i !== undefined) {
      // 'full' means: every layer allows it on "*" without condition and no Deny of any kind
      // names it — true for every resource and context, no simulation needed
      const g = this.evaluateSet(set, principalArn).grade[i]!;
      if (g === FULL) return 'allowed';
    }
    const ctx: Record<string, string | string[]> = { ...pctx.ctx, ...context };
    const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
    const known = { isKnown: (k: string) => given.has(k.toLowerCase()) || pctx.isKnown(k), signature: `${pctx.kind}|${[...given].sort().join(',')}` };
    const pessimistic = this.simulationBase(set, principalArn, i, (d) => resolveConditions(d, known, 'pessimistic'));
    const strict = this.simulate(pessimistic, action, resource, ctx, set.accountId);
    if (strict === 'Allowed') return set.boundary === null ? 'conditional' : 'allowed';
    if (strict === 'Error') return 'conditional';
    const optimistic = this.simulationBase(set, principalArn, i, (d) => resolveConditions(d, known, 'optimistic'));
    const opt = this.simulate(optimistic, action, resource, ctx, set.accountId);
    if (opt === 'Allowed') return 'conditional';
    return opt === 'ExplicitlyDenied' ? 'explicit-deny' : 'denied';
  }
}

function rank(r: string): number {
  return r === 'allowed' ? 2 : r === 'conditional' ? 1 : 0;
}

const ROOT_POLICY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

interface DecidableContext {
  arn: string;
  accountId: string;
  /** 'user' | 'role' | 'root': which keys are decidable depends only on this */
  kind: string;
  ctx: Record<string, string | string[]>;
  isKnown(key: string): boolean;
}

const FIXED_PRINCIPAL_KEYS = ['aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:principalisawsservice'];

function isPrincipalKey(key: string): boolean {
  const k = key.toLowerCase();
  return FIXED_PRINCIPAL_KEYS.includes(k) || k === 'aws:username' || k === 'aws:userid' || k.startsWith('aws:principaltag/');
}

/**
 * The request context the principal alone decides. Roles: their ARN, account and type only —
 * a session's aws:userid and principal tags (session tags override role tags) are unknown.
 * Users: also aws:username, aws:userid and their tags (an absent tag is known to be absent).
 */
function decidableContext(p: ReturnType<IamPermissionEvaluator['resolvePrincipal']>): DecidableContext {
  const ctx: Record<string, string | string[]> = {
    'aws:PrincipalArn': p.arn,
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalIsAWSService': 'false',
    'aws:PrincipalType': p.type === 'user' ? 'User' : p.type === 'role' ? 'AssumedRole' : 'Account',
  };
  if (p.type === 'user') {
    ctx['aws:username'] = p.name;
    if (p.id) ctx['aws:userid'] = p.id;
    for (const [k, v] of Object.entries(p.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
    return {
      arn: p.arn,
      accountId: p.accountId,
      kind: 'user',
      ctx,
      isKnown: (key) => {
        const k = key.toLowerCase();
        return isPrincipalKey(k) && (k !== 'aws:userid' || !!p.id);
      },
    };
  }
  return { arn: p.arn, accountId: p.accountId, kind: p.type, ctx, isKnown: (key) => FIXED_PRINCIPAL_KEYS.includes(key.toLowerCase()) };
}

const transformCache = new WeakMap<PolicyDocument, Map<string, PolicyDocument>>();

/**
 * Statements whose conditions name keys the request context does not hold cannot be decided.
 * pessimistic: such Allows are dropped and such Denies apply (their unknown keys removed);
 * optimistic: such Allows apply (unknown keys removed) and such Denies are dropped.
 */
export function resolveConditions(
  doc: PolicyDocument,
  known: { isKnown(key: string): boolean; signature: string },
  mode: 'pessimistic' | 'optimistic',
): PolicyDocument {
  const sig = `${mode}|${known.signature}`;
  let perDoc = transformCache.get(doc);
  const hit = perDoc?.get(sig);
  if (hit) return hit;
  let changed = false;
  const statements: PolicyStatement[] = [];
  for (const s of doc.Statement) {
    if (!s.Condition) {
      statements.push(s);
      continue;
    }
    const decided: Record<string, Record<string, unknown>> = {};
    let undecided = false;
    for (const [op, entries] of Object.entries(s.Condition)) {
      for (const [key, value] of Object.entries(entries)) {
        if (known.isKnown(key)) (decided[op] ??= {})[key] = value;
        else undecided = true;
      }
    }
    if (!undecided) {
      statements.push(s);
      continue;
    }
    changed = true;
    const applies = (s.Effect === 'Allow') === (mode === 'optimistic');
    if (!applies) continue;
    const copy: PolicyStatement = { ...s };
    if (Object.keys(decided).length) copy.Condition = decided;
    else delete copy.Condition;
    statements.push(copy);
  }
  const out = changed ? { ...doc, Statement: statements } : doc;
  if (!perDoc) {
    perDoc = new Map();
    transformCache.set(doc, perDoc);
  }
  perDoc.set(sig, out);
  return out;
}

/** Pattern matching for documents that were not prepared (small: the root policy). */
function syncMatch(universe: ActionUniverse, patterns: string[]): Uint32Array {
  const bits = universe.empty();
  const res = patterns.map((p) => new RegExp('^' + p.trim().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i'));
  universe.actions.forEach((a, i) => {
    if (res.some((re) => re.test(a))) bits[i >>> 5]! |= 1 << (i & 31);
  });
  return bits;
}

/**
 * A read-only Map view of an action-grade array: ~22,000 possible entries without materialising
 * them for every identity; identities with the same policy set share one instance. Lookups
 * accept any letter case (s3:getobject finds s3:GetObject). Mutating it throws.
 */
export class GrantMap extends Map<string, GrantKind> {
  constructor(
    private readonly universe: ActionUniverse,
    private readonly grade: Uint8Array,
    private readonly count: number,
  ) {
    super();
  }

  override get size(): number {
    return this.count;
  }

  override get(action: string): GrantKind | undefined {
    const i = this.universe.indexOf(action);
    return i === undefined ? undefined : KIND[this.grade[i]!];
  }

  override has(action: string): boolean {
    return this.get(action) !== undefined;
  }

  override *entries(): MapIterator<[string, GrantKind]> {
    for (let i = 0; i < this.grade.length; i++) {
      const k = KIND[this.grade[i]!];
      if (k) yield [this.universe.actions[i]!, k];
    }
  }

  override *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<GrantKind> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[string, GrantKind]> {
    return this.entries();
  }

  override forEach(fn: (value: GrantKind, key: string, map: Map<string, GrantKind>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  override set(): this {
    throw new TypeError('effective permissions are read-only');
  }

  override delete(): boolean {
    throw new TypeError('effective permissions are read-only');
  }

  override clear(): void {
    throw new TypeError('effective permissions are read-only');
  }
}
