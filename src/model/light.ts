/**
 * The few raw-record fields a "light" event carries besides the indexed columns, so detection
 * rules that read only these (most of the Sigma rules that look at every call: user agent,
 * session ARN, session issuer) run without decoding the stored record. The parse side extracts
 * them into the chunk (LightFields); the store rebuilds the partial record (lightRecord).
 */
import type { NormalizedEvent } from './event.js';

/** The raw record's fields (dotted paths, as Sigma names them) a light event's `raw` holds exactly. */
export const LIGHT_RAW_FIELDS: readonly string[] = [
  'eventSource',
  'eventName',
  'sourceIPAddress',
  'userAgent',
  'userIdentity.type',
  'userIdentity.arn',
  'userIdentity.sessionContext.sessionIssuer.type',
];

/** What the chunk keeps beside its columns for a light event (strings exactly as in the record). */
export interface LightFields {
  userAgent: string | null;
  userArn: string | null;
  sessionIssuerType: string | null;
}

const IRREGULAR = Symbol('irregular');

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The string at a dotted path when the record reaches it through plain objects only (null when
 * absent or null), IRREGULAR for any other shape: an array or a non-string on the way, or a key
 * that itself contains dots (a field-path matcher would read that key instead).
 */
function plainStringAt(record: Record<string, unknown>, path: string): string | null | typeof IRREGULAR {
  let node: unknown = record;
  let rest = path;
  for (;;) {
    if (node === undefined || node === null) return null;
    if (!isPlainObject(node)) return IRREGULAR;
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    if (Object.hasOwn(node, rest)) return IRREGULAR;
    node = Object.hasOwn(node, rest.slice(0, dot)) ? node[rest.slice(0, dot)] : undefined;
    rest = rest.slice(dot + 1);
  }
  const leaf = Object.hasOwn(node, rest) ? node[rest] : undefined;
  if (leaf === undefined || leaf === null) return null;
  return typeof leaf === 'string' ? leaf : IRREGULAR;
}

/**
 * The light fields of an event, or null when its record's shape is not the plain one the light
 * record reproduces (hostile or unusual records: rules then get the full record instead). The
 * fields the columns already hold (API, source IP, identity type) must be the raw values too.
 */
export function lightFieldsOf(e: NormalizedEvent): LightFields | null {
  const raw = e.raw;
  const same = (path: string, column: string | null) => {
    const v = plainStringAt(raw, path);
    return v !== IRREGULAR && v === column;
  };
  if (!same('eventSource', e.eventSource) || !same('eventName', e.eventName)) return null;
  if (!same('sourceIPAddress', e.sourceIPAddress) || !same('userIdentity.type', e.identityType)) return null;
  const userAgent = plainStringAt(raw, 'userAgent');
  const userArn = plainStringAt(raw, 'userIdentity.arn');
  const sessionIssuerType = plainStringAt(raw, 'userIdentity.sessionContext.sessionIssuer.type');
  if (userAgent === IRREGULAR || userArn === IRREGULAR || sessionIssuerType === IRREGULAR) return null;
  return { userAgent, userArn, sessionIssuerType };
}

/** The partial raw record of a light event: LIGHT_RAW_FIELDS, absent ones left out. */
export function lightRecord(
  cols: { eventSource: string; eventName: string; sourceIPAddress: string | null; identityType: string | null },
  light: LightFields,
): Record<string, unknown> {
  const record: Record<string, unknown> = { eventSource: cols.eventSource, eventName: cols.eventName };
  if (cols.sourceIPAddress !== null) record.sourceIPAddress = cols.sourceIPAddress;
  if (light.userAgent !== null) record.userAgent = light.userAgent;
  if (cols.identityType !== null || light.userArn !== null || light.sessionIssuerType !== null) {
    const identity: Record<string, unknown> = {};
    if (cols.identityType !== null) identity.type = cols.identityType;
    if (light.userArn !== null) identity.arn = light.userArn;
    if (light.sessionIssuerType !== null) identity.sessionContext = { sessionIssuer: { type: light.sessionIssuerType } };
    record.userIdentity = identity;
  }
  return record;
}
