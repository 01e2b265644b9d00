import type { EffectivePermissions, IamRole, IamUser, PermissionEvaluator, PolicyDocument } from '../types.js';
import type { IamModel } from '../model.js';
import { asList } from '../snapshot/policy-document.js';
import { ActionUniverse } from './actions.js';
import { CONDITIONAL, FULL } from './compiled.js';
import { hasBit } from './actions.js';
import type { PolicySet } from './compiled.js';
import { decidableContext, resolveConditions } from './conditions.js';
import type { DecidableContext, ResolvedPrincipal } from './conditions.js';
import { Grants } from './grants.js';
import { PolicySets } from './policy-sets.js';
import type { EvaluatorOptions } from './policy-sets.js';
import { simulationBase, Simulator } from './simulator.js';
import { trustSide } from './trust.js';
import { noAllowCanMatch } from './resource-prefilter.js';

export { UnknownPrincipalError } from './policy-sets.js';
export type { EvaluatorOptions } from './policy-sets.js';
export { GrantMap } from './grant-map.js';
export { resolveConditions } from './conditions.js';

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
 *
 * Modules: policy-sets.ts (principals → compiled, cached policy sets), grants.ts (grades over
 * the action list), simulator.ts (iam-simulate calls), conditions.ts (principal-decidable
 * context, condition resolution), trust.ts (trust policies), grant-map.ts (the `granted` view).
 */

export interface EvaluatorStats {
  principals: number;
  distinctPolicySets: number;
  layerCacheSize: number;
  simulatorCalls: number;
  policiesWithValidationErrors: number;
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
  private readonly simulator = new Simulator();
  private readonly sets: PolicySets;
  private readonly grants: Grants;
  /** Validation problems found once per document (policy id → messages). */
  readonly validationErrors: Map<string, string[]>;

  constructor(
    readonly model: IamModel,
    readonly universe: ActionUniverse,
    opts: EvaluatorOptions = {},
  ) {
    this.sets = new PolicySets(model, universe, opts, this.simulator);
    this.grants = new Grants(universe, this.simulator);
    this.validationErrors = this.sets.validationErrors;
    this.asOfMs = opts.asOf ? Date.parse(opts.asOf) : NaN;
  }

  /** The analysis instant (NaN when none was given): time conditions of trust policies are decided against it. */
  private readonly asOfMs: number;

  stats(): EvaluatorStats {
    return {
      principals: this.sets.size,
      distinctPolicySets: this.grants.distinctPolicySets,
      layerCacheSize: this.grants.layerCacheSize,
      simulatorCalls: this.simulator.calls,
      policiesWithValidationErrors: this.validationErrors.size,
    };
  }

  /** Resolves user/role/group ARNs, account root ARNs and assumed-role session ARNs. */
  resolvePrincipal(arn: string): ResolvedPrincipal {
    return this.sets.resolvePrincipal(arn);
  }

  derive(id: string, principal: IamUser | IamRole): void {
    this.sets.derive(id, principal);
  }

  effective(principalArn: string): EffectivePermissions & { unresolvedPolicyArns: string[] } {
    const set = this.sets.policySet(principalArn);
    const r = this.grants.evaluateSet(set, principalArn);
    return { principalArn, granted: r.granted, isAdmin: r.isAdmin, unresolvedPolicyArns: set.unresolved };
  }

  isAllowed(
    principalArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): 'allowed' | 'denied' | 'conditional' {
    const set = this.sets.policySet(principalArn);
    const i = this.universe.indexOf(action);
    const assumesModelRole = action.toLowerCase().startsWith('sts:assumerole') && this.model.identities.get(resource)?.type === 'role';
    if (i !== undefined && !assumesModelRole) {
      const r = this.grants.evaluateSet(set, principalArn);
      if (r.grade[i] === 0) return 'denied';
    }
    const a = action.toLowerCase();
    // Without a matching Allow the answer is 'denied' whether or not a Deny also names it; only
    // AssumeRole (trust may name the caller) and KMS (key policies) tell the two apart below.
    if (i !== undefined && !a.startsWith('sts:assumerole') && !a.startsWith('kms:')) {
      const actor = this.resolvePrincipal(principalArn);
      if (noAllowCanMatch(set, i, resource, actor?.type === 'user' ? actor.name : null)) return 'denied';
    }
    const pctx = decidableContext(this.resolvePrincipal(principalArn));
    const identitySide = this.identitySide(set, principalArn, i, action, resource, context, pctx);
    if (a.startsWith('sts:assumerole')) {
      const target = this.model.identities.get(resource);
      if (target?.type === 'role') {
        const trust = trustSide(this.simulator, action, target, pctx, context, this.asOfMs);
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
      const g = this.grants.evaluateSet(set, principalArn).grade[i]!;
      return g === FULL ? 'allowed' : g > 0 ? 'conditional' : 'denied';
    }
    return identitySide;
  }

  conditionsOf(principalArn: string, action: string): string[] {
    const i = this.universe.indexOf(action);
    if (i === undefined) return [];
    const set = this.sets.policySet(principalArn);
    const out = new Set<string>();
    for (const policy of [...set.identity, ...(set.boundary ? [set.boundary] : []), ...set.scpLevels.flat()]) {
      for (const st of policy.statements) {
        if (st.effect !== 'Allow' || st.grade !== CONDITIONAL || !hasBit(st.actions, i)) continue;
        for (const [op, entries] of Object.entries(st.statement.Condition ?? {})) {
          for (const [key, value] of Object.entries(entries)) out.add(`${op} ${key} ${(Array.isArray(value) ? value : [value]).map(String).join(', ')}`);
        }
      }
    }
    return [...out];
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
      const g = this.grants.evaluateSet(set, principalArn).grade[i]!;
      if (g === FULL) return 'allowed';
    }
    const ctx: Record<string, string | string[]> = { ...pctx.ctx, ...context };
    const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
    const known = { isKnown: (k: string) => given.has(k.toLowerCase()) || pctx.isKnown(k), signature: `${pctx.kind}|${[...given].sort().join(',')}` };
    const pessimistic = simulationBase(set, principalArn, i, (d) => resolveConditions(d, known, 'pessimistic'));
    const strict = this.simulator.simulate(pessimistic, action, resource, ctx, set.accountId);
    if (strict === 'Allowed') return set.boundary === null ? 'conditional' : 'allowed';
    if (strict === 'Error') return 'conditional';
    const optimistic = simulationBase(set, principalArn, i, (d) => resolveConditions(d, known, 'optimistic'));
    const opt = this.simulator.simulate(optimistic, action, resource, ctx, set.accountId);
    if (opt === 'Allowed') return 'conditional';
    return opt === 'ExplicitlyDenied' ? 'explicit-deny' : 'denied';
  }
}

function rank(r: string): number {
  return r === 'allowed' ? 2 : r === 'conditional' ? 1 : 0;
}
