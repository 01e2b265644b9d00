import type { IamRole, IamUser } from '../../types.js';
import { documentParam, param, response } from '../state.js';
import type { Applier } from './types.js';

/** Users and roles coming and going, role trust, and user credentials (access keys, console password). */
export const identityAppliers: Record<string, Applier> = {
  CreateUser(state, e) {
    const name = param(e, 'userName');
    if (!name || state.user(name)) return;
    const path = param(e, 'path') ?? '/';
    const arn = str(response(e, 'user', 'arn')) ?? `arn:${state.partition()}:iam::${state.accountId}:user${path}${name}`;
    const user: IamUser = {
      arn,
      accountId: state.accountId,
      type: 'user',
      name,
      path,
      createdAt: str(response(e, 'user', 'createDate')) ?? e.eventTime,
      attachedPolicyArns: [],
      inlinePolicies: [],
      permissionsBoundaryArn: null,
      tags: {},
      groupNames: [],
      hasConsolePassword: false,
      accessKeys: [],
    };
    const id = str(response(e, 'user', 'userId'));
    if (id) user.id = id;
    const boundary = param(e, 'permissionsBoundary');
    if (boundary) {
      user.permissionsBoundaryArn = boundary;
      if (!state.resolvePolicy(boundary)) state.uncertain(arn, `${e.eventName}: permissions boundary ${boundary} has no known document`);
    }
    state.snapshot.users.push(user);
    state.touch(arn);
  },

  DeleteUser(state, e) {
    const name = param(e, 'userName');
    if (!name) return;
    state.touch(state.arnOf('user', name));
    state.snapshot.users = state.snapshot.users.filter((u) => u.name !== name);
  },

  CreateRole(state, e) {
    const name = param(e, 'roleName');
    if (!name || state.role(name)) return;
    const path = param(e, 'path') ?? '/';
    const arn = str(response(e, 'role', 'arn')) ?? `arn:${state.partition()}:iam::${state.accountId}:role${path}${name}`;
    const trust = documentParam(e, 'assumeRolePolicyDocument');
    const role: IamRole = {
      arn,
      accountId: state.accountId,
      type: 'role',
      name,
      path,
      createdAt: str(response(e, 'role', 'createDate')) ?? e.eventTime,
      attachedPolicyArns: [],
      inlinePolicies: [],
      permissionsBoundaryArn: null,
      tags: {},
      // an unreadable trust policy admits no one rather than a guessed principal
      trustPolicy: trust ?? { Statement: [] },
      instanceProfileArns: [],
      lastUsed: null,
    };
    const id = str(response(e, 'role', 'roleId'));
    if (id) role.id = id;
    state.snapshot.roles.push(role);
    state.touch(arn);
    if (!trust) state.uncertain(arn, `${e.eventName}: the trust policy is missing or unreadable in the event`);
    const boundary = param(e, 'permissionsBoundary');
    if (boundary) {
      role.permissionsBoundaryArn = boundary;
      if (!state.resolvePolicy(boundary)) state.uncertain(arn, `${e.eventName}: permissions boundary ${boundary} has no known document`);
    }
  },

  DeleteRole(state, e) {
    const name = param(e, 'roleName');
    if (!name) return;
    state.touch(state.arnOf('role', name));
    state.snapshot.roles = state.snapshot.roles.filter((r) => r.name !== name);
  },

  UpdateAssumeRolePolicy(state, e) {
    const name = param(e, 'roleName');
    if (!name) return;
    const role = state.role(name);
    const arn = state.arnOf('role', name);
    const trust = documentParam(e, 'policyDocument');
    if (!role || !trust) {
      state.uncertain(arn, `${e.eventName}: ${role ? 'the trust policy is missing or unreadable in the event' : 'the role is not in the snapshot'}`);
      return;
    }
    role.trustPolicy = trust;
    state.touch(arn);
  },

  CreateAccessKey(state, e) {
    const user = targetUser(state, e);
    if (!user) return;
    const id = str(response(e, 'accessKey', 'accessKeyId'));
    const keys = (user.accessKeys ??= []);
    if (id && keys.some((k) => k.id === id)) return;
    keys.push({ ...(id ? { id } : {}), active: str(response(e, 'accessKey', 'status')) !== 'Inactive', lastUsed: null, createdAt: e.eventTime });
    state.touch(user.arn);
  },

  UpdateAccessKey(state, e) {
    const user = targetUser(state, e);
    const id = param(e, 'accessKeyId');
    const key = user?.accessKeys?.find((k) => k.id === id);
    if (!user || !key) return;
    key.active = param(e, 'status') !== 'Inactive';
    state.touch(user.arn);
  },

  DeleteAccessKey(state, e) {
    const user = targetUser(state, e);
    const id = param(e, 'accessKeyId');
    if (!user || !user.accessKeys?.some((k) => k.id === id)) return;
    user.accessKeys = user.accessKeys.filter((k) => k.id !== id);
    state.touch(user.arn);
  },

  CreateLoginProfile(state, e) {
    const user = targetUser(state, e);
    if (!user) return;
    user.hasConsolePassword = true;
    user.passwordLastUsed = null;
    state.touch(user.arn);
  },

  DeleteLoginProfile(state, e) {
    const user = targetUser(state, e);
    if (!user) return;
    user.hasConsolePassword = false;
    state.touch(user.arn);
  },
};

/** The user named by the request or, when it names none, the calling user (IAM's default). */
function targetUser(state: Parameters<Applier>[0], e: Parameters<Applier>[1]): IamUser | undefined {
  const name = param(e, 'userName');
  if (name) return state.user(name);
  return state.snapshot.users.find((u) => u.arn === e.principalArn);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
