/**
 * The findings use case, shared by `trailscope findings` and the API: run the CIEM rules and the
 * stored event detections over the window, record the run (first and last seen, resolved), and
 * return the findings with their status, filtered.
 */
import { loadAnalysis } from '../analysis/index.js';
import { runRules, selectRules } from '../analysis/index.js';
import { builtinRules } from '../analysis/index.js';
import { DEFAULT_RULE_OPTIONS, rulesNeed, type Rule, type RuleContext } from '../analysis/index.js';
import { windowStart } from '../analysis/index.js';
import type { AnalysisNotice } from '../analysis/index.js';
import type { CoverageOptions } from '../analysis/index.js';
import type { Finding, Severity } from '../model/index.js';
import type { FindingStatus, Store, StoredFinding, Suppression } from '../store/index.js';
import { compareFindings } from '../analysis/index.js';
import { UseCaseError } from './errors.js';

export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'resolved', 'suppressed'];

/** A finding as the CLI's --json and the API print it: the rule's finding plus its lifecycle. */
export interface FindingDocument extends Finding {
  status: FindingStatus;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  suppression: Suppression | null;
}

export interface FindingsRequest {
  asOf: string;
  windowDays: number;
  accountId?: string;
  rules?: string[];
  severities?: Severity[];
  /** Default: open only. */
  statuses?: FindingStatus[];
  resources?: boolean;
  overprovisioned?: { maxUsedRatio: number; minUnused: number };
  coverage?: CoverageOptions;
  /** Wall-clock time, for suppression expiry (default now). */
  now?: Date;
}

export interface FindingsResult {
  findings: FindingDocument[];
  notices: AnalysisNotice[];
  errors: { rule: string; message: string }[];
  rules: Rule[];
  windowStart: string;
  asOf: string;
}

export function suppressionActive(s: Suppression | null, now: Date): boolean {
  return s !== null && (!s.until || Date.parse(s.until) > now.getTime());
}

export async function findFindings(store: Store, req: FindingsRequest): Promise<FindingsResult> {
  const now = req.now ?? new Date();
  const { builtinEventRules, detectionRules } = await import('../detect/index.js');
  const since = windowStart(req.asOf, req.windowDays);
  // Event detections are stored as events commit; they join the CIEM rules as rules of their own.
  const detections = await store.detections.list({ since, until: req.asOf, ...(req.accountId ? { accountId: req.accountId } : {}) });
  const eventRules = detectionRules(builtinEventRules, detections);
  let rules: Rule[];
  try {
    rules = selectRules([...builtinRules, ...eventRules], req.rules);
  } catch (err) {
    throw new UseCaseError((err as Error).message);
  }
  const ciem = rules.filter((r) => builtinRules.includes(r));
  let ctx: RuleContext = { asOf: req.asOf, windowDays: req.windowDays, windowStart: since, identities: [], snapshots: [], evaluator: null, options: DEFAULT_RULE_OPTIONS };
  let notices: AnalysisNotice[] = [];
  if (ciem.length > 0) {
    const loaded = await loadAnalysis(store, {
      asOf: req.asOf,
      windowDays: req.windowDays,
      ...(req.accountId ? { accountId: req.accountId } : {}),
      resourceDetail: req.resources === true,
      escalationEvents: rulesNeed(ciem, 'escalationEvents'),
      options: { ...(req.overprovisioned ? { overprovisioned: req.overprovisioned } : {}), ...(req.coverage ? { coverage: req.coverage } : {}) },
    });
    ctx = loaded.ctx;
    notices = loaded.notices;
  }
  // Severity filters the output, not the run: a finding hidden by --severity is still found.
  const { findings, errors } = runRules(rules, ctx, { ...(req.accountId ? { accountId: req.accountId } : {}) });
  const ranRules = rules.filter((r) => !errors.some((e) => e.rule === r.id)).map((r) => r.id);
  await store.findings.recordRun({ asOf: req.asOf, windowDays: req.windowDays, rules: ranRules, ranAt: now.toISOString(), ...(req.accountId ? { accountId: req.accountId } : {}) }, findings);

  const stored = new Map((await store.findings.list({ rules: rules.map((r) => r.id), ...(req.accountId ? { accountId: req.accountId } : {}) })).map((s) => [s.id, s]));
  const statuses = new Set(req.statuses?.length ? req.statuses : ['open']);
  const severities = req.severities?.length ? new Set(req.severities) : undefined;
  const out: FindingDocument[] = [];
  const found = new Set<string>();
  for (const f of findings) {
    found.add(f.id);
    const s = stored.get(f.id);
    out.push(documentOf(f, s, suppressionActive(s?.suppression ?? null, now) ? 'suppressed' : 'open', req.asOf));
  }
  if (statuses.has('resolved')) {
    for (const s of stored.values()) {
      if (found.has(s.id) || s.resolvedAt === null) continue;
      out.push(documentOf(s.finding as unknown as Finding, s, 'resolved', req.asOf));
    }
  }
  return {
    findings: out.filter((d) => statuses.has(d.status) && (!severities || severities.has(d.severity))).sort(compareFindings),
    notices,
    errors,
    rules,
    windowStart: ctx.windowStart,
    asOf: ctx.asOf,
  };
}

function documentOf(f: Finding, s: StoredFinding | undefined, status: FindingStatus, asOf: string): FindingDocument {
  return { ...f, status, firstSeen: s?.firstSeen ?? asOf, lastSeen: s?.lastSeen ?? asOf, resolvedAt: status === 'resolved' ? (s?.resolvedAt ?? null) : null, suppression: s?.suppression ?? null };
}

/** A stored finding as a document, its status as of `now` (the API's lists read the stored runs). */
export function storedFindingDocument(s: StoredFinding, now: Date): FindingDocument {
  const status = suppressionActive(s.suppression, now) ? 'suppressed' : s.resolvedAt ? 'resolved' : 'open';
  return { ...(s.finding as unknown as Finding), status, firstSeen: s.firstSeen, lastSeen: s.lastSeen, resolvedAt: s.resolvedAt, suppression: s.suppression };
}

/** Suppresses a finding by id (it stays visible under the suppressed filter). */
export async function suppressFinding(store: Store, id: string, s: { reason: string; by: string; until?: string; now?: Date }): Promise<StoredFinding> {
  if (s.reason.trim() === '') throw new UseCaseError('a suppression needs a reason');
  const at = (s.now ?? new Date()).toISOString();
  if (s.until !== undefined && Date.parse(s.until) <= Date.parse(at)) throw new UseCaseError(`--until ${s.until} is in the past`);
  const ok = await store.findings.suppress(id, { reason: s.reason, by: s.by, at, until: s.until ?? null });
  if (!ok) throw new UseCaseError(`no finding with id ${id}: ids are in findings --json (field "id")`, 'not-found');
  return (await store.findings.get(id))!;
}

export async function unsuppressFinding(store: Store, id: string): Promise<StoredFinding> {
  const ok = await store.findings.unsuppress(id);
  if (!ok) {
    if (!(await store.findings.get(id))) throw new UseCaseError(`no finding with id ${id}`, 'not-found');
    throw new UseCaseError(`finding ${id} is not suppressed`);
  }
  return (await store.findings.get(id))!;
}
