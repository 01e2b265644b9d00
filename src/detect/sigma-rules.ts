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
 * Every rule the event engine runs by default: the built-in rules and all 57 shipped Sigma rules,
 * plus `extra` ones. An extra rule with a shipped rule's id replaces it: pointing --sigma-dir at a
 * newer SigmaHQ checkout updates those rules instead of failing on the duplicate. The three that
 * may match any call read only fields a light event carries (no record decode) and report once
 * per actor session and day (sigma-adapter.ts).
 */
export function defaultEventRules(extra: readonly EventRule[] = []): EventRule[] {
  const replaced = new Set(extra.map((r) => r.id));
  const shippedOn = shippedSigmaEventRules().filter((r) => !replaced.has(r.id));
  return [...builtinEventRules, ...shippedOn, ...extra];
}
