import { z } from 'zod';
import type {
  AccountSnapshot,
  IamGroup,
  IamRole,
  IamUser,
  InlinePolicy,
  ManagedPolicy,
  PolicyDocument,
} from '../types.js';
import { decodePolicyDocument } from './policy-document.js';
import { isAwsManagedPolicyArn, shippedAwsManagedPolicy } from './aws-managed.js';

/**
 * `aws iam get-account-authorization-details` output (or GetAccountAuthorizationDetails pages
 * from an SDK) → AccountSnapshot. Unknown keys are ignored; documents may be objects or
 * URL-encoded strings; several pages (Marker/IsTruncated) or files of one account merge.
 */
export class SnapshotError extends Error {}

const attached = z.object({ PolicyArn: z.string(), PolicyName: z.string().optional() });
const inline = z.object({ PolicyName: z.string(), PolicyDocument: z.unknown() });
const tag = z.object({ Key: z.string(), Value: z.string().optional().default('') });
const boundary = z
  .object({ PermissionsBoundaryArn: z.string().optional(), PermissionsBoundaryType: z.string().optional() })
  .optional()
  .nullable();
const date = z.union([z.string(), z.date()]).optional().nullable();

const userSchema = z.object({
  Path: z.string().optional(),
  UserName: z.string(),
  UserId: z.string().optional(),
  Arn: z.string(),
  CreateDate: date,
  UserPolicyList: z.array(inline).optional().nullable(),
  GroupList: z.array(z.string()).optional().nullable(),
  AttachedManagedPolicies: z.array(attached).optional().nullable(),
  PermissionsBoundary: boundary,
  Tags: z.array(tag).optional().nullable(),
});

const groupSchema = z.object({
  Path: z.string().optional(),
  GroupName: z.string(),
  GroupId: z.string().optional(),
  Arn: z.string(),
  CreateDate: date,
  GroupPolicyList: z.array(inline).optional().nullable(),
  AttachedManagedPolicies: z.array(attached).optional().nullable(),
});

const roleSchema = z.object({
  Path: z.string().optional(),
  RoleName: z.string(),
  RoleId: z.string().optional(),
  Arn: z.string(),
  CreateDate: date,
  AssumeRolePolicyDocument: z.unknown().optional(),
  InstanceProfileList: z.array(z.object({ Arn: z.string().optional() })).optional().nullable(),
  RolePolicyList: z.array(inline).optional().nullable(),
  AttachedManagedPolicies: z.array(attached).optional().nullable(),
  PermissionsBoundary: boundary,
  Tags: z.array(tag).optional().nullable(),
  RoleLastUsed: z
    .object({ LastUsedDate: date, Region: z.string().optional() })
    .optional()
    .nullable(),
});

const policySchema = z.object({
  PolicyName: z.string(),
  PolicyId: z.string().optional(),
  Arn: z.string(),
  Path: z.string().optional(),
  DefaultVersionId: z.string().optional().nullable(),
  AttachmentCount: z.number().optional(),
  PolicyVersionList: z
    .array(
      z.object({
        Document: z.unknown().optional(),
        VersionId: z.string().optional(),
        IsDefaultVersion: z.boolean().optional(),
      }),
    )
    .optional()
    .nullable(),
});

export const authorizationDetailsSchema = z.object({
  UserDetailList: z.array(userSchema).optional().nullable(),
  GroupDetailList: z.array(groupSchema).optional().nullable(),
  RoleDetailList: z.array(roleSchema).optional().nullable(),
  Policies: z.array(policySchema).optional().nullable(),
  IsTruncated: z.boolean().optional(),
  Marker: z.string().optional().nullable(),
});

export type AuthorizationDetailsPage = z.infer<typeof authorizationDetailsSchema>;

/** True when the value looks like get-account-authorization-details output. */
export function looksLikeAuthorizationDetails(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'].some((k) => keys.includes(k));
}

export interface ParseOptions {
  /** ISO time recorded as importedAt (default: now). */
  importedAt?: string;
  /** Account to use when no ARN in the input names one. */
  accountId?: string;
  /** Resolve AWS-managed policies missing from the input from shipped data (default true). */
  resolveAwsManaged?: boolean;
}

