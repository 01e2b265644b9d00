/**
 * Least-privilege policy from observed use: the actions an identity used successfully in the
 * window, grouped into one statement per service and resource set, scoped to the resources
 * CloudTrail showed ("*" where the requests named none), and iam:PassRole only on the roles
 * actually passed (with iam:PassedToService when the consuming service is known).
 *
 * It never exceeds what the identity is granted today: actions not granted are left out, named
 * resources the identity may not reach are left out, and an action granted only on some
 * resources is scoped to the identity's own Allow patterns instead of "*".
 */
import type {
  AccountSnapshot,
  EffectivePermissions,
  GrantKind,
  IamRole,
  IamUser,
  PermissionEvaluator,
  PolicyDocument,
  PolicyStatement,
} from '../iam/index.js';
import { compareActions, servicePrefix, type ActionUsage, type PrincipalUsage } from './usage.js';

/** AWS's limit for a managed policy document (characters, whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** Above this many distinct resources for one action, the statement uses the grant's scope instead. */
export const MAX_RESOURCES_PER_ACTION = 100;

export interface SuggestInput {
  principalArn: string;
  usage: PrincipalUsage | undefined;
  /** Null when the identity is not in a snapshot: the policy cannot be checked against grants. */
  permissions: EffectivePermissions | null;
  evaluator?: PermissionEvaluator | null;
  /** The identity and its account snapshot, to scope 'limited' grants to their Allow patterns. */
  identity?: IamUser | IamRole | null;
  snapshot?: AccountSnapshot | null;
  /** Role ARN → services it was passed to (from inferred iam:PassRole events). */
  passRoleServices?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SuggestedPolicy {
  document: PolicyDocument;
  /** Human-readable caveats (left-out actions, conditions not reproduced, size). */
  notes: string[];
  /** Actions in the document. */
  actionCount: number;
}

const PASS_ROLE = 'iam:passrole';

export function suggestPolicy(input: SuggestInput): SuggestedPolicy {
  const notes: string[] = [];
  const grantedLower = input.permissions ? lowerCased(input.permissions.granted) : new Map<string, GrantKind>();
  if (!input.permissions) {
    notes.push('identity not found in any IAM snapshot: the policy could not be checked against its current grants');
  }
  let patterns: AllowPattern[] | undefined;
  const allowPatterns = () =>
    (patterns ??= input.identity && input.snapshot ? identityAllowStatements(input.identity, input.snapshot) : []);

  // key "service\u0000resources" → actions
  const groups = new Map<string, { service: string; resources: string[]; actions: string[] }>();
  const conditional: string[] = [];
  const notGranted: string[] = [];
  let passRoleUsage: ActionUsage | undefined;

  const used = [...(input.usage?.actions.values() ?? [])].filter((a) => a.success !== null);
  used.sort((a, b) => compareActions(a.action, b.action));
  for (const a of used) {
    const lower = a.action.toLowerCase();
    if (lower === PASS_ROLE) {
      passRoleUsage = a;
      continue;
    }
    const kind = input.permissions ? grantedLower.get(lower) : 'full';
    if (!kind) {
      notGranted.push(a.action);
      continue;
    }
    if (kind === 'conditional') conditional.push(a.action);
    let resources = observedResources(a);
    if (resources.length > MAX_RESOURCES_PER_ACTION) {
      notes.push(`${a.action}: ${resources.length} distinct resources seen; scoped to its grant instead of listing them`);
      resources = ['*'];
    } else if (resources[0] !== '*' && kind !== 'full' && input.evaluator && input.permissions) {
      // A 'full' grant allows every resource: only narrower grants need the per-resource check.
      const evaluator = input.evaluator;
      resources = resources.filter((r) => evaluator.isAllowed(input.principalArn, a.action, r) !== 'denied');
      if (resources.length === 0) {
        notGranted.push(a.action);
        continue;
      }
    }
    // Observed ARNs are literal names, and S3 keys may hold '*', '?' and '$': written as they are,
    // `mybucket/*` would grant the whole bucket.
    if (resources[0] !== '*') resources = resources.map(literalResource);
    if (resources[0] === '*' && kind === 'limited') {
      const allowed = allowPatternsFor(a.action, allowPatterns());
      if (allowed.length === 0) {
        notes.push(`${a.action}: granted only on some resources and the requests named none; left out (add it with the resources you intend)`);
        continue;
      }
      resources = allowed;
    }
    const service = servicePrefix(a.action);
    const key = `${service}\u0000${resources.join('\u0000')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { service, resources, actions: [] }));
    g.actions.push(a.action);
  }

  const statements: PolicyStatement[] = [];
  const sidCount = new Map<string, number>();
  const sidFor = (service: string): string => {
    const base = service.replace(/[^A-Za-z0-9]/g, ' ').replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase()).replace(/\s/g, '');
    const n = (sidCount.get(base) ?? 0) + 1;
    sidCount.set(base, n);
    return n === 1 ? base : `${base}Part${n}`;
  };
  const sortedGroups = [...groups.values()].sort(
    (x, y) => compareActions(x.service, y.service) || compareActions(x.resources.join(','), y.resources.join(',')),
  );
  for (const g of sortedGroups) {
    statements.push({ Sid: sidFor(g.service), Effect: 'Allow', Action: one(g.actions), Resource: one(g.resources) });
  }
  if (passRoleUsage) statements.push(...passRoleStatements(input, passRoleUsage, grantedLower, notes, sidFor));

  if (notGranted.length > 0) {
    notes.push(`left out, used but not granted by the identity's policies today (permission-free calls, resource-policy access, or removed since): ${notGranted.join(', ')}`);
  }
  if (conditional.length > 0) {
    notes.push(`granted only under conditions that are not reproduced here; review: ${conditional.join(', ')}`);
  }
  const document: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = JSON.stringify(document).length;
  if (size > MANAGED_POLICY_MAX_CHARS) {
    notes.push(`the document is ${size} characters, over the ${MANAGED_POLICY_MAX_CHARS}-character managed policy limit: split it`);
  }
  if (statements.length === 0) notes.push('no successful activity in the window: nothing to allow');
  const actionCount = statements.reduce((n, s) => n + (Array.isArray(s.Action) ? s.Action.length : s.Action ? 1 : 0), 0);
  return { document, notes, actionCount };
}

/** Granted maps keyed by lower-cased action, cached per map (identities with one policy set share it). */
const lowerCache = new WeakMap<ReadonlyMap<string, GrantKind>, Map<string, GrantKind>>();
function lowerCased(granted: ReadonlyMap<string, GrantKind>): Map<string, GrantKind> {
  let m = lowerCache.get(granted);
  if (!m) {
    m = new Map();
    for (const [a, k] of granted) m.set(a.toLowerCase(), k);
    lowerCache.set(granted, m);
  }
  return m;
}

function one(values: string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : values;
}

/**
 * A resource name as an IAM Resource that matches only itself: the wildcard characters and the
 * policy-variable sigil become the special variables ${*}, ${?} and ${$}.
 */
export function literalResource(arn: string): string {
  return arn.replace(/[*?$]/g, (c) => `\${${c}}`);
}

/** Resource ARNs the successful requests named, or ["*"] when any named none (or unknown). */
function observedResources(a: ActionUsage): string[] {
  if (!a.resourceDetail || a.unnamedSuccess) return ['*'];
  const arns = [...a.resources.values()]
    .filter((r) => r.success !== null && r.resource.startsWith('arn:'))
    .map((r) => r.resource)
    .sort();
  return arns.length > 0 ? arns : ['*'];
}

function passRoleStatements(
  input: SuggestInput,
  a: ActionUsage,
  grantedLower: ReadonlyMap<string, GrantKind>,
  notes: string[],
  sidFor: (service: string) => string,
): PolicyStatement[] {
  if (input.permissions && !grantedLower.has(PASS_ROLE)) {
    notes.push('iam:PassRole was inferred from use but is not granted today; left out');
    return [];
  }
  // Roles named by the successful calls, plus roles resolved from instance profiles.
  const named = [...a.resources.values()]
    .filter((r) => r.success !== null && /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(r.resource))
    .map((r) => r.resource);
  let roles = [...new Set([...named, ...(input.passRoleServices?.keys() ?? [])])];
  if (input.evaluator && input.permissions) {
    const evaluator = input.evaluator;
    roles = roles.filter((r) => evaluator.isAllowed(input.principalArn, 'iam:PassRole', r) !== 'denied');
  }
  if (roles.length === 0) {
    notes.push('iam:PassRole was used but the passed roles are not known; left out (add it scoped to the roles you pass)');
    return [];
  }
  // Group roles by the set of services they were passed to.
  const byServices = new Map<string, { services: string[]; roles: string[] }>();
  for (const role of roles.sort()) {
    const services = [...(input.passRoleServices?.get(role) ?? [])].sort();
    const key = services.join(',');
    let g = byServices.get(key);
    if (!g) byServices.set(key, (g = { services, roles: [] }));
    g.roles.push(role);
  }
  const out: PolicyStatement[] = [];
  for (const [key, g] of [...byServices].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const st: PolicyStatement = { Sid: sidFor('PassRole'), Effect: 'Allow', Action: 'iam:PassRole', Resource: one(g.roles.map(literalResource)) };
    if (key !== '') st.Condition = { StringEquals: { 'iam:PassedToService': one(g.services) } };
    out.push(st);
  }
  return out;
}

interface AllowPattern {
  actions: RegExp[];
  notActions: RegExp[] | null;
  resources: string[];
}

function toList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Allow statements (with plain Resource) of an identity's inline, attached and group policies. */
export function identityAllowStatements(identity: IamUser | IamRole, snapshot: AccountSnapshot): AllowPattern[] {
  const docs: PolicyDocument[] = [];
  const addIdentity = (id: { attachedPolicyArns: string[]; inlinePolicies: { document: PolicyDocument }[] }) => {
    for (const p of id.inlinePolicies) docs.push(p.document);
    for (const arn of id.attachedPolicyArns) {
      const p = snapshot.policies.get(arn);
      if (p) docs.push(p.document);
    }
  };
  addIdentity(identity);
  if (identity.type === 'user') {
    for (const name of identity.groupNames) {
      const group = snapshot.groups.find((g) => g.name === name);
      if (group) addIdentity(group);
    }
  }
  const out: AllowPattern[] = [];
  for (const doc of docs) {
    for (const st of doc.Statement) {
      if (st.Effect !== 'Allow' || st.Resource === undefined) continue;
      out.push({
        actions: toList(st.Action).map(glob),
        notActions: st.NotAction === undefined ? null : toList(st.NotAction).map(glob),
        resources: toList(st.Resource),
      });
    }
  }
  return out;
}

export function allowPatternsFor(action: string, patterns: readonly AllowPattern[]): string[] {
  const out = new Set<string>();
  for (const p of patterns) {
    const matches = p.notActions ? !p.notActions.some((r) => r.test(action)) : p.actions.some((r) => r.test(action));
    if (matches) for (const r of p.resources) out.add(r);
  }
  if (out.has('*')) return ['*'];
  return [...out].sort();
}
