/** Trust-policy edges: service, federated (OIDC/SAML), public, account and principal trust → sts:AssumeRole edges. */
import type { AccountSnapshot, IamRole } from '../iam/index.js';
import { oidcScope, trustGrants, narrowsToOrgOrAccount, isWebIdentity, type TrustGrant } from './trust.js';
import { PUBLIC, isServiceLinked } from './model.js';
import { BuilderBase } from './builder-base.js';

export abstract class TrustEdgeBuilder extends BuilderBase {
  // ---- trust edges ------------------------------------------------------------------------

  protected trustEdges(s: AccountSnapshot, role: IamRole): void {
    if (isServiceLinked(role)) return;
    const grants = trustGrants(role);
    const candidates = new Set<string>();
    for (const g of grants) {
      const assume = g.actions.some((a) => /^sts:(AssumeRole|\*)$/i.test(a) || a === '*');
      const conditional = !!g.condition;
      switch (g.kind) {
        case 'service': {
          this.graph.addNode({ id: g.value, kind: 'service', accountId: null, name: g.value, imported: false, isAdmin: false });
          this.edge(
            { from: g.value, to: role.arn, technique: 'trust-service', actions: ['sts:AssumeRole'], conditional, confidence: 'confirmed', service: g.value },
            { fromKind: 'service', actions: [], related: [] },
          );
          let byService = this.serviceRoles.get(s.accountId);
          if (!byService) this.serviceRoles.set(s.accountId, (byService = new Map()));
          const l = byService.get(g.value) ?? [];
          if (!l.includes(role)) l.push(role);
          byService.set(g.value, l);
          break;
        }
        case 'federated': {
          const web = isWebIdentity(g);
          const scope = web ? oidcScope(g) : null;
          const unscoped = !!scope && !scope.hasSubject;
          this.graph.addNode({
            id: g.value,
            kind: 'federated',
            accountId: g.accountId,
            name: g.value.split('/').pop() ?? g.value,
            imported: false,
            isAdmin: false,
            entry: unscoped ? ['unscoped-oidc'] : [],
          });
          this.edge(
            { from: g.value, to: role.arn, technique: web ? 'trust-web-identity' : 'trust-saml', actions: [web ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRoleWithSAML'], conditional: conditional && !unscoped, confidence: 'confirmed', unscoped },
            { fromKind: 'federated', actions: ['sts:assumerolewithwebidentity', 'sts:assumerolewithsaml'], related: [role.arn] },
          );
          break;
        }
        case 'public': {
          if (!assume) break;
          if (!narrowsToOrgOrAccount(g)) {
            this.graph.addNode({ id: PUBLIC, kind: 'public', accountId: null, name: 'anyone (*)', imported: false, isAdmin: false, entry: ['public-trust'] });
            this.edge(
              { from: PUBLIC, to: role.arn, technique: 'trust-public', actions: ['sts:AssumeRole'], conditional, confidence: 'confirmed' },
              { fromKind: 'public', actions: ['sts:assumerole'], related: [role.arn] },
            );
          }
          for (const snap of this.input.snapshots) for (const p of [...snap.users, ...snap.roles]) candidates.add(p.arn);
          break;
        }
        case 'account':
        case 'principal': {
          if (!assume) break;
          const acct = g.accountId;
          const known = g.kind === 'principal' ? this.identities.get(g.value) : undefined;
          if (known && known.type !== 'group') {
            candidates.add(known.arn);
          } else if (acct && this.imported.has(acct) && g.kind === 'account') {
            const snap = this.input.snapshots.find((x) => x.accountId === acct)!;
            for (const p of [...snap.users, ...snap.roles]) candidates.add(p.arn);
          } else if (acct && !this.imported.has(acct)) {
            this.externalEdge(acct, role, g);
          }
          break;
        }
      }
    }
    for (const c of candidates) {
      if (c === role.arn || this.graph.node(c)?.isAdmin || !this.grant(c, 'sts:AssumeRole')) continue;
      const r = this.check(c, 'sts:AssumeRole', role.arn);
      if (r === 'denied') continue;
      this.edge(
        { from: c, to: role.arn, technique: 'sts-001', actions: ['sts:AssumeRole'], conditional: r === 'conditional', confidence: 'confirmed' },
        { fromKind: this.identities.get(c)?.type ?? 'user', actions: ['sts:assumerole'], related: [role.arn], target: role.arn },
      );
    }
  }

  protected externalEdge(acct: string, role: IamRole, g: TrustGrant): void {
    const id = `arn:aws:iam::${acct}:root`;
    const inOrg = this.org.has(acct);
    this.graph.addNode({ id, kind: 'account', accountId: acct, name: acct, imported: false, isAdmin: false, entry: [inOrg ? 'organization-account-trust' : 'external-account-trust'] });
    // the role's account logs the caller only as its account (userIdentity type AWSAccount)
    this.edge(
      { from: id, to: role.arn, technique: 'trust-external', actions: ['sts:AssumeRole'], conditional: !!g.condition, confidence: 'confirmed', ...(g.kind === 'principal' ? { via: g.value } : {}) },
      { evidenceFrom: acct, fromKind: 'account', actions: ['sts:assumerole'], related: [role.arn] },
    );
  }
}
