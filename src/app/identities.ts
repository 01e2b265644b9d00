/**
 * The identities use case, shared by `trailscope identities` and the API: the identities
 * document (one summary per IAM user and role), and the page of one identity.
 */
import { loadAnalysis } from '../analysis/index.js';
import type { CoverageOptions } from '../analysis/index.js';
import type { IdentitySummary } from '../analysis/index.js';
import type { AnalysisNotice } from '../analysis/index.js';
import { servicePrefix } from '../analysis/index.js';
import { compareFindings } from '../analysis/index.js';
import type { Store } from '../store/index.js';
import { UseCaseError } from './errors.js';
import { storedFindingDocument, type FindingDocument } from './findings.js';
import { policyOf, userOrRoleAccount, type SuggestedPolicy } from './policy.js';

export interface IdentitiesRequest {
  asOf: string;
  windowDays: number;
  accountId?: string | undefined;
  coverage?: CoverageOptions;
}

export interface IdentitiesResult {
  identities: IdentitySummary[];
  notices: AnalysisNotice[];
  windowStart: string;
  asOf: string;
}

export async function listIdentities(store: Store, req: IdentitiesRequest): Promise<IdentitiesResult> {
  const { ctx, notices } = await loadAnalysis(store, {
    asOf: req.asOf,
    windowDays: req.windowDays,
    ...(req.accountId ? { accountId: req.accountId } : {}),
    resourceDetail: false,
    escalationEvents: false,
    ...(req.coverage ? { options: { coverage: req.coverage } } : {}),
  });
  return { identities: ctx.identities.map((i) => i.summary), notices, windowStart: ctx.windowStart, asOf: ctx.asOf };
}

/** One resource an identity acted on in the window, with the actions and their outcome. */
export interface ResourceTouched {
  resource: string;
  actions: string[];
  successes: number;
  failures: number;
  lastSeen: string;
}

/** The identity page: GET /api/identities/{arn}. Paths are added by the caller (they need the whole graph). */
export interface IdentityDetail {
  identity: IdentitySummary;
  /** Granted actions by service prefix; an identity in no snapshot has only used ones. */
  actions: Record<string, { used: string[]; unused: string[]; unknown: string[] }>;
  resources: ResourceTouched[];
  /** Events per UTC day in the window (days without events left out), oldest first. */
  activity: { day: string; events: number }[];
  findings: FindingDocument[];
  /** The suggested least-privilege document; null when nothing was used or the identity is not a user or role. */
  policy: SuggestedPolicy['document'] | null;
  policyNotes: string[];
  notices: AnalysisNotice[];
}

/** The identity page without its findings (their status moves with suppressions, not with the analysis). */
export type IdentityAnalysisDocument = Omit<IdentityDetail, 'findings'>;

export async function identityDetail(store: Store, arn: string, req: { asOf: string; windowDays: number; now?: Date }): Promise<IdentityDetail> {
  const analysis = await analyseIdentity(store, arn, req);
  return { ...analysis, findings: await identityFindings(store, arn, req.now ?? new Date()) };
}

/** The stored findings about one identity, most severe first, their status as of `now`. */
export async function identityFindings(store: Store, arn: string, now: Date): Promise<FindingDocument[]> {
  const accountId = userOrRoleAccount(arn);
  return (await store.findings.list({ accountId }))
    .filter((s) => s.resource === arn)
    .map((s) => storedFindingDocument(s, now))
    .sort(compareFindings);
}

export async function analyseIdentity(store: Store, arn: string, req: { asOf: string; windowDays: number }): Promise<IdentityAnalysisDocument> {
  const accountId = userOrRoleAccount(arn);
  const state = await loadAnalysis(store, { asOf: req.asOf, windowDays: req.windowDays, accountId, principalArn: arn });
  const id = state.ctx.identities.find((i) => i.summary.arn === arn);
  if (!id) throw new UseCaseError(`${arn}: not in any imported IAM snapshot and no activity seen before ${req.asOf}`, 'not-found');

  const actions: IdentityDetail['actions'] = {};
  const add = (kind: 'used' | 'unused' | 'unknown', action: string) => {
    (actions[servicePrefix(action)] ??= { used: [], unused: [], unknown: [] })[kind].push(action);
  };
  if (id.classification) {
    for (const a of id.classification.used) add('used', a);
    for (const a of id.classification.unused()) add('unused', a);
    for (const a of id.classification.unknown()) add('unknown', a);
  } else {
    for (const a of id.summary.usedActions) add('used', a);
  }

  const byResource = new Map<string, ResourceTouched>();
  for (const a of id.usage?.actions.values() ?? []) {
    for (const r of a.resources.values()) {
      const t = byResource.get(r.resource) ?? { resource: r.resource, actions: [], successes: 0, failures: 0, lastSeen: '' };
      if (!t.actions.includes(a.action)) t.actions.push(a.action);
      t.successes += r.success?.count ?? 0;
      t.failures += r.failure?.count ?? 0;
      for (const s of [r.success, r.failure]) if (s && s.lastSeen > t.lastSeen) t.lastSeen = s.lastSeen;
      byResource.set(r.resource, t);
    }
  }
  const resources = [...byResource.values()].map((r) => ({ ...r, actions: r.actions.sort() })).sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));

  const perDay = new Map<string, number>();
  for await (const e of store.events.iterate({ since: state.ctx.windowStart, until: state.ctx.asOf, principalArn: arn, columnsOnly: true })) {
    const day = e.eventTime.slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const activity = [...perDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, events]) => ({ day, events }));

  const suggested = id.summary.usedActions.length > 0 ? policyOf(state, id) : null;
  return {
    identity: id.summary,
    actions,
    resources,
    activity,
    policy: suggested?.document ?? null,
    policyNotes: suggested?.notes ?? [],
    notices: state.notices,
  };
}
