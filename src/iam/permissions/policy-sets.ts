import { validateIdentityPolicy, validateServiceControlPolicy } from '@cloud-copilot/iam-policy';
import type { IamGroup, IamRole, IamUser, PolicyDocument, PolicyStatement } from '../types.js';
import type { IamModel } from '../model.js';
import { asList } from '../snapshot/policy-document.js';
import type { ActionUniverse } from './actions.js';
import { CONDITIONAL, FULL, LIMITED } from './compiled.js';
import type { CompiledPolicy, CompiledStatement, PolicySet } from './compiled.js';
import { decidableContext, isPrincipalKey } from './conditions.js';
import { isTimeKey, timeConditionVerdict } from './time-conditions.js';
import type { DecidableContext, ResolvedPrincipal } from './conditions.js';
import type { Simulator } from './simulator.js';

export class UnknownPrincipalError extends Error {}

export interface EvaluatorOptions {
  /** Validate documents with iam-policy once while preparing (default true). */
  validate?: boolean;
  /**
   * The analysis instant (ISO): date and time conditions (aws:CurrentTime, aws:EpochTime,
   * aws:TokenIssueTime) are decided against it. Without it they stay undecidable.
   */
  asOf?: string;
}

const ROOT_POLICY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * Principals and their policy sets: resolves a principal ARN, gathers its identity policies
 * (inline, managed, through groups), boundary and SCP levels, specialises them to the principal
 * and compiles each document once (validated once, expanded to action bitsets, content-deduplicated).
 */
export class PolicySets {
  private readonly compiled = new WeakMap<PolicyDocument, CompiledPolicy>();
  private readonly compiledById = new Map<string, CompiledPolicy>();
  private readonly specialized = new WeakSet<PolicyDocument>();
  private readonly principalKeyDocs = new WeakMap<PolicyDocument, boolean>();
  private readonly decidableKeyDocs = new WeakMap<PolicyDocument, boolean>();
  private readonly principalSets = new Map<string, PolicySet>();
  private readonly hypothetical = new Map<string, IamUser | IamRole>();
  private readonly validated = new WeakMap<PolicyDocument, string[]>();
  private readonly groupsByAccount = new Map<string, Map<string, IamGroup>>();
  private readonly idsByText = new Map<string, string>();
  private readonly docIds = new WeakMap<PolicyDocument, string>();
  /** Validation problems found once per document (policy id → messages). */
  readonly validationErrors = new Map<string, string[]>();

  constructor(
    private readonly model: IamModel,
    private readonly universe: ActionUniverse,
    private readonly opts: EvaluatorOptions,
    private readonly simulator: Simulator,
  ) {
    for (const snap of model.accounts.values()) {
      this.groupsByAccount.set(snap.accountId, new Map(snap.groups.map((g) => [g.name, g])));
    }
  }

  /** See PermissionEvaluator.derive: the principal's policies as changed, under an id of its own. */
  derive(id: string, principal: IamUser | IamRole): void {
    if (this.model.identities.has(id)) throw new Error(`${id}: already an imported principal`);
    this.hypothetical.set(id, principal);
    this.principalSets.delete(id);
  }

  /** Principals resolved so far. */
  get size(): number {
    return this.principalSets.size;
  }

  /** Resolves user/role/group ARNs, account root ARNs and assumed-role session ARNs. */
  resolvePrincipal(arn: string): ResolvedPrincipal {
    const direct = this.model.identities.get(arn) ?? this.hypothetical.get(arn);
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

  policySet(principalArn: string): PolicySet {
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
   * aws:PrincipalTag/*) and, given an analysis instant, the date and time keys
   * (time-conditions.ts): a statement with a part that is false is dropped, a true part is
   * removed. So an SCP "Deny unless aws:PrincipalArn is the break-glass role" is an
   * unconditional deny for everyone else, not a 'conditional' grant, and an Allow limited to
   * tokens issued before 2019 grants nothing. The simulator evaluates the other operators.
   */
  private specialize(doc: PolicyDocument, pctx: DecidableContext): PolicyDocument {
    const asOfMs = this.opts.asOf ? Date.parse(this.opts.asOf) : NaN;
    const withTime = !Number.isNaN(asOfMs);
    const cache = withTime ? this.decidableKeyDocs : this.principalKeyDocs;
    let has = cache.get(doc);
    if (has === undefined) {
      has = doc.Statement.some((st) => st.Condition && Object.values(st.Condition).some((e) => Object.keys(e).some((k) => isPrincipalKey(k) || (withTime && isTimeKey(k)))));
      cache.set(doc, has);
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
      let timeDecided = false;
      let never = false;
      for (const [op, entries] of Object.entries(st.Condition)) {
        for (const [key, value] of Object.entries(entries)) {
          if (pctx.isKnown(key)) {
            (mine[op] ??= {})[key] = value;
            any = true;
            continue;
          }
          const verdict = withTime && isTimeKey(key) ? timeConditionVerdict(op, key, value, asOfMs, pctx.kind) : 'unknown';
          if (verdict === 'unknown') (rest[op] ??= {})[key] = value;
          else {
            timeDecided = true;
            if (verdict === 'never') never = true;
          }
        }
      }
      if (never) {
        // the condition block is a conjunction: one entry that can never hold and the statement never applies
        changed = true;
        continue;
      }
      if (!any && !timeDecided) {
        out.push(st);
        continue;
      }
      const holds = any ? this.simulator.conditionHolds(mine, pctx) : true;
      if (holds === undefined) {
        if (!timeDecided) {
          out.push(st);
          continue;
        }
        // keep the principal part for the simulator, drop only the time entries that always hold
        for (const [op, entries] of Object.entries(mine)) Object.assign((rest[op] ??= {}), entries);
      }
      changed = true;
      if (holds === false) continue;
      const copy: PolicyStatement = { ...st };
      if (Object.keys(rest).length) copy.Condition = rest as PolicyStatement['Condition'];
      else delete copy.Condition;
      out.push(copy);
    }
    if (!changed) return doc;
    const specialized: PolicyDocument = { ...doc, Statement: out };
    this.specialized.add(specialized);
    return specialized;
  }

  private bitsFor(list: string[]): Uint32Array {
    if (list.length === 0) return this.universe.empty();
    // documents outside the model (root policy) or prepared lazily: fall back to a sync match
    if (!this.universe.isPrepared(list)) return syncMatch(this.universe, list);
    return this.universe.bits(list);
  }
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
