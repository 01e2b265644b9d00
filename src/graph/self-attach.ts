/**
 * Attaching managed policies to oneself when the grant says which ones (a condition on
 * iam:PolicyARN, e.g. "only arn:aws:iam::111122223333:policy/ec2-launch"). Attaching any policy
 * is admin outright (the `self` technique edge); attaching only some leads where those policies
 * lead: AdministratorAccess → admin, any other policy of the snapshot → a derived node "principal
 * P with policy X attached" (id `<P>+policy:<X>`), from which every technique and trust edge is
 * tried again, kept only when something leads on from it.
 */
import type { AccountSnapshot } from '../iam/index.js';
import { EscalationBuilder } from './group-joins.js';
import { ADMIN, isServiceLinked, type Principal } from './model.js';

const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

export class SelfAttachBuilder extends EscalationBuilder {
  override run(): void {
    super.run();
    if (!this.ev.derive || !this.ev.conditionsOf) return;
    const attachers: [AccountSnapshot, Principal, string][] = [];
    for (const s of this.input.snapshots) {
      for (const p of [...s.users, ...s.roles]) {
        if (this.graph.node(p.arn)?.isAdmin || isServiceLinked(p)) continue;
        const action = p.type === 'user' ? 'iam:AttachUserPolicy' : 'iam:AttachRolePolicy';
        const g = this.grant(p.arn, action);
        if (g !== 'conditional' || !this.attachLimitedToPolicies(p.arn, action)) continue;
        attachers.push([s, p, action]);
      }
    }
    if (attachers.length === 0) return;
    this.refreshLeadsOn(attachers.map(([, p]) => p.arn));
    for (const [s, p, action] of attachers) this.attachable(s, p, action);
  }

  private attachable(s: AccountSnapshot, p: Principal, action: string): void {
    const technique = p.type === 'user' ? 'iam-008' : 'iam-009';
    const candidates = new Set([ADMINISTRATOR_ACCESS, ...s.policies.keys()]);
    for (const x of candidates) {
      if (p.attachedPolicyArns.includes(x)) continue;
      const r = this.check(p.arn, action, p.arn, { 'iam:PolicyARN': x });
      if (r === 'denied') continue;
      const step = { actions: [action], conditional: r === 'conditional', confidence: 'confirmed' as const, via: x };
      const evidence = { fromKind: p.type, actions: [action.toLowerCase()], related: [x] };
      if (!s.policies.has(x)) {
        // AdministratorAccess, not in the snapshot: its content is known
        if (this.canBecomeAdmin(p)) this.edge({ from: p.arn, to: ADMIN, technique, ...step }, evidence);
        continue;
      }
      const id = `${p.arn}+policy:${x}`;
      if (this.exploreAttached(s, p, x, id)) this.edge({ from: p.arn, to: id, technique, ...step }, evidence);
    }
  }

  /** Registers and explores `p` with policy `x` attached; true when the node is kept. */
  private exploreAttached(s: AccountSnapshot, p: Principal, x: string, id: string): boolean {
    if (this.graph.node(id)) return true;
    if (this.derivedFrom.has(id)) return false; // explored before, led nowhere
    const derived: Principal = { ...p, attachedPolicyArns: [...p.attachedPolicyArns, x] };
    this.ev.derive!(id, derived);
    this.derivedFrom.set(id, p.arn);
    const node: Principal = { ...derived, arn: id };
    this.identities.set(id, node);
    if (!this.addsEscalationActions(p.arn, id)) return false;
    const admin = this.admin(id);
    if (!admin.isAdmin) {
      this.techniqueEdges(s, node);
      this.assumeEdges(id, p);
      if ((this.graph.out.get(id)?.length ?? 0) === 0) return false;
    }
    const name = s.policies.get(x)?.name ?? x;
    this.graph.addNode({ id, kind: p.type, accountId: p.accountId, name: `${p.name} + ${name}`, imported: false, ...admin, derived: { from: p.arn, addedGroups: [], addedPolicies: [x] } });
    return true;
  }
}