/** Validates one page (a parsed JSON value). */
export function parseAuthorizationDetailsPage(value: unknown, where = 'input'): AuthorizationDetailsPage {
  const r = authorizationDetailsSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SnapshotError(
      `${where}: not get-account-authorization-details output (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return r.data;
}

const ARN_ACCOUNT = /^arn:aws[a-z-]*:iam::([^:]*):/;

function accountOf(arn: string): string | undefined {
  const m = ARN_ACCOUNT.exec(arn);
  const acct = m?.[1];
  return acct && /^\d{12}$/.test(acct) ? acct : undefined;
}

function isoDate(v: string | Date | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const t = v instanceof Date ? v.getTime() : Date.parse(String(v).replace(' ', 'T'));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function tagsOf(tags: { Key: string; Value: string }[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.Key] = t.Value;
  return out;
}

function inlinePolicies(list: { PolicyName: string; PolicyDocument: unknown }[] | null | undefined, owner: string): InlinePolicy[] {
  return (list ?? []).map((p) => ({
    name: p.PolicyName,
    document: decodePolicyDocument(p.PolicyDocument, `inline policy ${p.PolicyName} of ${owner}`),
  }));
}

/** Merges pages (or files) by ARN: later entries replace earlier ones with the same ARN. */
export function mergePages(pages: AuthorizationDetailsPage[]): AuthorizationDetailsPage {
  const byArn = <T extends { Arn: string }>(lists: (T[] | null | undefined)[]): T[] => {
    const m = new Map<string, T>();
    for (const l of lists) for (const x of l ?? []) m.set(x.Arn, x);
    return [...m.values()];
  };
  return {
    UserDetailList: byArn(pages.map((p) => p.UserDetailList)),
    GroupDetailList: byArn(pages.map((p) => p.GroupDetailList)),
    RoleDetailList: byArn(pages.map((p) => p.RoleDetailList)),
    Policies: byArn(pages.map((p) => p.Policies)),
  };
}

/** Every 12-digit account that an ARN in the page names (AWS-managed 'aws' ARNs excluded). */
export function accountsInPage(page: AuthorizationDetailsPage): Set<string> {
  const accounts = new Set<string>();
  const add = (arn: string) => {
    const a = accountOf(arn);
    if (a) accounts.add(a);
  };
  for (const u of page.UserDetailList ?? []) add(u.Arn);
  for (const g of page.GroupDetailList ?? []) add(g.Arn);
  for (const r of page.RoleDetailList ?? []) add(r.Arn);
  for (const p of page.Policies ?? []) add(p.Arn);
  return accounts;
}

/**
 * Splits a page whose entities span several accounts (merged exports, published examples) into
 * one page per account, by the account in each entity's ARN. A policy whose ARN names no account
 * (AWS-managed) goes to every account that attaches it, or to all when none does. Users, groups
 * and roles whose ARN names no account cannot be placed: they are left out and listed in
 * `unassigned` for the caller to report.
 */
export function splitPageByAccount(page: AuthorizationDetailsPage): { pages: Map<string, AuthorizationDetailsPage>; unassigned: string[] } {
  const unassigned: string[] = [];
  const accounts = [...accountsInPage(page)].sort();
  type Lists = 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies';
  const out = new Map<string, { [K in Lists]: NonNullable<AuthorizationDetailsPage[K]> }>();
  for (const a of accounts) out.set(a, { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] });
  const into = <K extends 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList'>(key: K) => {
    for (const e of page[key] ?? []) {
      const a = accountOf(e.Arn);
      const target = a ? out.get(a) : undefined;
      if (target) (target[key] as { Arn: string }[]).push(e);
      else unassigned.push(e.Arn);
    }
  };
  into('UserDetailList');
  into('GroupDetailList');
  into('RoleDetailList');
  const attachedBy = new Map<string, Set<string>>();
  for (const [a, p] of out) {
    for (const e of [...p.UserDetailList, ...p.GroupDetailList, ...p.RoleDetailList]) {
      for (const m of e.AttachedManagedPolicies ?? []) {
        let set = attachedBy.get(m.PolicyArn);
        if (!set) attachedBy.set(m.PolicyArn, (set = new Set()));
        set.add(a);
      }
    }
  }
  for (const pol of page.Policies ?? []) {
    const a = accountOf(pol.Arn);
    const targets = a ? [a] : [...(attachedBy.get(pol.Arn) ?? accounts)];
    for (const t of targets) out.get(t)?.Policies.push(pol);
  }
  const pages = new Map([...out].map(([a, p]) => [a, { ...p, ...(page.IsTruncated !== undefined ? { IsTruncated: page.IsTruncated } : {}) }]));
  return { pages, unassigned };
}

/**
 * Builds the snapshot of one account from one or more pages of authorization details.
 * Throws SnapshotError when the pages name no account (and none was given) or several.
 */
export function buildAccountSnapshot(pages: AuthorizationDetailsPage[], opts: ParseOptions = {}): AccountSnapshot {
  const merged = mergePages(pages);
  const accounts = accountsInPage(merged);
  if (accounts.size > 1) {
    throw new SnapshotError(
      `authorization details mix accounts ${[...accounts].sort().join(', ')}; import each account's output separately`,
    );
  }
  const accountId = [...accounts][0] ?? opts.accountId;
  if (!accountId) {
    throw new SnapshotError(
      'authorization details name no account: no user, group, role or customer-managed policy ARN carries an account id',
    );
  }
  if (opts.accountId && opts.accountId !== accountId) {
    throw new SnapshotError(`authorization details are for account ${accountId}, not ${opts.accountId}`);
  }

  const policies = new Map<string, ManagedPolicy>();
  const unresolved = new Set<string>();
  for (const p of merged.Policies ?? []) {
    const versions = p.PolicyVersionList ?? [];
    const def =
      versions.find((v) => v.IsDefaultVersion === true) ??
      (p.DefaultVersionId ? versions.find((v) => v.VersionId === p.DefaultVersionId) : undefined) ??
      (versions.length === 1 ? versions[0] : undefined);
    if (!def || def.Document === undefined || def.Document === null) {
      unresolved.add(p.Arn);
      continue;
    }
    policies.set(p.Arn, {
      arn: p.Arn,
      name: p.PolicyName,
      document: decodePolicyDocument(def.Document, `managed policy ${p.Arn}`),
      awsManaged: isAwsManagedPolicyArn(p.Arn),
      versionId: def.VersionId ?? p.DefaultVersionId ?? null,
      resolvedFrom: 'snapshot',
    });
  }

  const referenced = new Set<string>();
  const boundaryOf = (b: z.infer<typeof boundary>): string | null => {
    const arn = b?.PermissionsBoundaryArn;
    if (arn) referenced.add(arn);
    return arn ?? null;
  };
  const attachedOf = (list: { PolicyArn: string }[] | null | undefined): string[] =>
    (list ?? []).map((a) => {
      referenced.add(a.PolicyArn);
      return a.PolicyArn;
    });

  const users: IamUser[] = (merged.UserDetailList ?? []).map((u) => {
    const user: IamUser = {
      arn: u.Arn,
      accountId,
      type: 'user',
      name: u.UserName,
      path: u.Path ?? '/',
      createdAt: isoDate(u.CreateDate),
      attachedPolicyArns: attachedOf(u.AttachedManagedPolicies),
      inlinePolicies: inlinePolicies(u.UserPolicyList, u.Arn),
      permissionsBoundaryArn: boundaryOf(u.PermissionsBoundary),
      tags: tagsOf(u.Tags),
      groupNames: [...(u.GroupList ?? [])],
    };
    if (u.UserId) user.id = u.UserId;
    return user;
  });

  const groups: IamGroup[] = (merged.GroupDetailList ?? []).map((g) => {
    const group: IamGroup = {
      arn: g.Arn,
      accountId,
      type: 'group',
      name: g.GroupName,
      path: g.Path ?? '/',
      createdAt: isoDate(g.CreateDate),
      attachedPolicyArns: attachedOf(g.AttachedManagedPolicies),
      inlinePolicies: inlinePolicies(g.GroupPolicyList, g.Arn),
      permissionsBoundaryArn: null,
      tags: {},
    };
    if (g.GroupId) group.id = g.GroupId;
    return group;
  });

  const roles: IamRole[] = (merged.RoleDetailList ?? []).map((r) => {
    const trustPolicy: PolicyDocument =
      r.AssumeRolePolicyDocument === undefined || r.AssumeRolePolicyDocument === null
        ? { Statement: [] }
        : decodePolicyDocument(r.AssumeRolePolicyDocument, `trust policy of ${r.Arn}`);
    const role: IamRole = {
      arn: r.Arn,
      accountId,
      type: 'role',
      name: r.RoleName,
      path: r.Path ?? '/',
      createdAt: isoDate(r.CreateDate),
      attachedPolicyArns: attachedOf(r.AttachedManagedPolicies),
      inlinePolicies: inlinePolicies(r.RolePolicyList, r.Arn),
      permissionsBoundaryArn: boundaryOf(r.PermissionsBoundary),
      tags: tagsOf(r.Tags),
      trustPolicy,
      instanceProfileArns: (r.InstanceProfileList ?? []).flatMap((ip) => (ip.Arn ? [ip.Arn] : [])),
      lastUsed: isoDate(r.RoleLastUsed?.LastUsedDate),
    };
    if (r.RoleId) role.id = r.RoleId;
    return role;
  });

  for (const arn of referenced) {
    if (policies.has(arn)) continue;
    const shipped = opts.resolveAwsManaged === false ? undefined : shippedAwsManagedPolicy(arn);
    if (shipped) policies.set(arn, shipped);
    else unresolved.add(arn);
  }
  for (const arn of policies.keys()) unresolved.delete(arn);

  return {
    accountId,
    importedAt: opts.importedAt ?? new Date().toISOString(),
    users,
    roles,
    groups,
    policies,
    unresolvedPolicyArns: [...unresolved].sort(),
  };
}

/** Parses one JSON value (one page or a whole output) into a snapshot. */
export function parseAuthorizationDetails(value: unknown, opts: ParseOptions = {}, where = 'input'): AccountSnapshot {
  return buildAccountSnapshot([parseAuthorizationDetailsPage(value, where)], opts);
}
