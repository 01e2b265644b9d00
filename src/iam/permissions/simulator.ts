import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../types.js';
import { hasBit } from './actions.js';
import type { CompiledPolicy, PolicySet } from './compiled.js';
import type { DecidableContext } from './conditions.js';

/**
 * The simulator's inputs for a set. With an action index, statements that cannot match the
 * action are left out first (the simulator re-reads every document on each call, and
 * AWS-managed documents run to thousands of actions).
 */
export function simulationBase(
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

/** The simulator's policy inputs for a policy set (the request is added per call). */
export type SimulationBase = ReturnType<typeof simulationBase>;

/** Runs iam-simulate (unvalidated call) and counts the calls; decides principal-only conditions. */
export class Simulator {
  private readonly conditionCache = new Map<string, boolean | undefined>();
  calls = 0;

  simulate(
    base: SimulationBase,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    principalAccount: string,
  ): string {
    this.calls++;
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

  /** Whether a condition holds in a context (undefined when the simulator cannot tell). */
  conditionHolds(
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
}
