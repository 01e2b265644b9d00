import type { GrantKind } from '../types.js';
import { asList } from '../snapshot/policy-document.js';
import { forEachBit, hasBit } from './actions.js';
import type { ActionUniverse } from './actions.js';
import { CONDITIONAL, FULL, LIMITED } from './compiled.js';
import type { CompiledPolicy, PolicySet } from './compiled.js';
import { GrantMap } from './grant-map.js';
import { simulationBase } from './simulator.js';
import type { Simulator } from './simulator.js';

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

export interface SetResult {
  granted: Map<string, GrantKind>;
  grade: Uint8Array;
  isAdmin: boolean;
}

/**
 * Grades over the expanded action list: per policy, per layer (identity policies, boundary,
 * each SCP level) and per distinct policy set, each cached; the simulator decides only where
 * resource constraints meet.
 */
export class Grants {
  private readonly layerCache = new Map<string, Layer>();
  private readonly policyCache = new Map<string, PolicyArrays>();
  private readonly minCache = new Map<string, Uint8Array>();
  private readonly setCache = new Map<string, SetResult>();

  constructor(
    private readonly universe: ActionUniverse,
    private readonly simulator: Simulator,
  ) {}

  /** Distinct policy sets evaluated so far. */
  get distinctPolicySets(): number {
    return this.setCache.size;
  }

  get layerCacheSize(): number {
    return this.layerCache.size;
  }

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

  evaluateSet(set: PolicySet, principalArn: string): SetResult {
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
    const sim = simulationBase(set, principalArn, i, undefined);
    for (const resource of candidates) {
      if (this.simulator.simulate(sim, action, resource, {}, set.accountId) === 'Allowed') return true;
    }
    return false;
  }
}
