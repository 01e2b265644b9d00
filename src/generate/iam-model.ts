/**
 * IAM entities in the exact shape of `aws iam get-account-authorization-details`, plus the
 * per-user credential facts that feed the credential report. Documents are held as objects;
 * `serializeSnapshot` decides whether an account is written in the CLI form (objects) or the
 * AWS SDK for JavaScript form (URL-encoded JSON strings).
 */

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDoc {
  Version: '2012-10-17';
  Statement: Statement[];
}

export interface AttachedPolicy {
  PolicyName: string;
  PolicyArn: string;
}

export interface InlinePolicyDetail {
  PolicyName: string;
  PolicyDocument: PolicyDoc;
}

export interface Boundary {
  PermissionsBoundaryType: 'Policy';
  PermissionsBoundaryArn: string;
}

export interface UserDetail {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: number;
  UserPolicyList: InlinePolicyDetail[];
  GroupList: string[];
  AttachedManagedPolicies: AttachedPolicy[];
  PermissionsBoundary?: Boundary;
  Tags: { Key: string; Value: string }[];
}

export interface InstanceProfileDetail {
  Path: string;
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  CreateDate: number;
}

export interface RoleDetail {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: number;
  AssumeRolePolicyDocument: PolicyDoc;
  InstanceProfileList: InstanceProfileDetail[];
  RolePolicyList: InlinePolicyDetail[];
  AttachedManagedPolicies: AttachedPolicy[];
  PermissionsBoundary?: Boundary;
  Tags: { Key: string; Value: string }[];
  /** epoch ms of the last use, or null (never used / unknown). */
  RoleLastUsed: { LastUsedDate?: number; Region?: string };
  Description?: string;
  MaxSessionDuration?: number;
}

export interface GroupDetail {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: number;
  GroupPolicyList: InlinePolicyDetail[];
  AttachedManagedPolicies: AttachedPolicy[];
}

export interface PolicyVersion {
  Document: PolicyDoc;
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate: number;
}

export interface ManagedPolicyDetail {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: number;
  UpdateDate: number;
  PolicyVersionList: PolicyVersion[];
}

/** Credential facts about one user; timestamps are epoch ms, null = never. */
export interface UserCredentials {
  password: { enabled: boolean; lastUsedMs: number | null; lastChangedMs: number | null };
  mfaActive: boolean;
  keys: { id: string; active: boolean; createdMs: number; lastUsedMs: number | null; region?: string; service?: string }[];
}

export interface IamAccount {
  accountId: string;
  users: UserDetail[];
  groups: GroupDetail[];
  roles: RoleDetail[];
  policies: ManagedPolicyDetail[];
  credentials: Map<string, UserCredentials>;
  /** Root's credential facts for the credential report's <root_account> row. */
  rootCreatedMs: number;
  rootPasswordLastUsedMs: number | null;
  /** true: documents written URL-encoded (SDK for JavaScript form). */
  urlEncoded: boolean;
}

export const AWS_POLICY = {
  AdministratorAccess: 'arn:aws:iam::aws:policy/AdministratorAccess',
  PowerUserAccess: 'arn:aws:iam::aws:policy/PowerUserAccess',
  ReadOnlyAccess: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  ViewOnlyAccess: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
  AmazonS3ReadOnlyAccess: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  AmazonDynamoDBReadOnlyAccess: 'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess',
  AWSLambdaBasicExecutionRole: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  AmazonSSMManagedInstanceCore: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  AmazonECSTaskExecutionRolePolicy: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
  AWSSupportServiceRolePolicy: 'arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy',
  AWSTrustedAdvisorServiceRolePolicy: 'arn:aws:iam::aws:policy/aws-service-role/AWSTrustedAdvisorServiceRolePolicy',
  AmazonGuardDutyServiceRolePolicy: 'arn:aws:iam::aws:policy/aws-service-role/AmazonGuardDutyServiceRolePolicy',
  AWSOrganizationsServiceTrustPolicy: 'arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy',
  AWSSSOServiceRolePolicy: 'arn:aws:iam::aws:policy/aws-service-role/AWSSSOServiceRolePolicy',
} as const;

export function attached(arn: string): AttachedPolicy {
  return { PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn };
}

export function doc(...statements: Statement[]): PolicyDoc {
  return { Version: '2012-10-17', Statement: statements };
}

