/**
 * Escalation that changes the actor's own permissions without making it admin at once: a user
 * allowed iam:AddUserToGroup joins a group whose policies are not admin but let a member go on
 * (iam:CreatePolicyVersion on a policy attached to the group, iam:PassRole with
 * ec2:RunInstances to an admin role, sts:AssumeRole, ...).
 *
 * Each such join leads to a derived node, "user U with the permissions of group G" (id
 * `<U>+group:<G>`), evaluated by the real evaluator as U with one more group, from which every
 * technique and trust edge is tried again. A derived node is kept only when it is
 * admin-equivalent or has an edge of its own (directly, or through a further join), and a join
 * is only tried when the group adds some action a technique needs, so harmless groups cost one
 * grant comparison each.
 */
import type { AccountSnapshot, GrantKind, IamGroup, IamRole, IamUser } from '../iam/index.js';
import { Builder } from './technique-edges.js';
import { TECHNIQUES } from './techniques.js';
import { trustGrants } from './trust.js';
import { customerPoliciesOf, isServiceLinked, type GraphEdge, type Principal } from './model.js';
import { nextHops } from './paths.js';

/** Groups one path may join: two covers a grant split across two groups (PassRole in one, RunInstances in the other). */
export const MAX_GROUP_JOINS = 2;
/** Derived nodes tried per user, whatever the number of groups: bounds the graph on accounts with hundreds of groups. */
export const MAX_DERIVED_PER_USER = 64;

const JOIN_TECHNIQUE = 'iam-013';
const OWN_GROUP_ACTIONS = TECHNIQUES.filter((t) => t.target === 'own-group').flatMap((t) => t.actions);
const OWN_POLICY_ACTIONS = TECHNIQUES.filter((t) => t.target === 'own-policy').flatMap((t) => t.actions);
const JOIN_ACTION = 'iam:AddUserToGroup';
const RANK: Record<GrantKind, number> = { conditional: 1, limited: 2, full: 3 };
const ESCALATION_ACTIONS: readonly string[] = [...new Set([...TECHNIQUES.filter((t) => !t.retired).flatMap((t) => t.actions), 'sts:AssumeRole'])];

export class EscalationBuilder extends Builder {
  /** Derived node id → whether it is useful (admin-equivalent, or an edge leads on from it). */
  private readonly explored = new Map<string, boolean>();
  private readonly groupGrants = new Map<string, Map<string, GrantKind>>();
  private readonly contentOf = new WeakMap<IamGroup, string>();
  private readonly trustOf = new WeakMap<IamRole, ReturnType<typeof trustGrants>>();

  /** Nodes a step from a derived node may lead to: those that reach admin, or a user that may join groups. */
  private leadsOn: ReadonlySet<string> = new Set();

  /** Recomputes leadsOn over the graph as it is, with `principals` that may still gain edges counted as leading on. */
  protected refreshLeadsOn(principals: readonly string[]): void {
    this.leadsOn = new Set(nextHops(this.graph, new Set([...this.graph.adminTargets(), ...principals])).keys());
  }

  override run(): void {
    super.run();
    if (!this.ev.derive) return;
    const joiners: [AccountSnapshot, IamUser][] = [];
    for (const s of this.input.snapshots) {
      if (s.groups.length === 0) continue;
      for (const u of s.users) {
        if (this.graph.node(u.arn)?.isAdmin || isServiceLinked(u) || !this.grant(u.arn, JOIN_ACTION)) continue;
        joiners.push([s, u]);
      }
    }
    if (joiners.length === 0) return;
    // derived nodes only matter on the way to admin: steps from them into dead ends are not kept,
    // which keeps the graph small where many users may join many groups
    this.refreshLeadsOn(joiners.map(([, u]) => u.arn));
    for (const [s, u] of joiners) this.joins(s, u, u, [], { tried: 0 });
  }

