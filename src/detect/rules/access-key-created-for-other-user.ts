import { defineEventRule } from '../types.js';
import { actorOf, actorUserName, obj, params, response, str, succeeded, userArn, who } from './helpers.js';

/**
 * An access key created for a user other than the caller: a classic persistence backdoor
 * (Stratus: iam-create-backdoor-user / create-admin-user). A key a user makes for itself
 * (no userName, or its own) is ordinary rotation.
 */
export const accessKeyCreatedForOtherUser = defineEventRule({
  id: 'access-key-created-for-other-user',
  title: 'Access key created for another user',
  severity: 'high',
  description:
    'An identity created a long-lived access key for a different IAM user. Attackers do this to keep access through an identity that is not theirs; it is rarely part of normal operations outside provisioning pipelines.',
  remediation:
    'Confirm the key was requested by the user it belongs to. If not, deactivate and delete it, review what it did, and restrict iam:CreateAccessKey to iam:ResourceTag or ${aws:username} conditions.',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
    'https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-create-admin-user/',
  ],
  attack: ['T1098.001'],
  prefilter: { eventSource: ['iam.amazonaws.com'], eventName: ['CreateAccessKey'] },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const target = str(params(e).userName);
    if (!target) return null;
    const self = actorUserName(e);
    if (self !== undefined && self === target) return null;
    const keyId = str(obj(response(e).accessKey)?.accessKeyId) ?? null;
    return {
      resource: userArn(e, target),
      // An IAM user minting keys for a colleague is the backdoor pattern; automation through roles is commoner.
      severity: e.identityType === 'IAMUser' || e.identityType === 'Root' ? 'high' : 'medium',
      title: `Access key created for ${target} by ${actorOf(e)}`,
      details: { ...who(e), targetUser: target, accessKeyId: keyId },
    };
  },
});
