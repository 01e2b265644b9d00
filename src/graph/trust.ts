/**
 * Role trust policies read once into typed grants: who may assume the role, through which STS
 * action, and under which conditions. Used by the graph (entry edges: external accounts, public,
 * federated providers, services) and by the role-trust rules.
 */
import type { IamRole, PolicyStatement } from '../iam/index.js';

export type TrusteeKind = 'public' | 'account' | 'principal' | 'service' | 'federated';

export interface TrustGrant {
  kind: TrusteeKind;
  /**
   * public: "*"; account: the 12-digit account id; principal: the IAM ARN named (user, role, ...);
   * service: the service principal (lambda.amazonaws.com); federated: the provider ARN or name.
   */
  value: string;
  /** Account of the trustee when known (account, principal, federated provider ARNs). */
  accountId: string | null;
  /** STS actions the statement allows (as written). */
  actions: string[];
  /** Condition keys (as written), lower-cased, of the statement. */
  conditionKeys: string[];
  condition: PolicyStatement['Condition'] | undefined;
  statementIndex: number;
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** Every Allow statement of the trust policy, one grant per trusted principal. Deny and NotPrincipal statements are ignored (they only narrow). */
export function trustGrants(role: IamRole): TrustGrant[] {
  const out: TrustGrant[] = [];
  role.trustPolicy.Statement.forEach((st, statementIndex) => {
    if (st.Effect !== 'Allow') return;
    const actions = list(st.Action);
    const condition = st.Condition;
    const conditionKeys = condition ? Object.values(condition).flatMap((e) => Object.keys(e).map((k) => k.toLowerCase())) : [];
    const base = { actions, condition, conditionKeys, statementIndex };
    const p = st.Principal;
    if (p === '*') {
      out.push({ kind: 'public', value: '*', accountId: null, ...base });
      return;
    }
    if (!p || typeof p !== 'object') return;
    const rec = p as Record<string, unknown>;
    for (const v of list(rec.AWS)) {
      if (v === '*') out.push({ kind: 'public', value: '*', accountId: null, ...base });
      else if (/^\d{12}$/.test(v)) out.push({ kind: 'account', value: v, accountId: v, ...base });
      else if (ACCOUNT_ROOT.test(v)) out.push({ kind: 'account', value: ACCOUNT_ROOT.exec(v)![1]!, accountId: ACCOUNT_ROOT.exec(v)![1]!, ...base });
      else out.push({ kind: 'principal', value: v, accountId: IAM_ARN.exec(v)?.[1] ?? null, ...base });
    }
    for (const v of list(rec.Service)) out.push({ kind: 'service', value: v, accountId: null, ...base });
    for (const v of list(rec.Federated)) out.push({ kind: 'federated', value: v, accountId: IAM_ARN.exec(v)?.[1] ?? null, ...base });
  });
  return out;
}

/** Keys that tie a public or cross-account trust to the organization or to known accounts/resources. */
export const NARROWING_KEYS = [
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourceowner',
  'aws:userid',
] as const;

/** The condition restricts the trust to an organization, account or named principal/resource (its value not "*"). */
export function narrowsToOrgOrAccount(g: TrustGrant): boolean {
  if (!g.condition) return false;
  for (const [op, entries] of Object.entries(g.condition)) {
    if (/^Null$/i.test(op) || /IfExists$/i.test(op)) continue;
    if (/^(StringNot|ArnNot)/i.test(op)) continue;
    for (const [key, value] of Object.entries(entries)) {
      if (!(NARROWING_KEYS as readonly string[]).includes(key.toLowerCase())) continue;
      const values = list(value);
      if (values.length > 0 && values.every((x) => x !== '*' && x.trim() !== '')) return true;
    }
  }
  return false;
}

/** An sts:ExternalId condition with a concrete value (not "*", not negated, not IfExists). */
export function hasExternalId(g: TrustGrant): boolean {
  if (!g.condition) return false;
  for (const [op, entries] of Object.entries(g.condition)) {
    if (/IfExists$/i.test(op) || /^(StringNot|Null)/i.test(op)) continue;
    for (const [key, value] of Object.entries(entries)) {
      if (key.toLowerCase() !== 'sts:externalid') continue;
      const values = list(value);
      if (values.length > 0 && values.every((x) => x !== '*' && x.trim() !== '')) return true;
    }
  }
  return false;
}

/** The OIDC provider host of a Federated principal (arn:...:oidc-provider/HOST or a bare host such as cognito-identity.amazonaws.com). */
export function oidcProviderHost(value: string): string | null {
  const m = /:oidc-provider\/(.+)$/.exec(value);
  if (m) return m[1]!;
  if (/:saml-provider\//.test(value)) return null;
  return /^[a-z0-9.-]+\.[a-z]{2,}(\/.*)?$/i.test(value) ? value : null;
}

export function isWebIdentity(g: TrustGrant): boolean {
  return g.kind === 'federated' && (g.actions.some((a) => /^sts:(AssumeRoleWithWebIdentity|\*)$/i.test(a)) || oidcProviderHost(g.value) !== null);
}

export interface OidcScope {
  provider: string;
  host: string;
  /** Condition keys checked on this provider's claims (HOST:aud, HOST:sub, ...), as written. */
  checks: string[];
  hasAudience: boolean;
  /** A sub (or equivalent subject-binding claim) condition with concrete, not wildcard-only values. */
  hasSubject: boolean;
}

/** Subject-binding claims per provider (besides HOST:sub): Cognito pins the identity pool through :aud. */
const SUBJECT_CLAIMS = ['sub', 'job_workflow_ref', 'repository', 'repository_id', 'project_path', 'namespace_path', 'oaud'];

export function oidcScope(g: TrustGrant): OidcScope | null {
  const host = oidcProviderHost(g.value);
  if (!host || g.kind !== 'federated') return null;
  const checks: string[] = [];
  let hasAudience = false;
  let hasSubject = false;
  const hostKey = host.toLowerCase();
  for (const [op, entries] of Object.entries(g.condition ?? {})) {
    for (const [key, value] of Object.entries(entries)) {
      const k = key.toLowerCase();
      if (!k.startsWith(`${hostKey}:`)) continue;
      checks.push(key);
      const claim = k.slice(hostKey.length + 1);
      const values = list(value);
      const concrete = values.length > 0 && values.every((x) => x.replace(/[*?]/g, '').replace(/[:/]/g, '').trim() !== '' && !/^[^:]*:\*$/.test(x)) && !/^(StringNot|Null)/i.test(op);
      if (claim === 'aud') hasAudience = true;
      if (SUBJECT_CLAIMS.includes(claim) && concrete) hasSubject = true;
    }
  }
  // Cognito identity pools: the audience is the pool id, which binds the identity (AWS's documented pattern)
  if (hostKey === 'cognito-identity.amazonaws.com' && hasAudience) hasSubject = true;
  return { provider: g.value, host, checks: checks.sort(), hasAudience, hasSubject };
}
