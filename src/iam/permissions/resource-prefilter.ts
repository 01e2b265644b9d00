import { hasBit } from './actions.js';
import type { CompiledStatement, PolicySet } from './compiled.js';

/**
 * A cheap answer before the simulator: can any identity-policy Allow statement naming the action
 * match the resource at all? When none can, the request is denied (implicitly, or explicitly by
 * a Deny) whatever the boundary, SCPs and conditions say, and no simulation is needed. This is
 * the common case of the privilege-escalation graph asking "may A create keys for user B?" for
 * every pair of users: self-service policies (`user/${aws:username}`) and scoped grants answer
 * "no" for almost every B.
 *
 * Over-approximates on purpose: NotResource, and policy variables other than aws:username (or
 * aws:username for a non-user), match anything; ARNs are compared case-insensitively. A "may
 * match" only means the simulator decides, as before.
 */
export function noAllowCanMatch(set: PolicySet, actionIndex: number, resource: string, userName: string | null): boolean {
  for (const policy of set.identity) {
    for (const st of policy.statements) {
      if (st.effect !== 'Allow' || !hasBit(st.actions, actionIndex)) continue;
      if (mayMatch(st, resource, userName)) return false;
    }
  }
  return true;
}

const patternCache = new WeakMap<CompiledStatement, Map<string, RegExp[] | null>>();

function mayMatch(st: CompiledStatement, resource: string, userName: string | null): boolean {
  let byUser = patternCache.get(st);
  if (!byUser) patternCache.set(st, (byUser = new Map()));
  const key = userName ?? '';
  let patterns = byUser.get(key);
  if (patterns === undefined) {
    patterns = compile(st, userName);
    byUser.set(key, patterns);
  }
  return patterns === null || patterns.some((p) => p.test(resource));
}

/** The statement's Resource patterns as regular expressions; null when it may match anything. */
function compile(st: CompiledStatement, userName: string | null): RegExp[] | null {
  const s = st.statement;
  if (s.NotResource !== undefined || s.Resource === undefined) return null;
  const list = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
  const out: RegExp[] = [];
  for (const pattern of list) {
    if (typeof pattern !== 'string') return null;
    out.push(toRegExp(pattern, userName));
  }
  return out;
}

function toRegExp(pattern: string, userName: string | null): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('${', i)) {
      const end = pattern.indexOf('}', i);
      if (end === -1) {
        re += escape(pattern.slice(i));
        break;
      }
      const variable = pattern.slice(i + 2, end).toLowerCase();
      re += variable === 'aws:username' && userName !== null ? escape(userName) : '.*';
      i = end + 1;
      continue;
    }
    const c = pattern[i]!;
    re += c === '*' ? '.*' : c === '?' ? '.' : escape(c);
    i++;
  }
  return new RegExp(`^${re}$`, 'is');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
