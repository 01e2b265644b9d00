/** Technique edges by target kind (Technique.target), and the builder's run order. */
import type { AccountSnapshot } from '../iam/index.js';
import { TECHNIQUES, type Technique } from './techniques.js';
import { ADMIN, customerPoliciesOf, identityAllowsAll, isServiceLinked, type Confidence, type Principal } from './model.js';
import { TrustEdgeBuilder } from './trust-edges.js';

const PROBE_ROLE = 'trailscope-escalation-probe';

export class Builder extends TrustEdgeBuilder {
  run(): void {
    const { snapshots } = this.input;
    for (const s of snapshots) {
      const root = `arn:aws:iam::${s.accountId}:root`;
      this.graph.addNode({ id: root, kind: 'root', accountId: s.accountId, name: 'root', imported: true, ...this.admin(root) });
      for (const u of s.users) {
        const entry: string[] = [];
        if (u.accessKeys?.some((k) => k.active)) entry.push('access-key');
        if (u.hasConsolePassword) entry.push('console-password');
        this.graph.addNode({ id: u.arn, kind: 'user', accountId: s.accountId, name: u.name, imported: true, ...this.admin(u.arn), entry });
      }
      for (const r of s.roles) this.graph.addNode({ id: r.arn, kind: 'role', accountId: s.accountId, name: r.name, imported: true, ...this.admin(r.arn) });
      for (const g of s.groups) this.graph.addNode({ id: g.arn, kind: 'group', accountId: s.accountId, name: g.name, imported: true, isAdmin: false });
    }
    this.graph.addNode({ id: ADMIN, kind: 'admin', accountId: null, name: 'admin-equivalent', imported: false, isAdmin: true });
    for (const s of snapshots) for (const r of s.roles) this.trustEdges(s, r);
    for (const s of snapshots) {
      for (const p of [...s.users, ...s.roles]) {
        if (this.graph.node(p.arn)?.isAdmin || isServiceLinked(p)) continue;
        this.graph.stats.actors++;
        this.techniqueEdges(s, p);
      }
    }
  }

  // ---- technique edges ----------------------------------------------------------------------

  protected techniqueEdges(s: AccountSnapshot, p: Principal): void {
    const granted = this.permissions(p.arn)?.granted;
    if (!granted || granted.size === 0) return;
    for (const t of TECHNIQUES) {
      if (t.target === 'role-assume' || t.retired) continue; // role-assume: from trust policies (trustEdges)
      const any = t.anyOf ? t.actions.some((a) => granted.get(a)) : t.actions.every((a) => granted.get(a));
      if (!any) continue;
      switch (t.target) {
        case 'self':
          this.self(t, p);
          break;
        case 'own-group':
          this.ownGroup(s, t, p);
          break;
        case 'own-policy':
          this.ownPolicy(s, t, p);
          break;
        case 'admin-group':
          this.adminGroup(s, t, p);
          break;
        case 'user-credentials':
          this.userCredentials(s, t, p);
          break;
        case 'role-trust-update':
          this.roleTrustUpdate(s, t, p);
          break;
        case 'modify-and-access':
          this.modifyAndAccess(s, t, p);
          break;
        case 'new-role':
          this.newRole(t, p);
          break;
        case 'service-role':
          this.serviceRole(s, t, p);
          break;
      }
    }
  }

  /** All actions allowed on one resource: null if one is denied, else whether any is conditional. */
  private allOn(actor: string, actions: readonly string[], resource: string, context?: Record<string, string>): { conditional: boolean } | null {
    let conditional = false;
    for (const a of actions) {
      const r = this.check(actor, a, resource, context);
      if (r === 'denied') return null;
      if (r === 'conditional') conditional = true;
    }
    return { conditional };
  }

  private self(t: Technique, p: Principal): void {
    if (!t.principalTypes?.includes(p.type)) return;
    const own = p.type === 'user' ? /User/ : /Role/;
    const actions = t.anyOf ? t.actions.filter((a) => own.test(a)) : t.actions;
    if (actions.length === 0 || actions.some((a) => /User|Role/.test(a) && !own.test(a))) return;
    const boundaryTechnique = actions.some((a) => /PermissionsBoundary$/.test(a));
    if (boundaryTechnique) {
      // removing or replacing the boundary leaves the identity policies: admin if they allow everything
      if (p.permissionsBoundaryArn === null || !this.accountAllowsAdmin(p.accountId) || !identityAllowsAll(p, this.snapshotOf(p.accountId))) return;
    } else if (!this.canBecomeAdmin(p)) return;
    const r = this.allOn(p.arn, actions, p.arn);
    if (!r) return;
    if (r.conditional && actions.length === 1 && /^iam:Attach(User|Role)Policy$/.test(actions[0]!) && this.attachLimitedToPolicies(p.arn, actions[0]!)) return;
    this.edge(
      { from: p.arn, to: ADMIN, technique: t.id, actions: [...actions], conditional: r.conditional, confidence: 'confirmed', via: p.arn },
      { fromKind: p.type, actions: actions.map(lc), related: [p.arn] },
    );
  }

  private ownGroup(s: AccountSnapshot, t: Technique, p: Principal): void {
    if (p.type !== 'user' || !this.canBecomeAdmin(p)) return;
    for (const name of p.groupNames) {
      const g = s.groups.find((x) => x.name === name);
      if (!g) continue;
      const r = this.allOn(p.arn, t.actions, g.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed', via: g.arn },
        { fromKind: 'user', actions: t.actions.map(lc), related: [g.arn] },
      );
    }
  }