export function allow(action: string | string[], resource: string | string[] = '*', extra: Partial<Statement> = {}): Statement {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(action: string | string[], resource: string | string[] = '*', extra: Partial<Statement> = {}): Statement {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

export function trust(principal: unknown, action: string | string[] = 'sts:AssumeRole', condition?: Statement['Condition']): PolicyDoc {
  const st: Statement = { Effect: 'Allow', Principal: principal, Action: action };
  if (condition) st.Condition = condition;
  return doc(st);
}

// ---------------------------------------------------------------------------------------------
// Serialization

function cliDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function sdkDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** The account's snapshot as `get-account-authorization-details` prints it (all pages merged). */
export function serializeSnapshot(acct: IamAccount): Record<string, unknown> {
  const date = acct.urlEncoded ? sdkDate : cliDate;
  const d = (doc: PolicyDoc): unknown => (acct.urlEncoded ? encodeURIComponent(JSON.stringify(doc)) : doc);
  const inline = (list: InlinePolicyDetail[]) => list.map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: d(p.PolicyDocument) }));
  return {
    UserDetailList: acct.users.map((u) => ({
      Path: u.Path,
      UserName: u.UserName,
      UserId: u.UserId,
      Arn: u.Arn,
      CreateDate: date(u.CreateDate),
      UserPolicyList: inline(u.UserPolicyList),
      GroupList: u.GroupList,
      AttachedManagedPolicies: u.AttachedManagedPolicies,
      ...(u.PermissionsBoundary ? { PermissionsBoundary: u.PermissionsBoundary } : {}),
      Tags: u.Tags,
    })),
    GroupDetailList: acct.groups.map((g) => ({
      Path: g.Path,
      GroupName: g.GroupName,
      GroupId: g.GroupId,
      Arn: g.Arn,
      CreateDate: date(g.CreateDate),
      GroupPolicyList: inline(g.GroupPolicyList),
      AttachedManagedPolicies: g.AttachedManagedPolicies,
    })),
    RoleDetailList: acct.roles.map((r) => ({
      Path: r.Path,
      RoleName: r.RoleName,
      RoleId: r.RoleId,
      Arn: r.Arn,
      CreateDate: date(r.CreateDate),
      AssumeRolePolicyDocument: d(r.AssumeRolePolicyDocument),
      ...(r.Description ? { Description: r.Description } : {}),
      MaxSessionDuration: r.MaxSessionDuration ?? 3600,
      InstanceProfileList: r.InstanceProfileList.map((p) => ({
        Path: p.Path,
        InstanceProfileName: p.InstanceProfileName,
        InstanceProfileId: p.InstanceProfileId,
        Arn: p.Arn,
        CreateDate: date(p.CreateDate),
        Roles: [{ Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: date(r.CreateDate), AssumeRolePolicyDocument: d(r.AssumeRolePolicyDocument) }],
      })),
      RolePolicyList: inline(r.RolePolicyList),
      AttachedManagedPolicies: r.AttachedManagedPolicies,
      ...(r.PermissionsBoundary ? { PermissionsBoundary: r.PermissionsBoundary } : {}),
      Tags: r.Tags,
      RoleLastUsed: r.RoleLastUsed.LastUsedDate !== undefined ? { LastUsedDate: date(r.RoleLastUsed.LastUsedDate), Region: r.RoleLastUsed.Region } : {},
    })),
    Policies: acct.policies.map((p) => ({
      PolicyName: p.PolicyName,
      PolicyId: p.PolicyId,
      Arn: p.Arn,
      Path: p.Path,
      DefaultVersionId: p.DefaultVersionId,
      AttachmentCount: p.AttachmentCount,
      PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
      IsAttachable: p.IsAttachable,
      ...(p.Description ? { Description: p.Description } : {}),
      CreateDate: date(p.CreateDate),
      UpdateDate: date(p.UpdateDate),
      PolicyVersionList: p.PolicyVersionList.map((v) => ({ Document: d(v.Document), VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: date(v.CreateDate) })),
    })),
    IsTruncated: false,
  };
}

export const CREDENTIAL_REPORT_COLUMNS = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed',
  'password_next_rotation', 'mfa_active', 'access_key_1_active', 'access_key_1_last_rotated',
  'access_key_1_last_used_date', 'access_key_1_last_used_region', 'access_key_1_last_used_service',
  'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date',
  'access_key_2_last_used_region', 'access_key_2_last_used_service', 'cert_1_active', 'cert_1_last_rotated',
  'cert_2_active', 'cert_2_last_rotated',
] as const;

/** The credential report CSV (the decoded `Content` of `aws iam get-credential-report`). */
export function serializeCredentialReport(acct: IamAccount): string {
  const t = cliDate;
  const rows: string[][] = [[...CREDENTIAL_REPORT_COLUMNS]];
  rows.push([
    '<root_account>', `arn:aws:iam::${acct.accountId}:root`, t(acct.rootCreatedMs), 'not_supported',
    acct.rootPasswordLastUsedMs === null ? 'no_information' : t(acct.rootPasswordLastUsedMs),
    'not_supported', 'not_supported', 'true', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'N/A', 'N/A', 'N/A',
    'false', 'N/A', 'false', 'N/A',
  ]);
  for (const u of acct.users) {
    const c = acct.credentials.get(u.Arn);
    if (!c) continue;
    const row = [u.UserName, u.Arn, t(u.CreateDate)];
    if (c.password.enabled) {
      row.push('true', c.password.lastUsedMs === null ? 'no_information' : t(c.password.lastUsedMs), c.password.lastChangedMs === null ? 'N/A' : t(c.password.lastChangedMs), 'N/A');
    } else {
      row.push('false', 'N/A', 'N/A', 'N/A');
    }
    row.push(c.mfaActive ? 'true' : 'false');
    for (let i = 0; i < 2; i++) {
      const k = c.keys[i];
      if (!k) row.push('false', 'N/A', 'N/A', 'N/A', 'N/A');
      else if (k.lastUsedMs === null) row.push(k.active ? 'true' : 'false', t(k.createdMs), 'N/A', 'N/A', 'N/A');
      else row.push(k.active ? 'true' : 'false', t(k.createdMs), t(k.lastUsedMs), k.region ?? 'us-east-1', k.service ?? 'sts');
    }
    row.push('false', 'N/A', 'false', 'N/A');
    rows.push(row);
  }
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}