  protected override edge(e: Omit<GraphEdge, 'status' | 'evidence'>, q: Parameters<Builder['edge']>[1]): void {
    if (this.derivedFrom.has(e.from) && !this.derivedFrom.has(e.to) && !this.leadsOn.has(e.to)) return;
    super.edge(e, q);
  }

  /** Groups `current` (the user, or a derived node of it) may join, each explored; true when some join is useful. */
  private joins(s: AccountSnapshot, base: IamUser, current: IamUser, joined: readonly IamGroup[], budget: { tried: number }): boolean {
    if (joined.length >= MAX_GROUP_JOINS || !this.grant(current.arn, JOIN_ACTION)) return false;
    let useful = false;
    const outcomes = new Set<string>();
    const contents = new Set<string>();
    for (const g of s.groups) {
      if (current.groupNames.includes(g.name) || this.isAdmin(g.arn)) continue; // admin groups: the admin-group technique
      if (budget.tried >= MAX_DERIVED_PER_USER) break;
      // cheap before any evaluation: a group whose own policies add no escalation action to the
      // node's cannot make a difference (boundaries and SCPs only take away), and a group with
      // the same content as one already tried gives the same node
      if (!this.groupAddsEscalation(current.arn, g) || contents.has(this.groupContent(g))) continue;
      const groups = [...joined, g].sort((a, b) => (a.arn < b.arn ? -1 : 1));
      const id = `${base.arn}${groups.map((x) => `+group:${x.arn}`).join('')}`;
      let ok = this.explored.get(id);
      if (ok === false) continue;
      const r = this.check(current.arn, JOIN_ACTION, g.arn);
      if (r === 'denied') continue;
      contents.add(this.groupContent(g));
      if (ok === undefined) {
        const node = this.derive(s, base, current, g, id);
        // groups that would give this node the same permissions and the same own groups and
        // policies to act on lead to the same places: one of them is enough
        const outcome = this.outcomeKey(s, node, g);
        if (outcomes.has(outcome)) continue;
        outcomes.add(outcome);
        budget.tried++;
        ok = this.explore(s, base, current, node, id, groups, budget);
      }
      if (!ok) continue;
      useful = true;
      this.edge(
        { from: current.arn, to: id, technique: JOIN_TECHNIQUE, actions: [JOIN_ACTION], conditional: r === 'conditional', confidence: 'confirmed', via: g.arn },
        { fromKind: 'user', actions: [JOIN_ACTION.toLowerCase()], related: [g.arn] },
      );
    }
    return useful;
  }

  /** Some action a technique needs that the group's own policies grant more broadly than the node has it. */
  private groupAddsEscalation(node: string, g: IamGroup): boolean {
    let granted = this.groupGrants.get(g.arn);
    if (granted === undefined) {
      const all = this.permissions(g.arn)?.granted;
      granted = new Map(ESCALATION_ACTIONS.flatMap((a) => (all?.get(a) ? [[a, all.get(a)!] as const] : [])));
      this.groupGrants.set(g.arn, granted);
    }
    for (const [a, k] of granted) {
      const was = this.grant(node, a);
      if (!was || RANK[k] > RANK[was]) return true;
    }
    return false;
  }

  /** What the group grants, as written: its managed policy ARNs, and its inline documents unless they name the group itself. */
  private groupContent(g: IamGroup): string {
    let c = this.contentOf.get(g);
    if (c === undefined) {
      const inline = JSON.stringify(g.inlinePolicies.map((p) => p.document));
      // a policy about its own group (iam:PutGroupPolicy on it) means something else in another group
      c = `${[...g.attachedPolicyArns].sort().join(',')}|${/group/i.test(inline) ? g.arn : inline}`;
      this.contentOf.set(g, c);
    }
    return c;
  }

  /** The user with one more group, registered with the evaluator under `id`. */
  private derive(s: AccountSnapshot, base: IamUser, current: IamUser, g: IamGroup, id: string): IamUser {
    const known = this.identities.get(id);
    if (known?.type === 'user') return known;
    const derived: IamUser = { ...base, groupNames: [...current.groupNames, g.name] };
    this.ev.derive!(id, derived);
    this.derivedFrom.set(id, base.arn);
    const node = { ...derived, arn: id };
    this.identities.set(id, node);
    return node;
  }

