/**
 * Test snapshots for the graph, built as the IAM importer's typed output (AccountSnapshot) and
 * evaluated by the real PermissionEvaluator: only the IAM inputs are hand-written.
 */
import type { AccountSnapshot, IamGroup, IamRole, IamUser, ManagedPolicy, PolicyDocument, PolicyStatement, ScpChain } from '../iam/types.js';
import { buildIamModel } from '../iam/model.js';
import { createPermissionEvaluator, type IamPermissionEvaluator } from '../iam/permissions/evaluator.js';
import type { NormalizedEvent } from '../model/event.js';
import { buildGraph, type GraphEdge, type PrivilegeGraph } from './build.js';
import { EvidenceIndex } from './evidence.js';
import { evidenceGroupsOf } from './evidence-groups.js';

export const A = '111111111111';
export const B = '222222222222';

export function doc(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}
export function allow(actions: string | string[], resource: string | string[] = '*', condition?: PolicyStatement['Condition']): PolicyStatement {
  return { Effect: 'Allow', Action: actions, Resource: resource, ...(condition ? { Condition: condition } : {}) };
}
export function deny(actions: string | string[], resource: string | string[] = '*'): PolicyStatement {
  return { Effect: 'Deny', Action: actions, Resource: resource };
}
export const ADMIN_DOC = doc(allow('*'));

export function trustDoc(principal: unknown, action: string | string[] = 'sts:AssumeRole', condition?: PolicyStatement['Condition']): PolicyDocument {
  return doc({ Effect: 'Allow', Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) });
}

export interface UserSpec {
  name: string;
  inline?: PolicyDocument[];
  managed?: string[];
  boundary?: string;
  groups?: string[];
  keys?: number;
  password?: boolean;
}
export interface RoleSpec {
  name: string;
  inline?: PolicyDocument[];
  managed?: string[];
  boundary?: string;
  trust?: PolicyDocument;
  profile?: boolean;
  path?: string;
}
export interface GroupSpec {
  name: string;
  inline?: PolicyDocument[];
  managed?: string[];
}

export function snapshot(accountId: string, spec: { users?: UserSpec[]; roles?: RoleSpec[]; groups?: GroupSpec[]; policies?: { name: string; document: PolicyDocument }[] }): AccountSnapshot {
  const base = (type: 'user' | 'role' | 'group', name: string, path = '/') => ({
    arn: `arn:aws:iam::${accountId}:${type}${path}${name}`,
    accountId,
    name,
    path,
    createdAt: '2025-01-01T00:00:00Z',
    tags: {},
  });
  const inline = (d?: PolicyDocument[]) => (d ?? []).map((document, i) => ({ name: `inline${i}`, document }));
  const users: IamUser[] = (spec.users ?? []).map((u) => ({
    ...base('user', u.name),
    type: 'user',
    attachedPolicyArns: u.managed ?? [],
    inlinePolicies: inline(u.inline),
    permissionsBoundaryArn: u.boundary ?? null,
    groupNames: u.groups ?? [],
    accessKeys: Array.from({ length: u.keys ?? 0 }, (_, i) => ({ id: `AKIA${u.name.toUpperCase()}${i}`, active: true, lastUsed: null })),
    ...(u.password !== undefined ? { hasConsolePassword: u.password } : {}),
  }));
  const roles: IamRole[] = (spec.roles ?? []).map((r) => ({
    ...base('role', r.name, r.path),
    type: 'role',
    attachedPolicyArns: r.managed ?? [],
    inlinePolicies: inline(r.inline),
    permissionsBoundaryArn: r.boundary ?? null,
    trustPolicy: r.trust ?? trustDoc({ Service: 'ec2.amazonaws.com' }),
    instanceProfileArns: r.profile ? [`arn:aws:iam::${accountId}:instance-profile/${r.name}`] : [],
    lastUsed: null,
  }));
  const groups: IamGroup[] = (spec.groups ?? []).map((g) => ({
    ...base('group', g.name),
    type: 'group',
    attachedPolicyArns: g.managed ?? [],
    inlinePolicies: inline(g.inline),
    permissionsBoundaryArn: null,
  }));
  const policies = new Map<string, ManagedPolicy>(
    (spec.policies ?? []).map((p) => {
      const arn = `arn:aws:iam::${accountId}:policy/${p.name}`;
      return [arn, { arn, name: p.name, document: p.document, awsManaged: false }];
    }),
  );
  return { accountId, importedAt: '2026-06-01T00:00:00Z', users, roles, groups, policies, unresolvedPolicyArns: [] };
}

export function scpChain(accountId: string, ...levels: PolicyDocument[][]): ScpChain {
  return { accountId, levels };
}

export interface Built {
  graph: PrivilegeGraph;
  evaluator: IamPermissionEvaluator;
}

export async function graphOf(
  snapshots: AccountSnapshot[],
  opts: { scps?: ScpChain[]; events?: NormalizedEvent[]; organizationAccountIds?: string[]; sessionNames?: Record<string, string[]> } = {},
): Promise<Built> {
  const model = buildIamModel({ snapshots, scpChains: opts.scps ?? [] });
  const evaluator = await createPermissionEvaluator(model, { validate: false });
  const evidence = new EvidenceIndex(evidenceGroupsOf(opts.events ?? []), snapshots, (arn) => opts.sessionNames?.[arn] ?? []);
  const graph = buildGraph({ snapshots, evaluator, evidence, organizationAccountIds: opts.organizationAccountIds });
  return { graph, evaluator };
}

export function edgesFrom(graph: PrivilegeGraph, from: string, technique?: string): GraphEdge[] {
  return (graph.out.get(from) ?? []).filter((e) => !technique || e.technique === technique);
}

export function userArn(name: string, account = A): string {
  return `arn:aws:iam::${account}:user/${name}`;
}
export function roleArn(name: string, account = A): string {
  return `arn:aws:iam::${account}:role/${name}`;
}
export function groupArn(name: string, account = A): string {
  return `arn:aws:iam::${account}:group/${name}`;
}
export function policyArn(name: string, account = A): string {
  return `arn:aws:iam::${account}:policy/${name}`;
}
