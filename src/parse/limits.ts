/**
 * Limits on what one record may hold. CloudTrail content is attacker-influenced: a user agent or
 * request parameter can carry megabytes, and a hand-made record can nest thousands of levels deep,
 * which kills every recursive consumer downstream (JSON.stringify, structured clone, exports).
 * A record past a limit is rejected alone, with the limit in its reason; its file goes on.
 */
import type { JsonObject } from './fields.js';

/**
 * Deepest nesting of objects and arrays a record may have (the record itself is level 1).
 * Real CloudTrail records nest about 10 levels (requestParameters holding policy documents).
 */
export const MAX_RECORD_DEPTH = 64;

/**
 * Longest string a record may hold, in characters. CloudTrail caps a whole event at 256 KB, so no
 * single field of a genuine record is longer.
 */
export const MAX_STRING_CHARS = 256 * 1024;

/**
 * How far an eventTime may lie after the moment the record is read. CloudTrail delivers events
 * minutes after they happen; a day leaves room for skewed clocks, while a time years ahead (say
 * 9999) would pin "last used" dates and coverage to the future.
 */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/**
 * Consecutive rejected records after which a file is given up as failed. Ten million `{}` cost
 * minutes and gigabytes to reject one by one; a real CloudTrail file never has a thousand bad
 * records in a row, so such a file is damaged or not CloudTrail, and reading on only hides that.
 */
export const MAX_CONSECUTIVE_REJECTS = 1000;

/**
 * Why the record breaks a size or shape limit, or null. An explicit stack rather than recursion,
 * so that a record nested 100,000 deep is measured rather than overflowing the call stack.
 */
export function recordLimitViolation(record: JsonObject): string | null {
  return breaksLimits(record) ? describeViolation(record) : null;
}

/**
 * The hot path, run on every record: no object or path string per value, only the values and
 * their depths on two stacks (the walk with paths cost a twentieth of parsing).
 */
function breaksLimits(record: JsonObject): boolean {
  const values: unknown[] = [record];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value === 'string') {
      if (value.length > MAX_STRING_CHARS) return true;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_RECORD_DEPTH) return true;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        values.push(value[i]);
        depths.push(depth + 1);
      }
    } else {
      const object = value as JsonObject;
      // for...in: no array of keys per object. JSON.parse makes plain objects, and their
      // prototype's properties are not enumerable, so it visits exactly the own keys.
      for (const key in object) {
        values.push(object[key]);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** The same walk, with paths, for a record known to break a limit: says which field and why. */
function describeViolation(record: JsonObject): string | null {
  const stack: Node[] = [{ value: record, depth: 1, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value === 'string') {
      if (value.length > MAX_STRING_CHARS) {
        return `field ${pathOf(node)} holds ${value.length} characters, over the limit of ${MAX_STRING_CHARS} per string (CloudTrail caps a whole event at 256 KB)`;
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_RECORD_DEPTH) {
      return `the record nests deeper than ${MAX_RECORD_DEPTH} levels (at ${pathOf(node)}); CloudTrail records nest about 10`;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], depth: depth + 1, key: `[${i}]`, parent: node });
    } else {
      for (const key of Object.keys(value)) stack.push({ value: (value as JsonObject)[key], depth: depth + 1, key, parent: node });
    }
  }
  return null;
}

interface Node {
  value: unknown;
  depth: number;
  key: string;
  parent: Node | null;
}

function pathOf(node: Node): string {
  const keys: string[] = [];
  for (let n: Node | null = node; n && n.parent; n = n.parent) keys.push(n.key.startsWith('[') ? n.key : `.${n.key.slice(0, 40)}`);
  const path = keys.reverse().join('').replace(/^\./, '');
  if (!path) return '(record)';
  return path.length > 120 ? `${path.slice(0, 117)}...` : path;
}
