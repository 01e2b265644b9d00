/**
 * SigmaHQ ships no test events for its CloudTrail rules, so tests derive them from each rule:
 * a positive record built from the selections its condition needs (negated parts left out),
 * and a negative one with the call (or, for rules about any call, every derived field) changed.
 */
import { parse } from 'yaml';
import { parseCondition, type Condition } from './condition.js';
import { record } from '../rules/rule.test-helpers.js';

type Detection = Record<string, unknown>;

export interface RuleExamples {
  positive: Record<string, unknown>;
  negative: Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** A sample of a regular expression of the simple shapes Sigma's CloudTrail rules use. */
function sampleOfRegex(source: string): string {
  return source.replace(/^\^|\$$/g, '').replace(/\.\+|\.\*/g, 'x').replace(/\\(.)/g, '$1');
}

/** A value the field's modifiers accept; null: the field must stay absent. */
function sample(modifiers: string[], value: unknown): unknown {
  const items = Array.isArray(value) ? value : [value];
  const first = items[0];
  if (first === null) return null;
  if (modifiers.includes('exists')) return first ? 'present' : null;
  if (typeof first !== 'string') return first;
  const plain = (s: string) => s.replace(/(?<!\\)[*?]/g, 'x').replace(/\\([*?\\])/g, '$1');
  if (modifiers.includes('re')) return sampleOfRegex(first);
  if (modifiers.includes('cidr')) return first.split('/')[0];
  const texts = modifiers.includes('all') ? items.map((i) => plain(String(i))) : [plain(first)];
  if (modifiers.includes('contains')) return `pre-${texts.join('-')}-post`;
  if (modifiers.includes('startswith')) return `${texts[0]}Suffix`;
  if (modifiers.includes('endswith')) return `Prefix${texts[0]}`;
  return texts[0];
}

function satisfy(c: Condition, detection: Detection, out: Record<string, unknown>, set: string[]): void {
  switch (c.kind) {
    case 'ref': {
      const body = detection[c.name];
      const map = (Array.isArray(body) ? body[0] : body) as Record<string, unknown>;
      for (const [key, value] of Object.entries(map)) {
        const [path = '', ...mods] = key.split('|');
        const v = sample(mods, value);
        if (v === null) continue;
        setPath(out, path, v);
        set.push(path);
      }
      return;
    }
    case 'and':
      for (const item of c.items) satisfy(item, detection, out, set);
      return;
    case 'or':
      satisfy(c.items[0]!, detection, out, set);
      return;
    case 'not':
      return;
  }
}

export function examplesFor(yamlText: string): RuleExamples {
  const doc = parse(yamlText) as { detection: Detection };
  const detection = doc.detection;
  const names = Object.keys(detection).filter((k) => k !== 'condition');
  const condition = parseCondition(String(detection.condition), names);
  const positive = structuredClone(record({ eventSource: 'iam.amazonaws.com', eventName: 'ListUsers' }));
  const set: string[] = [];
  satisfy(condition, detection, positive, set);
  const negative = structuredClone(positive);
  if (set.includes('eventName')) negative.eventName = 'TrailscopeUnrelatedCall';
  else for (const path of set) setPath(negative, path, 'trailscope-unrelated');
  return { positive, negative };
}
