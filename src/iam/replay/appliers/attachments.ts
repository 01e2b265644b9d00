import type { IamGroup, IamRole, IamUser } from '../../types.js';
import type { ReplayState } from '../state.js';
import { documentParam, param } from '../state.js';
import type { Applier } from './types.js';

type Kind = 'user' | 'role' | 'group';

/** Managed policy attachments, inline policies, group membership and permissions boundaries. */
export const attachmentAppliers: Record<string, Applier> = {
  AttachUserPolicy: attach('user'),
  AttachGroupPolicy: attach('group'),
  AttachRolePolicy: attach('role'),
  DetachUserPolicy: detach('user'),
  DetachGroupPolicy: detach('group'),
  DetachRolePolicy: detach('role'),
  PutUserPolicy: putInline('user'),
  PutGroupPolicy: putInline('group'),
  PutRolePolicy: putInline('role'),
  DeleteUserPolicy: deleteInline('user'),
  DeleteGroupPolicy: deleteInline('group'),
  DeleteRolePolicy: deleteInline('role'),
  PutUserPermissionsBoundary: putBoundary('user'),
  PutRolePermissionsBoundary: putBoundary('role'),
  DeleteUserPermissionsBoundary: deleteBoundary('user'),
  DeleteRolePermissionsBoundary: deleteBoundary('role'),

  AddUserToGroup(state, e) {
    const userName = param(e, 'userName');
    const groupName = param(e, 'groupName');
    if (!userName || !groupName) return;
    const user = state.user(userName);
    if (!user) return state.uncertain(state.arnOf('user', userName), `${e.eventName}: the user is not in the snapshot`);
    if (!state.group(groupName)) state.uncertain(user.arn, `${e.eventName}: group ${groupName} is not in the snapshot; its policies are unknown`);
    if (!user.groupNames.includes(groupName)) user.groupNames.push(groupName);
    state.touch(user.arn);
  },

  RemoveUserFromGroup(state, e) {
    const userName = param(e, 'userName');
    const groupName = param(e, 'groupName');
    const user = userName ? state.user(userName) : undefined;
    if (!user || !groupName) return;
    user.groupNames = user.groupNames.filter((g) => g !== groupName);
    state.touch(user.arn);
  },
};

function target(state: ReplayState, kind: Kind, name: string): IamUser | IamRole | IamGroup | undefined {
  return kind === 'user' ? state.user(name) : kind === 'role' ? state.role(name) : state.group(name);
}

/** The identity the event names, or undefined after flagging it when it is not in the snapshot. */
function named(state: ReplayState, kind: Kind, e: Parameters<Applier>[1]): IamUser | IamRole | IamGroup | undefined {
  const name = param(e, `${kind}Name`);
  if (!name) return undefined;
  const found = target(state, kind, name);
  if (!found) state.uncertain(state.arnOf(kind, name), `${e.eventName}: the ${kind} is not in the snapshot`);
  return found;
}

function attach(kind: Kind): Applier {
  return (state, e) => {
    const policyArn = param(e, 'policyArn');
    const x = policyArn ? named(state, kind, e) : undefined;
    if (!x || !policyArn) return;
    if (!x.attachedPolicyArns.includes(policyArn)) x.attachedPolicyArns.push(policyArn);
    state.touch(x.arn);
    if (!state.resolvePolicy(policyArn)) state.uncertain(x.arn, `${e.eventName}: ${policyArn} has no known document`);
  };
}

function detach(kind: Kind): Applier {
  return (state, e) => {
    const policyArn = param(e, 'policyArn');
    const x = policyArn ? named(state, kind, e) : undefined;
    if (!x || !policyArn) return;
    x.attachedPolicyArns = x.attachedPolicyArns.filter((a) => a !== policyArn);
    state.touch(x.arn);
  };
}

function putInline(kind: Kind): Applier {
  return (state, e) => {
    const policyName = param(e, 'policyName');
    const x = policyName ? named(state, kind, e) : undefined;
    if (!x || !policyName) return;
    const document = documentParam(e, 'policyDocument');
    state.touch(x.arn);
    if (!document) return state.uncertain(x.arn, `${e.eventName}: the document of inline policy ${policyName} is missing or unreadable in the event`);
    x.inlinePolicies = [...x.inlinePolicies.filter((p) => p.name !== policyName), { name: policyName, document }];
  };
}

function deleteInline(kind: Kind): Applier {
  return (state, e) => {
    const policyName = param(e, 'policyName');
    const x = policyName ? named(state, kind, e) : undefined;
    if (!x || !policyName) return;
    x.inlinePolicies = x.inlinePolicies.filter((p) => p.name !== policyName);
    state.touch(x.arn);
  };
}

function putBoundary(kind: 'user' | 'role'): Applier {
  return (state, e) => {
    const boundary = param(e, 'permissionsBoundary');
    const x = boundary ? named(state, kind, e) : undefined;
    if (!x || !boundary) return;
    x.permissionsBoundaryArn = boundary;
    state.touch(x.arn);
    if (!state.resolvePolicy(boundary)) state.uncertain(x.arn, `${e.eventName}: permissions boundary ${boundary} has no known document`);
  };
}

function deleteBoundary(kind: 'user' | 'role'): Applier {
  return (state, e) => {
    const x = named(state, kind, e);
    if (!x) return;
    x.permissionsBoundaryArn = null;
    state.touch(x.arn);
  };
}
