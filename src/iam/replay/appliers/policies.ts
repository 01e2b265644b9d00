import { documentParam, param, response } from '../state.js';
import type { Applier } from './types.js';

/**
 * Customer-managed policies: creation, new versions, the default version, deletion. A version
 * made default whose document trailscope never saw leaves the policy's grants uncertain.
 */
export const policyAppliers: Record<string, Applier> = {
  CreatePolicy(state, e) {
    const name = param(e, 'policyName');
    if (!name) return;
    const path = param(e, 'path') ?? '/';
    const arn = str(response(e, 'policy', 'arn')) ?? `arn:${state.partition()}:iam::${state.accountId}:policy${path}${name}`;
    const document = documentParam(e, 'policyDocument');
    const versionId = str(response(e, 'policy', 'defaultVersionId')) ?? 'v1';
    state.touchPolicy(arn, document ? undefined : `${e.eventName}: the document of ${arn} is missing or unreadable in the event`);
    if (!document) return;
    state.snapshot.policies.set(arn, { arn, name, document, awsManaged: false, versionId });
    state.snapshot.unresolvedPolicyArns = state.snapshot.unresolvedPolicyArns.filter((a) => a !== arn);
    state.rememberVersion(arn, versionId, document);
  },

  CreatePolicyVersion(state, e) {
    const arn = param(e, 'policyArn');
    if (!arn) return;
    const document = documentParam(e, 'policyDocument');
    const versionId = str(response(e, 'policyVersion', 'versionId'));
    if (document && versionId) state.rememberVersion(arn, versionId, document);
    const setAsDefault = requestFlag(e, 'setAsDefault') || response(e, 'policyVersion', 'isDefaultVersion') === true;
    if (!setAsDefault) return;
    const policy = state.snapshot.policies.get(arn);
    if (!document || !policy) {
      state.touchPolicy(arn, `${e.eventName}: ${policy ? 'the new default document is missing or unreadable in the event' : `${arn} is not in the snapshot`}`);
      return;
    }
    policy.document = document;
    policy.versionId = versionId ?? null;
    state.touchPolicy(arn);
  },

  SetDefaultPolicyVersion(state, e) {
    const arn = param(e, 'policyArn');
    const versionId = param(e, 'versionId');
    if (!arn || !versionId) return;
    const policy = state.snapshot.policies.get(arn);
    const document = state.knownVersion(arn, versionId);
    if (!policy || !document) {
      // the previous default stays in place, flagged: guessing the version's content would be worse
      state.touchPolicy(arn, `${e.eventName}: version ${versionId} of ${arn} was made default; its document is unknown`);
      return;
    }
    policy.document = document;
    policy.versionId = versionId;
    state.touchPolicy(arn);
  },

  DeletePolicy(state, e) {
    const arn = param(e, 'policyArn');
    if (!arn) return;
    state.touchPolicy(arn);
    state.forgetPolicy(arn);
  },
};

function requestFlag(e: Parameters<Applier>[1], name: string): boolean {
  const v = (e.raw.requestParameters as Record<string, unknown> | null | undefined)?.[name];
  return v === true || v === 'true';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