  private ownPolicy(s: AccountSnapshot, t: Technique, p: Principal): void {
    if (!this.canBecomeAdmin(p)) return;
    for (const arn of customerPoliciesOf(s, p)) {
      const r = this.allOn(p.arn, t.actions, arn);
      if (!r) continue;
      // SetDefaultPolicyVersion only helps when a non-default version grants more: the snapshot holds the default one
      const conditional = r.conditional || t.actions.includes('iam:SetDefaultPolicyVersion');
      this.edge(
        { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional, confidence: 'confirmed', via: arn },
        { fromKind: p.type, actions: t.actions.map(lc), related: [arn] },
      );
    }
  }

  private adminGroup(s: AccountSnapshot, t: Technique, p: Principal): void {
    if (p.type !== 'user' || !this.canBecomeAdmin(p)) return;
    for (const g of s.groups) {
      if (p.groupNames.includes(g.name) || !this.isAdmin(g.arn)) continue;
      const r = this.allOn(p.arn, t.actions, g.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed', via: g.arn },
        { fromKind: 'user', actions: t.actions.map(lc), related: [g.arn] },
      );
    }
  }

  private userCredentials(s: AccountSnapshot, t: Technique, p: Principal): void {
    const keys = t.actions.includes('iam:CreateAccessKey');
    for (const u of s.users) {
      if (u.arn === this.realArn(p.arn)) continue;
      let unknown = false;
      if (keys) {
        const n = u.accessKeys?.length ?? 0;
        // two keys already: a third needs DeleteAccessKey first (iam-003); fewer: CreateAccessKey alone (iam-002)
        if (t.actions.includes('iam:DeleteAccessKey') !== n >= 2) continue;
      } else {
        const create = t.actions.includes('iam:CreateLoginProfile');
        if (u.hasConsolePassword === undefined) unknown = true;
        else if (create === u.hasConsolePassword) continue;
      }
      const r = this.allOn(p.arn, t.actions, u.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: u.arn, technique: t.id, actions: [...t.actions], conditional: r.conditional || unknown, confidence: 'confirmed' },
        { fromKind: p.type, actions: t.actions.map(lc), related: [u.arn], target: u.arn },
      );
    }
  }

  private roleTrustUpdate(s: AccountSnapshot, t: Technique, p: Principal): void {
    for (const role of s.roles) {
      if (role.arn === p.arn || isServiceLinked(role)) continue;
      const r = this.allOn(p.arn, t.actions, role.arn);
      if (!r) continue;
      this.edge(
        { from: p.arn, to: role.arn, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed' },
        { fromKind: p.type, actions: t.actions.map(lc), related: [role.arn], target: role.arn },
      );
    }
  }

  private modifyAndAccess(s: AccountSnapshot, t: Technique, p: Principal): void {
    const type = t.principalTypes?.[0];
    const targets: Principal[] = type === 'user' ? s.users : s.roles;
    for (const b of targets) {
      if (b.arn === this.realArn(p.arn) || isServiceLinked(b) || this.isAdmin(b.arn) || !this.canBecomeAdmin(b)) continue;
      const access = this.check(p.arn, t.access!, b.arn);
      if (access === 'denied') continue;
      const resources = t.modify === 'iam:CreatePolicyVersion' ? customerPoliciesOf(s, b) : [b.arn];
      for (const res of resources) {
        const m = this.check(p.arn, t.modify!, res);
        if (m === 'denied') continue;
        this.edge(
          { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: m === 'conditional' || access === 'conditional', confidence: 'confirmed', via: b.arn },
          { fromKind: p.type, actions: [lc(t.modify!)], related: [res], target: b.arn },
        );
        break;
      }
    }
  }

  private newRole(t: Technique, p: Principal): void {
    if (!this.accountAllowsAdmin(p.accountId)) return;
    const probe = `arn:aws:iam::${p.accountId}:role/${PROBE_ROLE}`;
    const r = this.allOn(p.arn, t.actions, probe);
    if (!r) return;
    this.edge(
      { from: p.arn, to: ADMIN, technique: t.id, actions: [...t.actions], conditional: r.conditional, confidence: 'confirmed' },
      { fromKind: p.type, actions: ['iam:createrole', 'iam:attachrolepolicy'], related: [] },
    );
  }

  private serviceRole(s: AccountSnapshot, t: Technique, p: Principal): void {
    const roles = this.serviceRoles.get(s.accountId)?.get(t.service!) ?? [];
    if (roles.length === 0) return;
    const others = t.actions.filter((a) => a !== 'iam:PassRole');
    const base = this.granted(p.arn, others);
    if (!base) return;
    for (const role of roles) {
      if (role.arn === p.arn) continue;
      if (t.instanceProfile && role.instanceProfileArns.length === 0) continue;
      let conditional = base.conditional;
      if (t.passRole) {
        const r = this.check(p.arn, 'iam:PassRole', role.arn, { 'iam:PassedToService': t.service! });
        if (r === 'denied') continue;
        if (r === 'conditional') conditional = true;
      }
      const uses = this.evidence.usesOf(role.arn, t.service);
      const confidence: Confidence = uses.length > 0 ? 'confirmed' : 'potential';
      this.edge(
        { from: p.arn, to: role.arn, technique: t.id, actions: [...t.actions], conditional, confidence, service: t.service!, ...(uses[0] ? { via: uses[0].resources[0] ?? role.arn } : {}) },
        { fromKind: p.type, actions: others.map(lc), related: this.evidence.aliasesOf(role.arn, role.instanceProfileArns), target: role.arn },
      );
    }
  }
}

function lc(s: string): string {
  return s.toLowerCase();
}
