/** Small readers over hostile CloudTrail records: never throw, never trust a shape. */
import type { NormalizedEvent } from '../../model/index.js';

export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A list whether CloudTrail wrote an array, {items: [...]}, or a single object. */
export function items(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  const o = obj(v);
  if (!o) return [];
  if (Array.isArray(o.items)) return o.items;
  if (o.items !== undefined) return [o.items];
  return [o];
}

export function params(e: NormalizedEvent): Record<string, unknown> {
  return obj(e.raw.requestParameters) ?? {};
}

export function response(e: NormalizedEvent): Record<string, unknown> {
  return obj(e.raw.responseElements) ?? {};
}

export function additional(e: NormalizedEvent): Record<string, unknown> {
  return obj(e.raw.additionalEventData) ?? {};
}

/** The call succeeded: no errorCode, and for sign-in events no "Failure" outcome. */
export function succeeded(e: NormalizedEvent): boolean {
  if (e.errorCode) return false;
  const outcome = response(e)[e.eventName];
  return outcome !== 'Failure';
}

export function accountOf(e: NormalizedEvent): string {
  return e.recipientAccountId ?? e.principalAccountId ?? '';
}

/** The acting identity (never an STS session), root for root, else a readable placeholder. */
export function actorOf(e: NormalizedEvent): string {
  if (e.principalArn) return e.principalArn;
  const account = e.principalAccountId ?? e.recipientAccountId;
  if (e.identityType === 'Root' && account) return `arn:aws:iam::${account}:root`;
  return `unknown:${e.identityType ?? 'principal'}`;
}

/** The user name of an IAMUser actor (last path segment of its ARN). */
export function actorUserName(e: NormalizedEvent): string | undefined {
  if (e.identityType !== 'IAMUser' || !e.principalArn) return undefined;
  const m = /:user\/(?:.*\/)?([^/]+)$/.exec(e.principalArn);
  return m?.[1];
}

/** The IAM user ARN for a user name in the event's account (paths are unknown from a name alone). */
export function userArn(e: NormalizedEvent, userName: string): string {
  return `arn:aws:iam::${accountOf(e)}:user/${userName}`;
}

/** Who, from where: the details every detection carries. */
export function who(e: NormalizedEvent): Record<string, unknown> {
  return {
    actor: actorOf(e),
    identityType: e.identityType,
    sessionName: e.sessionName,
    sourceIPAddress: e.sourceIPAddress,
    userAgent: e.userAgent,
    eventName: e.eventName,
    eventSource: e.eventSource,
    eventTime: e.eventTime,
    awsRegion: e.awsRegion,
  };
}

/** A JSON policy document given as an object or as a JSON string; undefined when unreadable. */
export function policyDocument(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string') {
    try {
      return obj(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  return obj(v);
}

/** Condition keys that narrow a "*" principal to known callers (a statement using one is not public). */
const NARROWING_KEYS = [
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:userid',
  'aws:username',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'kms:calleraccount',
  'kms:viaservice',
];

function principalIsEveryone(p: unknown): boolean {
  if (p === '*') return true;
  const o = obj(p);
  if (!o) return false;
  const aws = o.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

function narrowed(condition: unknown): boolean {
  const c = obj(condition);
  if (!c) return false;
  for (const block of Object.values(c)) {
    const keys = Object.keys(obj(block) ?? {}).map((k) => k.toLowerCase());
    if (keys.some((k) => NARROWING_KEYS.includes(k))) return true;
  }
  return false;
}

/** Allow statements of a resource policy that admit anyone (principal "*" with no narrowing condition). */
export function publicStatements(policy: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of items(policy.Statement)) {
    const st = obj(s);
    if (!st || st.Effect !== 'Allow') continue;
    if (!principalIsEveryone(st.Principal)) continue;
    if (narrowed(st.Condition)) continue;
    out.push(st);
  }
  return out;
}
