/**
 * Test and measurement fixtures for the store: real CloudTrail records from ../shared/data,
 * turned into NormalizedEvents by a small local stand-in for the parser (the store's tests must
 * not depend on the parser's progress), and realistic synthetic streams built from them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { NormalizedEvent } from '../../model/index.js';
import { sharedData } from '../../../test/support/paths.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function s(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

let cached: Json[] | undefined;

/** Real records: the flaws2 delivery files, the panther, stratus and traildiscover samples. */
export function realRecords(): Json[] {
  if (cached) return cached;
  const out: Json[] = [];
  const flaws = sharedData('flaws2-cloudtrail/AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28');
  for (const f of readdirSync(flaws).sort()) {
    const doc = JSON.parse(gunzipSync(readFileSync(join(flaws, f))).toString('utf8')) as { Records: Json[] };
    out.push(...doc.Records);
  }
  for (const line of readFileSync(sharedData('panther-analysis/cloudtrail_test_events.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) out.push((JSON.parse(line) as { event: Json }).event);
  }
  const stratus = sharedData('stratus-red-team/detonation-logs');
  for (const f of readdirSync(stratus).sort()) {
    if (!f.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(stratus, f), 'utf8')) as unknown;
    if (Array.isArray(doc)) out.push(...doc.filter(isObj));
  }
  // Keep only records a parser would accept (they carry eventTime, eventSource and eventName).
  cached = out.filter((r) => s(r.eventTime) && s(r.eventSource) && s(r.eventName) && !Number.isNaN(Date.parse(r.eventTime as string)));
  return cached;
}

/** A stand-in for the parser's normalisation, good enough to exercise the store. */
export function toEvent(raw: Json): NormalizedEvent {
  const id = isObj(raw.userIdentity) ? raw.userIdentity : {};
  const type = s(id.type);
  const issuer = isObj(id.sessionContext) && isObj(id.sessionContext.sessionIssuer) ? id.sessionContext.sessionIssuer : null;
  const attrs = isObj(id.sessionContext) && isObj(id.sessionContext.attributes) ? id.sessionContext.attributes : null;
  let principalArn: string | null = s(id.arn);
  let sessionName: string | null = null;
  if (type === 'AssumedRole' && issuer && s(issuer.arn)) {
    principalArn = s(issuer.arn);
    sessionName = principalArn && s(id.arn) ? (s(id.arn)!.split('/').pop() ?? null) : null;
  } else if (type === 'AWSService') {
    principalArn = s(id.invokedBy);
  } else if (type === 'Root' && s(id.accountId)) {
    principalArn = `arn:aws:iam::${s(id.accountId)}:root`;
  }
  const source = s(raw.eventSource)!;
  const name = s(raw.eventName)!;
  const mfa = attrs?.mfaAuthenticated;
  const resources = Array.isArray(raw.resources)
    ? raw.resources.filter(isObj).map((r) => s(r.ARN)).filter((a): a is string => a !== null)
    : [];
  const iso = new Date(Date.parse(raw.eventTime as string)).toISOString();
  return {
    eventID: s(raw.eventID) ?? `derived-${name}-${raw.eventTime as string}`,
    eventTime: iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso,
    eventVersion: s(raw.eventVersion),
    eventSource: source,
    eventName: name,
    eventType: s(raw.eventType),
    eventCategory: s(raw.eventCategory) ?? 'Management',
    awsRegion: s(raw.awsRegion) ?? '',
    recipientAccountId: s(raw.recipientAccountId),
    readOnly: typeof raw.readOnly === 'boolean' ? raw.readOnly : null,
    errorCode: s(raw.errorCode),
    errorMessage: s(raw.errorMessage),
    sourceIPAddress: s(raw.sourceIPAddress),
    userAgent: s(raw.userAgent),
    identityType: type,
    principalArn,
    principalAccountId: s(id.accountId),
    sessionName,
    invokedBy: s(id.invokedBy),
    accessKeyId: s(id.accessKeyId),
    mfaAuthenticated: mfa === 'true' || mfa === true ? true : mfa === 'false' || mfa === false ? false : null,
    actions: [`${source.split('.')[0]}:${name}`],
    resources,
    raw,
  };
}

/** A seedable PRNG (mulberry32): a seed fully determines a synthetic stream. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuid(rand: () => number): string {
  let h = '';
  for (let i = 0; i < 32; i++) h += Math.floor(rand() * 16).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

export interface SyntheticOptions {
  seed?: number;
  /** First eventTime (ms). */
  start?: number;
  /** Events are spread over [start, start + spanMs). */
  spanMs?: number;
  /** When set, principals are spread over this many distinct roles (for usage at scale). */
  principals?: number;
  /** When set, these many distinct account ids. */
  accounts?: number;
}

/**
 * Realistic events: real records with fresh eventIDs, requestIDs and eventTimes (the parts that
 * are unique per event in real trails), in time order; the rest of each record is as recorded.
 */
export function syntheticEvents(n: number, opts: SyntheticOptions = {}): NormalizedEvent[] {
  const rand = rng(opts.seed ?? 1);
  const pool = realRecords();
  const start = opts.start ?? Date.parse('2026-01-01T00:00:00Z');
  const span = opts.spanMs ?? 30 * 86_400_000;
  const times = Array.from({ length: n }, () => start + Math.floor(rand() * span)).sort((a, b) => a - b);
  const out: NormalizedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const raw = structuredClone(pool[Math.floor(rand() * pool.length)]!);
    raw.eventID = uuid(rand);
    if ('requestID' in raw) raw.requestID = uuid(rand);
    const iso = new Date(times[i]!).toISOString();
    raw.eventTime = `${iso.slice(0, 19)}Z`;
    const e = toEvent(raw);
    if (opts.accounts) {
      const acct = String(100000000000 + Math.floor(rand() * opts.accounts));
      e.recipientAccountId = acct;
      e.principalAccountId = acct;
    }
    if (opts.principals) {
      const p = Math.floor(rand() * opts.principals);
      e.principalArn = `arn:aws:iam::${e.principalAccountId ?? '123456789012'}:role/synthetic-${p}`;
      e.identityType = 'AssumedRole';
      e.sessionName = `session-${Math.floor(rand() * 5)}`;
    }
    out.push(e);
  }
  return out;
}
