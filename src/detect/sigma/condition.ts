/**
 * Sigma's condition grammar: search identifiers joined by `and`, `or`, `not` (binding tighter
 * than `and`, which binds tighter than `or`), parentheses, and `1 of X` / `all of X` where X is
 * an identifier, a pattern with `*`, or `them` (every identifier not starting with `_`).
 * Aggregations after `|` (count, near) correlate events and are reported as unsupported.
 */
import { SigmaUnsupported } from './values.js';

export type Condition =
  | { kind: 'ref'; name: string }
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition };

/** Parses one condition over the detection's search identifiers; throws SigmaUnsupported on what it cannot read. */
export function parseCondition(text: string, identifiers: readonly string[]): Condition {
  if (/\|/.test(text)) throw new SigmaUnsupported(`condition "${text}": aggregations and correlations after "|" (count, near, ...) need more than one event`);
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  if (tokens.length === 0) throw new SigmaUnsupported('empty condition');
  let pos = 0;
  const peek = () => tokens[pos]?.toLowerCase();
  const fail = (why: string): never => {
    throw new SigmaUnsupported(`condition "${text}": ${why}`);
  };

  const orExpr = (): Condition => {
    const items = [andExpr()];
    while (peek() === 'or') {
      pos++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const andExpr = (): Condition => {
    const items = [notExpr()];
    while (peek() === 'and') {
      pos++;
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const notExpr = (): Condition => {
    if (peek() === 'not') {
      pos++;
      return { kind: 'not', item: notExpr() };
    }
    return primary();
  };
  const primary = (): Condition => {
    const t = tokens[pos];
    if (t === undefined) return fail('ends too early');
    const lower = t.toLowerCase();
    if (t === '(') {
      pos++;
      const inner = orExpr();
      if (tokens[pos] !== ')') fail('a "(" is not closed');
      pos++;
      return inner;
    }
    if ((lower === '1' || lower === 'all' || lower === 'any') && tokens[pos + 1]?.toLowerCase() === 'of') {
      pos += 2;
      const target = tokens[pos++];
      if (target === undefined || target === '(' || target === ')') return fail(`"${t} of" needs an identifier, a pattern or "them"`);
      const names = target.toLowerCase() === 'them' ? identifiers.filter((n) => !n.startsWith('_')) : identifiers.filter(matcherFor(target));
      if (names.length === 0) fail(`"${target}" names no search identifier of the detection`);
      const items = names.map((name): Condition => ({ kind: 'ref', name }));
      return items.length === 1 ? items[0]! : { kind: lower === 'all' ? 'and' : 'or', items };
    }
    if (/^\d+$/.test(lower) && tokens[pos + 1]?.toLowerCase() === 'of') fail(`"${t} of" (only "1 of" and "all of" are Sigma)`);
    if (['and', 'or', 'not', 'of', ')'].includes(lower)) fail(`unexpected "${t}"`);
    if (!identifiers.includes(t)) fail(`"${t}" is not a search identifier of the detection`);
    pos++;
    return { kind: 'ref', name: t };
  };

  const tree = orExpr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]}"`);
  return tree;
}

function matcherFor(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (name) => re.test(name);
}

/** Evaluates a condition given how each identifier evaluates (left to right, short-circuit). */
export function evaluate(c: Condition, ref: (name: string) => boolean): boolean {
  switch (c.kind) {
    case 'ref':
      return ref(c.name);
    case 'and':
      return c.items.every((i) => evaluate(i, ref));
    case 'or':
      return c.items.some((i) => evaluate(i, ref));
    case 'not':
      return !evaluate(c.item, ref);
  }
}
