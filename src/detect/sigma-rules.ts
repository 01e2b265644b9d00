/**
 * Sigma rules as event rules: the SigmaHQ CloudTrail rules shipped with trailscope (always on,
 * compiled on first use) and those of `--sigma-dir` directories.
 */
import { sigmaEventRule } from './sigma-adapter.js';
import { loadSigmaRules } from './sigma/index.js';
import { shippedSigmaRules } from './sigma/shipped.js';
import { builtinEventRules } from './rules/index.js';
import type { EventRule } from './types.js';

export async function loadSigmaEventRules(dirs: readonly string[]): Promise<{ rules: EventRule[]; problems: { file: string; message: string }[] }> {
  if (dirs.length === 0) return { rules: [], problems: [] };
  const { rules, problems } = loadSigmaRules([...dirs]);
  return { rules: rules.map(sigmaEventRule), problems };
}

let shipped: readonly EventRule[] | undefined;

/** The shipped SigmaHQ rules as event rules (`sigma:<id>`), built once per process. */
export function shippedSigmaEventRules(): readonly EventRule[] {
  shipped ??= shippedSigmaRules().rules.map(sigmaEventRule);
  return shipped;
}

/**
 * Shipped rules that stay off unless a --sigma-dir brings them: SigmaHQ's "AWS STS AssumeRole
 * Misuse" matches every call made with a role session (its detection is only
 * `userIdentity.type: AssumedRole` and `sessionIssuer.type: Role`): on by default it fired on 106
 * of Panther's 131 benign events that fired at all, for a hunting query rather than a detection.
 * (Not for its cost any more: the benchmark measures import with it on.)
 */
export const SIGMA_RULES_OFF_BY_DEFAULT: ReadonlySet<string> = new Set(['sigma:905d389b-b853-46d0-9d3d-dea0d3a3cd49']);

/**
 * Every rule the event engine runs by default: the built-in rules and the shipped Sigma rules
 * (all 57 but SIGMA_RULES_OFF_BY_DEFAULT), plus `extra` ones. An extra rule with a shipped rule's
 * id replaces it: pointing --sigma-dir at a newer SigmaHQ checkout (or at data/sigma/rules)
 * updates those rules, and turns on the ones off by default, instead of failing on the duplicate.
 * The rules that may match any call read only fields a light event carries (no record decode)
 * and report once per actor session and day (sigma-adapter.ts).
 */
export function defaultEventRules(extra: readonly EventRule[] = []): EventRule[] {
  const replaced = new Set(extra.map((r) => r.id));
  const shippedOn = shippedSigmaEventRules().filter((r) => !replaced.has(r.id) && !SIGMA_RULES_OFF_BY_DEFAULT.has(r.id));
  return [...builtinEventRules, ...shippedOn, ...extra];
}
