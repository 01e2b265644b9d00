/**
 * Sigma field matching: a field path into the nested JSON record, and one value pattern with its
 * modifiers turned into a predicate over the values found there. Sigma compares strings without
 * regard to case and treats `*` / `?` as wildcards (`\*`, `\?`, `\\` escape them).
 */
import { cidrMatcher } from './cidr.js';

/** Raised for what this loader does not implement; the loader reports it with the rule's file. */
export class SigmaUnsupported extends Error {}

/** The values at a dotted path (`a.b.c`). Arrays along the way (and at the end) give each element. */
export function valuesAt(record: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(record, path, out);
  return out;
}

function collect(node: unknown, path: string, out: unknown[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, path, out);
    return;
  }
  if (path === '') {
    out.push(node);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  // A key that itself contains dots (rare in CloudTrail, common in flattened logs) wins.
  if (Object.hasOwn(obj, path)) {
    collectLeaf(obj[path], out);
    return;
  }
  const dot = path.indexOf('.');
  if (dot < 0) return;
  const head = path.slice(0, dot);
  if (Object.hasOwn(obj, head)) collect(obj[head], path.slice(dot + 1), out);
}

function collectLeaf(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const item of value) collectLeaf(item, out);
  else out.push(value);
}

/** How a field value reads as text: objects as their JSON (rules match inside requestParameters that way). */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Tests the values found at one field; `record` is there for `|fieldref`. */
export type FieldTest = (values: readonly unknown[], record: unknown) => boolean;

const STRING_OPS = ['contains', 'startswith', 'endswith'] as const;
type StringOp = (typeof STRING_OPS)[number] | 'equals';
const NUMBER_OPS = ['lt', 'lte', 'gt', 'gte'] as const;
const REGEX_FLAGS: Record<string, string> = { i: 'i', m: 'm', s: 's' };
/** Modifiers that change how the value list combines or how text compares, not what is compared. */
const SUPPORTED = new Set<string>(['contains', 'startswith', 'endswith', 'all', 're', 'cidr', 'exists', 'fieldref', 'cased', ...NUMBER_OPS, ...Object.keys(REGEX_FLAGS)]);

/**
 * One field's test from its modifiers and its value (a scalar or a list). A list matches when
 * any item does, or every item with `|all`.
 */
export function fieldTest(field: string, modifiers: readonly string[], value: unknown): FieldTest {
  for (const m of modifiers) {
    if (!SUPPORTED.has(m)) throw new SigmaUnsupported(`field "${field}": unsupported modifier |${m}`);
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new SigmaUnsupported(`field "${field}": empty value list`);
  const all = modifiers.includes('all');
  const tests = items.map((item) => itemTest(field, modifiers, item));
  if (tests.length === 1) return tests[0]!;
  return all ? (values, record) => tests.every((t) => t(values, record)) : (values, record) => tests.some((t) => t(values, record));
}

function itemTest(field: string, modifiers: readonly string[], item: unknown): FieldTest {
  const has = (m: string) => modifiers.includes(m);
  if (item !== null && typeof item === 'object') throw new SigmaUnsupported(`field "${field}": a value must be a string, number, boolean or null`);
  if (has('exists')) {
    if (typeof item !== 'boolean') throw new SigmaUnsupported(`field "${field}": |exists takes true or false`);
    return (values) => values.some((v) => v !== null && v !== undefined) === item;
  }
  if (item === null) return (values) => values.length === 0 || values.some((v) => v === null);
  const text = String(item);
  if (has('fieldref')) {
    return (values, record) => {
      const other = new Set(valuesAt(record, text).map(asText));
      return values.some((v) => {
        const t = asText(v);
        return t !== null && other.has(t);
      });
    };
  }
  if (has('re')) return regexTest(field, modifiers, text);
  if (has('cidr')) {
    const inRange = cidrMatcher(text);
    if (!inRange) throw new SigmaUnsupported(`field "${field}": not a CIDR range: "${text}"`);
    return (values) => values.some((v) => typeof v === 'string' && inRange(v));
  }
  const numberOp = NUMBER_OPS.find(has);
  if (numberOp) return numberTest(field, numberOp, item);
  const ops = STRING_OPS.filter(has);
  if (ops.length > 1) throw new SigmaUnsupported(`field "${field}": |${ops.join(' and |')} together`);
  return textTest(ops[0] ?? 'equals', text, has('cased'));
}

function regexTest(field: string, modifiers: readonly string[], source: string): FieldTest {
  const flags = modifiers.flatMap((m) => (REGEX_FLAGS[m] ? [REGEX_FLAGS[m]] : [])).join('');
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new SigmaUnsupported(`field "${field}": regular expression not supported by JavaScript: ${(err as Error).message}`);
  }
  const seen = new Map<string, boolean>();
  return (values) =>
    values.some((v) => {
      const t = asText(v);
      return t !== null && memoTest(re, seen, t);
    });
}

/**
 * A regular expression's verdict per text, remembered: fields such as userIdentity.arn repeat on
 * every call of a session, and an unanchored pattern that starts with `.+` costs time quadratic
 * in the text's length. Bounded, so hostile variety cannot grow it.
 */
function memoTest(re: RegExp, seen: Map<string, boolean>, text: string): boolean {
  let verdict = seen.get(text);
  if (verdict === undefined) {
    verdict = re.test(text);
    if (seen.size >= 4096) seen.clear();
    seen.set(text, verdict);
  }
  return verdict;
}

function numberTest(field: string, op: (typeof NUMBER_OPS)[number], item: unknown): FieldTest {
  const bound = Number(item);
  if (!Number.isFinite(bound)) throw new SigmaUnsupported(`field "${field}": |${op} needs a number`);
  const cmp = { lt: (n: number) => n < bound, lte: (n: number) => n <= bound, gt: (n: number) => n > bound, gte: (n: number) => n >= bound }[op];
  return (values) =>
    values.some((v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) && cmp(n);
    });
}

/** equals / contains / startswith / endswith, with Sigma wildcards; plain text takes a fast path. */
export function textTest(op: StringOp, pattern: string, cased = false): FieldTest {
  const wildcard = /(?<!\\)[*?]/.test(pattern.replace(/\\\\/g, ''));
  if (!wildcard) {
    const literal = unescape(pattern);
    const want = cased ? literal : literal.toLowerCase();
    const test = {
      equals: (t: string) => t === want,
      contains: (t: string) => t.includes(want),
      startswith: (t: string) => t.startsWith(want),
      endswith: (t: string) => t.endsWith(want),
    }[op];
    return (values) =>
      values.some((v) => {
        const t = asText(v);
        return t !== null && test(cased ? t : t.toLowerCase());
      });
  }
  const body = wildcardSource(pattern);
  const source = { equals: `^${body}$`, contains: body, startswith: `^${body}`, endswith: `${body}$` }[op];
  const re = new RegExp(source, cased ? 's' : 'is');
  return (values) =>
    values.some((v) => {
      const t = asText(v);
      return t !== null && re.test(t);
    });
}

/** Sigma's escapes: a backslash escapes `*`, `?` and itself; any other backslash is literal. */
function unescape(pattern: string): string {
  return pattern.replace(/\\([*?\\])/g, '$1');
}

function wildcardSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length && '*?\\'.includes(pattern[i + 1]!)) {
      out += escapeRegex(pattern[++i]!);
    } else if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += escapeRegex(c);
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
