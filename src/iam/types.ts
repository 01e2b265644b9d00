/**
 * The contract between IAM configuration (src/iam) and the analysers (src/analysis, src/graph).
 * src/iam parses AWS documents once at the edge (objects or URL-encoded strings) into these
 * typed values; nothing downstream re-parses a policy.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export interface ManagedPolicy {
  arn: string;
  name: string;
  /** The default version's document. */
  document: PolicyDocument;
  /** true for arn:aws:iam::aws:policy/... */
  awsManaged: boolean;
  /** Optional (added by src/iam): the default version id, e.g. "v3", when known. */
  versionId?: string | null;
  /** Optional (added by src/iam): where the document came from. */
  resolvedFrom?: 'snapshot' | 'aws-managed-data';
}

export interface InlinePolicy {
  name: string;
  document: PolicyDocument;
}

export type IdentityType = 'user' | 'role' | 'group' | 'root';

export interface IamIdentity {
  arn: string;
  accountId: string;
  type: IdentityType;
  name: string;
  path: string;
  /** ISO creation time, or null when unknown. */
  createdAt: string | null;
  attachedPolicyArns: string[];
  inlinePolicies: InlinePolicy[];
  permissionsBoundaryArn: string | null;
  tags: Record<string, string>;
  /** Optional (added by src/iam): the unique id (AIDA.../AROA.../AGPA...) CloudTrail shows as principalId. */
  id?: string;
}

export interface IamUser extends IamIdentity {
  type: 'user';
  groupNames: string[];
  /** From the credential report or the snapshot, when known. */
  hasConsolePassword?: boolean;
  passwordLastUsed?: string | null;
  accessKeys?: { id?: string; active: boolean; lastUsed: string | null; createdAt?: string | null }[];
  mfaActive?: boolean;
}

export interface IamRole extends IamIdentity {
  type: 'role';
  trustPolicy: PolicyDocument;
  instanceProfileArns: string[];
  /** RoleLastUsed from the snapshot, when present. */
  lastUsed: string | null;
}

export interface IamGroup extends IamIdentity {
  type: 'group';
}

export interface AccountSnapshot {
  accountId: string;
  importedAt: string;
  users: IamUser[];
  roles: IamRole[];
  groups: IamGroup[];
  /** Every managed policy referenced or included, by ARN (AWS-managed ones resolved from shipped data). */
  policies: Map<string, ManagedPolicy>;
  /** Managed policy ARNs referenced but found neither in the snapshot nor in shipped data. */
  unresolvedPolicyArns: string[];
}

/** SCPs that apply to an account, outermost (root) first; each level is a list of policies. */
export interface ScpChain {
  accountId: string;
  levels: PolicyDocument[][];
  /** Optional (added by src/iam): the target of each level ('r-...', 'ou-...', the account id). */
  targets?: string[];
  /** Optional (added by src/iam): policy names per level, parallel to levels. */
  policyNames?: string[][];
  /** Optional (added by src/iam): the management account, which SCPs do not affect (levels is empty). */
  isManagementAccount?: boolean;
}

/**
 * How an action is granted to a principal after identity policies, groups, boundaries, SCPs
 * and explicit denies:
 * - 'full': allowed on every resource with no condition;
 * - 'limited': allowed only on some resources (resource-constrained) with no condition;
 * - 'conditional': allowed only under a condition that cannot be decided statically.
 */
export type GrantKind = 'full' | 'limited' | 'conditional';

export interface EffectivePermissions {
  principalArn: string;
  /** Every action (lower-cased service prefix, IAM's spelling of the name, e.g. s3:GetObject) granted. */
  granted: Map<string, GrantKind>;
  /** Allowed every action on every resource after boundaries, SCPs and denies. */
  isAdmin: boolean;
}

export interface PermissionEvaluator {
  effective(principalArn: string): EffectivePermissions;
  /**
   * Whether the principal may call action on resource (with optional request context
   * such as {'iam:PassedToService': 'lambda.amazonaws.com'}).
   */
  isAllowed(
    principalArn: string,
    action: string,
    resource: string,
    context?: Record<string, string | string[]>,
  ): 'allowed' | 'denied' | 'conditional';
  /**
   * The conditions left undecided on the statements that allow the action to the principal
   * (after principal and time keys are decided), one "Operator key values" line per entry.
   */
  conditionsOf?(principalArn: string, action: string): string[];
  /**
   * Registers a hypothetical principal under `id`: an imported user or role as it would be
   * after a change to its own permissions (one more group, say). Its ARN stays the real one,
   * so conditions on aws:PrincipalArn or aws:username still see the real principal; effective()
   * and isAllowed() then answer for `id`.
   */
  derive?(id: string, principal: IamUser | IamRole): void;
}
