/**
 * Escalation calls a principal made in the window, successful or denied, whatever the current
 * configuration allows: a principal that escalated stays visible after the change made it
 * admin-equivalent, and one that only tried (every call denied) is visible although no path
 * exists.
 */
import type { AccountSnapshot, IamRole, IamUser } from '../iam/index.js';
import type { PrivilegeGraph } from './build.js';
import { customerPoliciesOf } from './build.js';
import { bySampleOrder, iamKey, isDenied } from './evidence.js';
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

export interface EscalationCalls {
  /** The sampled calls (the first of each distinct call, and its last), in time order. */
  calls: EscalationCall[];
  /** How many calls succeeded and were denied in all. */
  succeeded: number;
  denied: number;
}

/** Calls by `p` of technique actions naming itself (its groups, its policies) or an admin-equivalent principal. */
export function escalationCalls(graph: PrivilegeGraph, s: AccountSnapshot | undefined, p: IamUser | IamRole): EscalationCalls {
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
  const out: { call: EscalationCall; eventID: string; eventTime: string }[] = [];
  let succeeded = 0;
  let denied = 0;
  for (const g of graph.evidence.groupsOf(p.arn, actions)) {
    if (g.errorCode && !isDenied(g.errorCode)) continue;
    const keys = g.resources.map(iamKey);
    const action = g.actions.map(lc).find((a) => actions.has(a))!;
    let t: Technique | undefined;
    let target: string | undefined;
    if (keys.some((k) => self.has(k)) && (t = firstTechnique(SELF_KINDS, action))) target = p.arn;
    else {
      const admin = keys.map((k) => adminKeys.get(k)).find((x): x is string => !!x && x !== p.arn);
      if (admin && (t = firstTechnique(OTHER_KINDS, action))) target = admin;
    }
    if (!t || !target) continue;
    if (g.errorCode) denied += g.count;
    else succeeded += g.count;
    for (const x of g.samples) out.push({ eventID: x.eventID, eventTime: x.eventTime, call: { technique: t.id, action, eventId: x.eventID, eventTime: x.eventTime, succeeded: !g.errorCode, target } });
  }
  return { calls: out.sort(bySampleOrder).map((x) => x.call), succeeded, denied };
}
