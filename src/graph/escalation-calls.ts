/**
 * Escalation calls a principal made in the window, successful or denied, whatever the current
 * configuration allows: a principal that escalated stays visible after the change made it
 * admin-equivalent, and one that only tried (every call denied) is visible although no path
 * exists.
 */
import type { AccountSnapshot, IamRole, IamUser } from '../iam/index.js';
import type { PrivilegeGraph } from './build.js';
import { customerPoliciesOf } from './build.js';
import { iamKey, isDenied } from './evidence.js';
import { TECHNIQUES, type Technique } from './techniques.js';

const SELF_KINDS = new Set(['self', 'own-group', 'own-policy', 'admin-group']);
const OTHER_KINDS = new Set(['user-credentials', 'role-assume', 'role-trust-update', 'modify-and-access', 'service-role']);

export interface EscalationCall {
  technique: string;
  action: string;
  eventId: string;
  eventTime: string;
  succeeded: boolean;
  /** The principal, group or policy the call named (self, or an admin-equivalent principal). */
  target: string;
}

const lc = (s: string) => s.toLowerCase();

const ADMIN_KEYS = new WeakMap<PrivilegeGraph, Map<string, string>>();
const CALL_ACTIONS: ReadonlySet<string> = new Set(
  TECHNIQUES.filter((t) => SELF_KINDS.has(t.target) || OTHER_KINDS.has(t.target)).flatMap((t) => t.actions.filter((a) => a !== 'iam:PassRole').map(lc)),
);

function firstTechnique(kinds: Set<string>, action: string): Technique | undefined {
  return TECHNIQUES.find((t) => !t.retired && kinds.has(t.target) && t.actions.some((a) => lc(a) === action && a !== 'iam:PassRole'));
}

/** Calls by `p` of technique actions naming itself (its groups, its policies) or an admin-equivalent principal. */
export function escalationCalls(graph: PrivilegeGraph, s: AccountSnapshot | undefined, p: IamUser | IamRole): EscalationCall[] {
  const self = new Set([iamKey(p.arn)]);
  if (s) {
    if (p.type === 'user') for (const g of p.groupNames) self.add(`${p.accountId}:group/${g}`);
    for (const a of customerPoliciesOf(s, p)) self.add(iamKey(a));
  }
  let adminKeys = ADMIN_KEYS.get(graph);
  if (!adminKeys) {
    adminKeys = new Map<string, string>();
    for (const n of graph.nodes.values()) if (n.isAdmin && (n.kind === 'user' || n.kind === 'role')) adminKeys.set(iamKey(n.id), n.id);
    ADMIN_KEYS.set(graph, adminKeys);
  }
  const actions = CALL_ACTIONS;
  const out: EscalationCall[] = [];
  for (const e of graph.evidence.eventsOf(p.arn, actions)) {
    if (e.errorCode && !isDenied(e.errorCode)) continue;
    const keys = e.resources.map(iamKey);
    const action = e.actions.map(lc).find((a) => actions.has(a))!;
    let t: Technique | undefined;
    let target: string | undefined;
    if (keys.some((k) => self.has(k)) && (t = firstTechnique(SELF_KINDS, action))) target = p.arn;
    else {
      const admin = keys.map((k) => adminKeys.get(k)).find((x): x is string => !!x && x !== p.arn);
      if (admin && (t = firstTechnique(OTHER_KINDS, action))) target = admin;
    }
    if (!t || !target) continue;
    out.push({ technique: t.id, action, eventId: e.eventID, eventTime: e.eventTime, succeeded: !e.errorCode, target });
  }
  return out;
}
