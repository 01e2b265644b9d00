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

/**
 * Shipped rules that do not run unless a --sigma-dir holds them: each may match any API call.
 * One matches most calls and would bury every other finding (73 % of the benchmark's events
 * became detections); the others need every event's full record decoded, which cost the import
 * a third of its throughput. Every other shipped rule names the APIs it looks at.
 */
export const SIGMA_RULES_OFF_BY_DEFAULT: Readonly<Record<string, string>> = {
  'sigma:905d389b-b853-46d0-9d3d-dea0d3a3cd49': 'AWS STS AssumeRole Misuse matches every call made from a role session',
  'sigma:a840e606-7c8c-4684-9bc1-eb6b6155127f': 'PUA - AWS TruffleHog Execution reads the user agent of every call',
  'sigma:352a918a-34d8-4882-8470-44830c507aa3': 'Malicious Usage Of IMDS Credentials Outside Of AWS Infrastructure reads the session ARN of every call',
};

let shipped: readonly EventRule[] | undefined;

/** The shipped SigmaHQ rules as event rules (`sigma:<id>`), built once per process; all of them, off-by-default ones included. */
export function shippedSigmaEventRules(): readonly EventRule[] {
  shipped ??= shippedSigmaRules().rules.map(sigmaEventRule);
  return shipped;
}

/**
 * Every rule the event engine runs by default: the built-in rules and the shipped Sigma rules
 * (less those off by default), plus `extra` ones. An extra rule with a shipped rule's id replaces
 * it: pointing --sigma-dir at a newer SigmaHQ checkout updates those rules instead of failing on
 * the duplicate, and pointing it at data/sigma/rules turns the off-by-default ones on.
 */
export function defaultEventRules(extra: readonly EventRule[] = []): EventRule[] {
  const replaced = new Set(extra.map((r) => r.id));
  const shippedOn = shippedSigmaEventRules().filter((r) => !replaced.has(r.id) && !Object.hasOwn(SIGMA_RULES_OFF_BY_DEFAULT, r.id));
  return [...builtinEventRules, ...shippedOn, ...extra];
}
