/**
 * Loads one analysis state from the store: the IAM model in force at asOf of every account, effective
 * permissions (one evaluator, cached per policy set), usage aggregates in the window and the
 * last successful activity of every principal. Never loads all events: only the store's
 * aggregates, plus the (few) events that passed a role, for iam:PassedToService.
 *
 * `accountId` narrows what is reported, never what is known: the whole organization's model,
 * SCPs and usage are loaded (a role trusting the management account is not "external" because
 * only a member account was asked for); identities are filtered here, findings and paths by the
 * caller.
 */
import type { Store } from '../store/index.js';
import type { NormalizedEvent } from '../model/index.js';
import type { AccountSnapshot, PermissionEvaluator } from '../iam/index.js';
import { IamRepository } from '../iam/index.js';
import type { IamModel } from '../iam/index.js';
import { createPermissionEvaluator } from '../iam/index.js';
import { replayModel } from '../iam/index.js';
import { aggregateUsage, type PrincipalUsage } from './usage.js';
import { analyseIdentities, windowStart, DEFAULT_WINDOW_DAYS, type IdentityAnalysis } from './identities.js';
import { DEFAULT_RULE_OPTIONS, type RuleContext, type RuleOptions } from './types.js';
import { loadEscalationEvidence, PATH_RISK_RULES } from '../graph/index.js';
import { cachedVisibility, defaultVisibility, type VisibilityFn } from './visibility.js';
import { checkMissing, uncertainConfigurationNotices, type AnalysisNotice } from './notices.js';
import { coverageNotice, DEFAULT_COVERAGE_OPTIONS, loadCoverage } from './coverage.js';

export interface LoadOptions {
  /** ISO end of the window (exclusive). Default: now. */
  asOf?: string;
  windowDays?: number;
  /** Report only identities of this account (the principal's account); everything is still loaded. */
  accountId?: string;
  /** Only this principal's usage (policy suggestion). */
  principalArn?: string;
  /**
   * Also fetch per-resource usage and the services passed roles went to, for resource-scoped
   * suggested policies. Costly on large stores; default: only when principalArn is set.
   */
  resourceDetail?: boolean;
  /** Load privilege-escalation step events (for the graph rules). Default true; `identities` needs none. */
  escalationEvents?: boolean;
  options?: Partial<RuleOptions>;
  visibility?: VisibilityFn;
  /** Timing of each step, for --verbose and the benchmark. */
  onTiming?: (step: string, ms: number) => void;
}

export interface AnalysisState {
  ctx: RuleContext;
  model: IamModel;
  evaluator: PermissionEvaluator | null;
  usage: Map<string, PrincipalUsage>;
  /** What the store lacks for this run and the commands that bring it in (first run, partial data). */
  notices: AnalysisNotice[];
}

