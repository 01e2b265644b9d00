/**
 * The least-privilege policy use case, shared by `trailscope policy suggest` and the identity
 * page of the API: the actions an IAM user or role used successfully in the window, scoped to
 * the resources CloudTrail showed, never more than it is granted today.
 */
import { loadAnalysis, type AnalysisState } from '../analysis/index.js';
import { parsePrincipalArn, type IdentityAnalysis } from '../analysis/index.js';
import type { AnalysisNotice } from '../analysis/index.js';
import { suggestPolicy, type SuggestedPolicy } from '../analysis/index.js';
import type { Store } from '../store/index.js';
import { UseCaseError } from './errors.js';

export type { SuggestedPolicy };

export interface PolicyRequest {
  asOf: string;
  windowDays: number;
  onNotices?: (notices: readonly AnalysisNotice[]) => void;
}

/** The account of an IAM user or role ARN; invalid input for anything else (root, sessions, garbage). */
export function userOrRoleAccount(arn: string): string {
  const parsed = parsePrincipalArn(arn);
  if (!parsed || parsed.type === 'root') {
    throw new UseCaseError(`expected an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>), got "${arn}"`);
  }
  return parsed.accountId;
}

export async function suggestPolicyFor(store: Store, arn: string, req: PolicyRequest): Promise<SuggestedPolicy> {
  const accountId = userOrRoleAccount(arn);
  const state = await loadAnalysis(store, { asOf: req.asOf, windowDays: req.windowDays, accountId, principalArn: arn });
  req.onNotices?.(state.notices);
  const id = state.ctx.identities[0];
  if (!id) {
    throw new UseCaseError(`${arn}: not in any imported IAM snapshot and no activity seen before ${req.asOf} (import IAM with \`trailscope iam import\`)`, 'not-found');
  }
  return policyOf(state, id);
}

/** The suggested policy of one identity of an analysis loaded with its principalArn. */
export function policyOf(state: Pick<AnalysisState, 'ctx' | 'evaluator'>, id: IdentityAnalysis): SuggestedPolicy {
  const { ctx } = state;
  const snapshot = ctx.snapshots.find((s) => s.accountId === id.summary.accountId) ?? null;
  return suggestPolicy({
    principalArn: id.summary.arn,
    usage: id.usage,
    permissions: id.permissions,
    evaluator: state.evaluator,
    identity: id.iam,
    snapshot,
    passRoleServices: ctx.passRoleServices?.get(id.summary.arn),
  });
}
