/**
 * The privilege-escalation graph model: node and edge types, the PrivilegeGraph container, the
 * admin-equivalence constants and helpers over snapshots shared by the builder and the rules.
 */
import type { AccountSnapshot, IamRole, IamUser, PermissionEvaluator, PolicyDocument } from '../iam/index.js';
import type { EvidenceIndex, StepEvidence, StepStatus } from './evidence.js';

export const ADMIN = 'admin';
export const PUBLIC = '*';

export type NodeKind = 'user' | 'role' | 'group' | 'root' | 'account' | 'federated' | 'service' | 'public' | 'admin';
export type Confidence = 'confirmed' | 'potential';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  accountId: string | null;
  name: string;
  /** In an imported snapshot (users, roles, groups, roots of imported accounts). */
  imported: boolean;
  /**
   * Admin-equivalent: the evaluator's isAdmin (every action on every resource after boundaries,
   * SCPs and denies), or, in an account whose SCPs are only guardrails (they deny at most
   * GUARDRAIL_MAX actions, none of the IAM/STS levers), every action the account's SCPs allow.
   */
  isAdmin: boolean;
  /** Why isAdmin: 'all-actions' (evaluator isAdmin) or 'account-maximum' (everything the SCP guardrails leave). */
  adminBasis?: 'all-actions' | 'account-maximum';
  /** Why this node is an entry point for attackers (empty when it is not one). */
  entry: string[];
  /**
   * A derived node: the real principal `from` once it has given itself the permissions of
   * `addedGroups` (by iam:AddUserToGroup; id `<from>+group:<group ARN>` per group) or of
   * `addedPolicies` (by attaching a managed policy it may attach; id `<from>+policy:<policy ARN>`).
   */
  derived?: { from: string; addedGroups: string[]; addedPolicies: string[] };
}

export interface GraphEdge {
  from: string;
  to: string;
  /** A technique id of the table (techniques.ts) or a trust edge kind (trust-service, trust-web-identity, ...). */
  technique: string;
  actions: string[];
  /** Allowed only under a condition that cannot be decided statically (or on resources only some of which qualify). */
  conditional: boolean;
  /** Conditional steps: the undecided conditions of the grants the step relies on ("IpAddress aws:SourceIp 203.0.113.0/24"). */
  conditions?: string[];
  /** potential: acts through a resource (function, instance, stack...) not seen in CloudTrail; confirmed otherwise. */
  confidence: Confidence;
  /** The principal, group, policy or resource the step goes through. */
  via?: string;
  /** service-role steps: the service the role is handed to. */
  service?: string;
  /** Federated trust without a subject condition (any identity of the provider). */
  unscoped?: boolean;
  /** CloudTrail status of the step in the window. */
  status: StepStatus;
  evidence: StepEvidence;
}

export interface GraphInput {
  snapshots: readonly AccountSnapshot[];
  evaluator: PermissionEvaluator;
  /** Accounts of the organization (SCP export) besides the imported ones: trusting them is not "external". */
  organizationAccountIds?: Iterable<string>;
  /** CloudTrail evidence in the window (loadEscalationEvents → EvidenceIndex). */
  evidence?: EvidenceIndex;
}

export interface GraphStats {
  nodes: number;
  edges: number;
  evaluatorCalls: number;
  actors: number;
  ms: number;
}

/** SCPs denying (or resource-limiting) at most this many actions are guardrails, not a cap on administrators. */
export const GUARDRAIL_MAX = 200;
/** Actions an account's SCPs must leave fully allowed for anyone there to count as admin-equivalent. */
export const ADMIN_LEVERS = ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutUserPolicy', 'iam:CreatePolicyVersion', 'iam:PassRole', 'iam:CreateRole', 'sts:AssumeRole'];

export type Principal = IamUser | IamRole;

export class PrivilegeGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  readonly out = new Map<string, GraphEdge[]>();
  readonly in = new Map<string, GraphEdge[]>();
  readonly stats: GraphStats = { nodes: 0, edges: 0, evaluatorCalls: 0, actors: 0, ms: 0 };
  private readonly edgeKeys = new Set<string>();

  constructor(readonly evidence: EvidenceIndex) {}

  addNode(n: Omit<GraphNode, 'entry'> & { entry?: string[] }): GraphNode {
    const existing = this.nodes.get(n.id);
    if (existing) {
      for (const e of n.entry ?? []) if (!existing.entry.includes(e)) existing.entry.push(e);
      return existing;
    }
    const node: GraphNode = { ...n, entry: [...(n.entry ?? [])] };
    this.nodes.set(n.id, node);
    return node;
  }

  addEdge(e: GraphEdge): void {
    if (e.from === e.to) return;
    const key = `${e.from}\n${e.to}\n${e.technique}\n${e.via ?? ''}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push(e);
    push(this.out, e.from, e);
    push(this.in, e.to, e);
  }

  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Admin-equivalent targets: the admin state and every admin-equivalent user, role or root. */
  adminTargets(): Set<string> {
    const out = new Set<string>([ADMIN]);
    for (const n of this.nodes.values()) if (n.isAdmin && (n.kind === 'user' || n.kind === 'role' || n.kind === 'root')) out.add(n.id);
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export function isServiceLinked(p: { path: string }): boolean {
  return p.path.startsWith('/aws-service-role/');
}

/** Customer-managed policies attached to the principal (and, for users, to its groups). */
export function customerPoliciesOf(s: AccountSnapshot, p: Principal): string[] {
  const arns = new Set(p.attachedPolicyArns);
  if (p.type === 'user') for (const name of p.groupNames) for (const a of s.groups.find((g) => g.name === name)?.attachedPolicyArns ?? []) arns.add(a);
  return [...arns].filter((a) => !s.policies.get(a)?.awsManaged && !/:iam::aws:policy\//.test(a));
}

/** The identity policies (inline, attached, groups') allow "*" on "*" without condition and deny nothing. */
export function identityAllowsAll(p: Principal, s: AccountSnapshot | undefined): boolean {
  if (!s) return false;
  const docs: PolicyDocument[] = p.inlinePolicies.map((x) => x.document);
  const attached = [...p.attachedPolicyArns];
  if (p.type === 'user') {
    for (const name of p.groupNames) {
      const g = s.groups.find((x) => x.name === name);
      if (!g) continue;
      docs.push(...g.inlinePolicies.map((x) => x.document));
      attached.push(...g.attachedPolicyArns);
    }
  }
  for (const a of attached) {
    const d = s.policies.get(a)?.document;
    if (d) docs.push(d);
  }
  const statements = docs.flatMap((d) => d.Statement);
  if (statements.some((st) => st.Effect === 'Deny')) return false;
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return statements.some((st) => st.Effect === 'Allow' && !st.Condition && list(st.Action).includes('*') && list(st.Resource).includes('*'));
}