export async function loadAnalysis(store: Store, opts: LoadOptions = {}): Promise<AnalysisState> {
  const asOf = opts.asOf ?? new Date().toISOString();
  const windowDays = opts.windowDays ?? DEFAULT_WINDOW_DAYS;
  const since = windowStart(asOf, windowDays);
  const visibility = cachedVisibility(opts.visibility ?? defaultVisibility);
  const time = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      opts.onTiming?.(step, performance.now() - t0);
    }
  };

  const notices = await time('notices', () => checkMissing(store, { asOf, windowStart: since, accountId: opts.accountId }));
  // the snapshots in force at asOf, so that a past --as-of gives the same answer tomorrow
  const snapshotModel = await time('iam-model', () => new IamRepository(store.iam).loadModel({ at: asOf }));
  // the snapshot brought up to asOf by the IAM changes CloudTrail recorded after it
  const replay = await time('iam-replay', () => replayModel(store.events, snapshotModel, snapshotModel.snapshotTakenAt ?? new Map(), asOf));
  const model = replay.model;
  const evaluator = model.accounts.size > 0 ? await time('evaluator', () => createPermissionEvaluator(model, { asOf })) : null;
  // permissions as snapshotted, for identity-permissions-changed: only the accounts the replay changed
  const changedAccounts = new Map([...snapshotModel.accounts].filter(([a, s]) => model.accounts.get(a) !== s));
  const snapshotEvaluator =
    evaluator && changedAccounts.size > 0
      ? await time('snapshot-evaluator', () => createPermissionEvaluator({ ...snapshotModel, accounts: changedAccounts }, { asOf }))
      : evaluator;
  const query = { since, until: asOf, principalArn: opts.principalArn };
  const rows = await time('usage', () => store.events.usage(query));
  const resourceDetail = opts.resourceDetail ?? opts.principalArn !== undefined;
  const resourceRows = resourceDetail ? await time('usage-by-resource', () => store.events.usage({ ...query, byResource: true })) : [];
  const usage = aggregateUsage(rows, { resourceRows });
  const principals = await time('principals', () => store.events.principals({ until: asOf }));
  const lastSuccess = new Map(principals.map((p) => [p.principalArn, p.lastSeen]));
  const passRoleServices = resourceDetail
    ? await time('passrole', () => loadPassRoleServices(store, query, [...model.accounts.values()]))
    : new Map<string, Map<string, Set<string>>>();
  const escalationEvidence =
    evaluator && !opts.principalArn && opts.escalationEvents !== false
      ? await time('escalation-events', () => loadEscalationEvidence(store.events, { since, until: asOf }, new Set(rows.map((r) => r.action.toLowerCase()))))
      : [];
  // Attack paths whose entry point showed risk come first (src/graph/path-context.ts).
  const riskDetections =
    evaluator && !opts.principalArn && opts.escalationEvents !== false
      ? await time('risk-detections', () => store.detections.list({ since, until: asOf, rules: [...PATH_RISK_RULES] }))
      : [];

  const snapshots = [...model.accounts.values()];
  const options: RuleOptions = { ...DEFAULT_RULE_OPTIONS, ...opts.options };
  const coverageOptions = { ...DEFAULT_COVERAGE_OPTIONS, ...options.coverage };
  const coverage = await time('coverage', () =>
    loadCoverage(store, { since, until: asOf, accountId: opts.accountId, accountIds: snapshots.map((s) => s.accountId) }, coverageOptions),
  );
  notices.push(...[...coverage.values()].filter((c) => c.activity === 'unknown').map((c) => coverageNotice(c, windowDays, coverageOptions)));
  const identities: IdentityAnalysis[] = await time('identities', async () =>
    analyseIdentities({
      asOf,
      windowDays,
      snapshots,
      evaluator,
      usage,
      lastSuccess,
      visibility,
      accountId: opts.accountId,
      principalArn: opts.principalArn,
      coverage,
    }),
  );
  const uncertain = new Map<string, { accountId: string; reason: string }[]>();
  for (const id of identities) {
    const c = replay.configurations.get(id.summary.arn);
    if (!c) continue;
    id.summary.configuration = { replayedEvents: c.changes.map((x) => x.eventID), uncertain: c.uncertain };
    if (c.uncertain) uncertain.set(id.summary.accountId, [...(uncertain.get(id.summary.accountId) ?? []), { accountId: id.summary.accountId, reason: c.uncertainty[0] ?? '' }]);
  }
  notices.push(...uncertainConfigurationNotices(uncertain));
  const ctx: RuleContext = {
    asOf,
    windowDays,
    windowStart: since,
    identities,
    snapshots,
    evaluator,
    snapshotEvaluator,
    configurations: replay.configurations,
    passRoleServices,
    credentialReports: model.credentialReports,
    escalationEvidence,
    riskDetections,
    organizationAccountIds: new Set(model.scpChains.keys()),
    coverage,
    notices,
    options,
  };
  return { ctx, model, evaluator, usage, notices };
}

/** Where a role handed over by a call goes: the service principal for iam:PassedToService. */
const PASSED_TO: Record<string, string> = {
  'lambda.amazonaws.com': 'lambda.amazonaws.com',
  'cloudformation.amazonaws.com': 'cloudformation.amazonaws.com',
  'glue.amazonaws.com': 'glue.amazonaws.com',
  'sagemaker.amazonaws.com': 'sagemaker.amazonaws.com',
  'codebuild.amazonaws.com': 'codebuild.amazonaws.com',
  'states.amazonaws.com': 'states.amazonaws.com',
  'datapipeline.amazonaws.com': 'datapipeline.amazonaws.com',
  'ecs.amazonaws.com': 'ecs-tasks.amazonaws.com',
  'apprunner.amazonaws.com': 'apprunner.amazonaws.com',
  'eks.amazonaws.com': 'eks.amazonaws.com',
  'batch.amazonaws.com': 'batch.amazonaws.com',
};

/**
 * principal → passed role ARN → services, from successful events with an inferred
 * iam:PassRole. Instance profiles resolve to their role (passed to EC2) through the snapshots.
 */
export async function loadPassRoleServices(
  store: Store,
  q: { since: string; until: string; principalArn?: string },
  snapshots: readonly AccountSnapshot[],
): Promise<Map<string, Map<string, Set<string>>>> {
  const roleOfProfile = new Map<string, string>();
  for (const s of snapshots) for (const r of s.roles) for (const p of r.instanceProfileArns) roleOfProfile.set(p, r.arn);
  const out = new Map<string, Map<string, Set<string>>>();
  for await (const e of store.events.iterate({ ...q, action: 'iam:PassRole' })) {
    if (e.errorCode || !e.principalArn) continue;
    for (const [role, service] of passedRolesOf(e, roleOfProfile)) {
      let byRole = out.get(e.principalArn);
      if (!byRole) out.set(e.principalArn, (byRole = new Map()));
      let services = byRole.get(role);
      if (!services) byRole.set(role, (services = new Set()));
      if (service) services.add(service);
    }
  }
  return out;
}

export function passedRolesOf(e: NormalizedEvent, roleOfProfile: ReadonlyMap<string, string>): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  for (const r of e.resources) {
    if (/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(r)) {
      out.push([r, PASSED_TO[e.eventSource] ?? null]);
    } else if (/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\//.test(r)) {
      const role = roleOfProfile.get(r);
      if (role) out.push([role, 'ec2.amazonaws.com']);
    }
  }
  return out;
}