  private outcomeKey(s: AccountSnapshot, node: IamUser, g: IamGroup): string {
    const granted = this.permissions(node.arn)?.granted;
    if (!granted || this.usesVariables(node)) return node.arn;
    let setId = this.setIds.get(granted);
    if (setId === undefined) this.setIds.set(granted, (setId = ++this.setCount));
    const ownGroup = OWN_GROUP_ACTIONS.some((a) => granted.get(a)) ? g.arn : '';
    const ownPolicies = OWN_POLICY_ACTIONS.some((a) => granted.get(a)) ? customerPoliciesOf(s, node).join(',') : '';
    return `${setId}|${ownGroup}|${ownPolicies}`;
  }

  private explore(s: AccountSnapshot, base: IamUser, current: IamUser, node: IamUser, id: string, groups: readonly IamGroup[], budget: { tried: number }): boolean {
    this.explored.set(id, false); // a cycle back to this node adds nothing
    if (!this.addsEscalationActions(current.arn, id)) return false;
    const admin = this.admin(id);
    let useful = admin.isAdmin;
    if (!useful) {
      this.techniqueEdges(s, node);
      this.assumeEdges(id, base);
      useful = (this.graph.out.get(id)?.length ?? 0) > 0;
      // a grant split over two groups (iam:PassRole in one, ec2:RunInstances in the other):
      // joins go on from a node that leads nowhere by itself
      if (!useful && this.joins(s, base, node, groups, budget)) useful = true;
    }
    if (useful) {
      const names = groups.map((x) => x.name).join(' + ');
      this.graph.addNode({ id, kind: 'user', accountId: base.accountId, name: `${base.name} + ${names}`, imported: false, ...admin, derived: { from: base.arn, addedGroups: groups.map((x) => x.arn), addedPolicies: [] } });
    }
    this.explored.set(id, useful);
    return useful;
  }

  /** The join grants some action a technique (or sts:AssumeRole) needs more broadly than before, or makes the user admin-equivalent. */
  protected addsEscalationActions(before: string, after: string): boolean {
    if (this.isAdmin(after)) return true;
    for (const a of ESCALATION_ACTIONS) {
      const was = this.grant(before, a);
      const now = this.grant(after, a);
      if (now && (!was || RANK[now] > RANK[was])) return true;
    }
    return false;
  }

  /** sts:AssumeRole edges from a derived node: roles whose trust admits the real user (by ARN, its account, or anyone). */
  protected assumeEdges(id: string, base: Principal): void {
    const g = this.grant(id, 'sts:AssumeRole');
    if (!g || g === this.grant(base.arn, 'sts:AssumeRole')) return;
    for (const snap of this.input.snapshots) {
      for (const role of snap.roles) {
        if (isServiceLinked(role) || !this.trustAdmits(role, base)) continue;
        const r = this.check(id, 'sts:AssumeRole', role.arn);
        if (r === 'denied') continue;
        this.edge(
          { from: id, to: role.arn, technique: 'sts-001', actions: ['sts:AssumeRole'], conditional: r === 'conditional', confidence: 'confirmed' },
          { fromKind: 'user', actions: ['sts:assumerole'], related: [role.arn], target: role.arn },
        );
      }
    }
  }

  private trustAdmits(role: IamRole, user: Principal): boolean {
    let grants = this.trustOf.get(role);
    if (!grants) this.trustOf.set(role, (grants = trustGrants(role)));
    return grants.some(
      (t) =>
        t.actions.some((a) => /^sts:(AssumeRole|\*)$/i.test(a) || a === '*') &&
        (t.kind === 'public' || (t.kind === 'account' && t.accountId === user.accountId) || (t.kind === 'principal' && t.value === user.arn)),
    );
  }
}
