/**
 * Static evaluation of date and time conditions against the analysis instant (`--as-of`).
 *
 * aws:CurrentTime and aws:EpochTime are the analysis instant itself. aws:TokenIssueTime is not
 * known, but bounded: a session in use at the analysis instant was issued at most
 * TOKEN_MAX_LIFETIME_MS before it (36 hours, the longest session IAM federation hands out:
 * GetFederationToken and GetSessionToken for IAM users), and not after it. A condition entry is
 * then `always` true, `never` true, or `unknown` (it depends on where in that range the token
 * was issued, or on whether the key is in the request at all).
 */

export type TimeVerdict = 'always' | 'never' | 'unknown';

/** The longest a temporary credential can live (GetFederationToken / GetSessionToken: 36 hours). */
export const TOKEN_MAX_LIFETIME_MS = 36 * 3_600_000;

const TIME_KEYS = new Set(['aws:currenttime', 'aws:epochtime', 'aws:tokenissuetime']);

export function isTimeKey(key: string): boolean {
  return TIME_KEYS.has(key.toLowerCase());
}

type Relation = 'lt' | 'lte' | 'gt' | 'gte' | 'eq' | 'ne';

const RELATIONS: Record<string, Relation> = {
  lessthan: 'lt',
  lessthanequals: 'lte',
  greaterthan: 'gt',
  greaterthanequals: 'gte',
  equals: 'eq',
  notequals: 'ne',
};

interface ParsedOperator {
  family: 'date' | 'numeric';
  relation: Relation;
  ifExists: boolean;
}

function parseOperator(op: string): ParsedOperator | null {
  // ForAnyValue:/ForAllValues: set operators make no sense on these single-valued keys: leave them undecided
  if (op.includes(':')) return null;
  let o = op.toLowerCase();
  const ifExists = o.endsWith('ifexists');
  if (ifExists) o = o.slice(0, -'ifexists'.length);
  const family = o.startsWith('date') ? 'date' : o.startsWith('numeric') ? 'numeric' : null;
  if (!family) return null;
  const relation = RELATIONS[o.slice(family.length)];
  return relation ? { family, relation, ifExists } : null;
}

/** Milliseconds since the epoch of a condition value; Date operators take ISO 8601 or epoch seconds. */
function valueMs(value: unknown, family: 'date' | 'numeric'): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
  if (text === null || text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (family === 'numeric') return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** Whether rel(x, v) holds for every, no, or some x in [lo, hi]. */
function compare(relation: Relation, lo: number, hi: number, v: number): TimeVerdict {
  switch (relation) {
    case 'lt':
      return hi < v ? 'always' : lo >= v ? 'never' : 'unknown';
    case 'lte':
      return hi <= v ? 'always' : lo > v ? 'never' : 'unknown';
    case 'gt':
      return lo > v ? 'always' : hi <= v ? 'never' : 'unknown';
    case 'gte':
      return lo >= v ? 'always' : hi < v ? 'never' : 'unknown';
    case 'eq':
      return lo === v && hi === v ? 'always' : v < lo || v > hi ? 'never' : 'unknown';
    case 'ne':
      return negate(compare('eq', lo, hi, v));
  }
}

function negate(v: TimeVerdict): TimeVerdict {
  return v === 'always' ? 'never' : v === 'never' ? 'always' : 'unknown';
}

/** Several values: any of them (positive operators), none of them (NotEquals). */
function anyOf(verdicts: TimeVerdict[]): TimeVerdict {
  if (verdicts.includes('always')) return 'always';
  return verdicts.length > 0 && verdicts.every((v) => v === 'never') ? 'never' : 'unknown';
}

function allOf(verdicts: TimeVerdict[]): TimeVerdict {
  if (verdicts.includes('never')) return 'never';
  return verdicts.every((v) => v === 'always') ? 'always' : 'unknown';
}

/**
 * One condition entry (operator, time key, values) at the analysis instant, for a principal of
 * `principalKind` ('user' | 'role' | 'root'). Roles always act with temporary credentials, so
 * aws:TokenIssueTime is in their requests; users and the root may use long-term access keys,
 * whose requests lack it.
 */
export function timeConditionVerdict(operator: string, key: string, values: unknown, asOfMs: number, principalKind: string): TimeVerdict {
  const op = parseOperator(operator);
  const k = key.toLowerCase();
  if (!op || !TIME_KEYS.has(k) || Number.isNaN(asOfMs)) return 'unknown';
  if (op.family === 'numeric' && k !== 'aws:epochtime') return 'unknown';
  const list = Array.isArray(values) ? values : [values];
  const parsed = list.map((v) => valueMs(v, op.family));
  if (parsed.some((v) => v === null)) return 'unknown';
  const token = k === 'aws:tokenissuetime';
  // aws:EpochTime is whole seconds: compare at that resolution
  const now = k === 'aws:epochtime' ? Math.floor(asOfMs / 1000) * 1000 : asOfMs;
  const lo = token ? asOfMs - TOKEN_MAX_LIFETIME_MS : now;
  const hi = now;
  const per = (parsed as number[]).map((v) => compare(op.relation, lo, hi, v));
  const present = op.relation === 'ne' ? allOf(per) : anyOf(per);
  const mayBeAbsent = token && principalKind !== 'role';
  if (!mayBeAbsent) return present;
  // an absent key satisfies IfExists and negated operators, and fails the others
  const absent: TimeVerdict = op.ifExists || op.relation === 'ne' ? 'always' : 'never';
  return present === absent ? present : 'unknown';
}
