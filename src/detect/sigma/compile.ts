/**
 * One Sigma rule document (already parsed from YAML) compiled into a matcher over the raw
 * CloudTrail record, with a prefilter on (eventSource, eventName, userIdentity.type) derived from
 * the detection so the engine skips the rule for every other API without looking at the record.
 */
import { LIGHT_RAW_FIELDS } from '../../model/index.js';
import type { CompiledSigmaRuleShape } from '../sigma-adapter.js';
import { evaluate, parseCondition, type Condition } from './condition.js';
import { fieldTest, SigmaUnsupported, textTest, valuesAt, type FieldTest } from './values.js';

/** Not a problem with the rule: it is written for another log source (windows, azure, ...). */
export class SigmaOtherLogsource extends Error {}

export type CompiledSigmaRule = CompiledSigmaRuleShape;

interface FieldSpec {
  path: string;
  /** Every path the test reads: the field, and the other fields a |fieldref compares it with. */
  reads: string[];
  test: FieldTest;
  /** Decidable from the API and identity type alone (no null/exists/fieldref semantics). */
  columnSafe: boolean;
}

/** A search identifier: any one of its field maps (each: every field matches), or keywords. */
type Selection = { kind: 'fields'; alternatives: FieldSpec[][] } | { kind: 'keywords'; test: FieldTest };

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** The record's fields the engine knows before decoding it. */
const COLUMN_FIELDS = new Set(['eventSource', 'eventName', 'userIdentity.type']);

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new SigmaUnsupported(`${what} must be a list of strings`);
  return v as string[];
}

function text(v: unknown, what: string, required = false): string {
  if (v === undefined || v === null) {
    if (required) throw new SigmaUnsupported(`no ${what}`);
    return '';
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new SigmaUnsupported(`${what} must be text`);
  return String(v);
}

function fieldMap(map: Record<string, unknown>): FieldSpec[] {
  return Object.entries(map).map(([key, value]) => {
    const [path = '', ...modifiers] = key.split('|');
    if (path === '') throw new SigmaUnsupported(`"${key}": keyword searches with modifiers are not supported`);
    const values = Array.isArray(value) ? value : [value];
    const columnSafe = COLUMN_FIELDS.has(path) && !modifiers.some((m) => m === 'exists' || m === 'fieldref') && !values.includes(null);
    const reads = modifiers.includes('fieldref') ? [path, ...values.map(String)] : [path];
    return { path, reads, test: fieldTest(path, modifiers, value), columnSafe };
  });
}

function selection(name: string, body: unknown): Selection {
  if (isMap(body)) return { kind: 'fields', alternatives: [fieldMap(body)] };
  const items = Array.isArray(body) ? body : [body];
  if (items.length > 0 && items.every(isMap)) return { kind: 'fields', alternatives: items.map((m) => fieldMap(m)) };
  if (items.length > 0 && items.every((i) => typeof i === 'string' || typeof i === 'number')) {
    // Keywords search the whole record; its JSON text stands for the log line.
    const tests = items.map((k) => textTest('contains', String(k)));
    return { kind: 'keywords', test: (values, record) => tests.some((t) => t([record], record)) };
  }
  throw new SigmaUnsupported(`search identifier "${name}" must be a map of fields, a list of maps, or a list of keywords`);
}

function matchesSelection(s: Selection, record: Record<string, unknown>): boolean {
  if (s.kind === 'keywords') return s.test([], record);
  return s.alternatives.some((fields) => fields.every((f) => f.test(valuesAt(record, f.path), record)));
}

type ColumnTest = (view: Record<string, unknown>, identityKnown: boolean) => boolean;

/**
 * A condition every matching record satisfies, on the columns alone (null: none, every event is
 * a candidate). `not X` and unknown fields give no constraint, so the test never drops a match.
 */
function columnTest(c: Condition, selections: Map<string, Selection>): ColumnTest | null {
  switch (c.kind) {
    case 'ref': {
      const s = selections.get(c.name)!;
      if (s.kind === 'keywords') return null;
      const alternatives = s.alternatives.map((fields) => fields.filter((f) => f.columnSafe));
      if (alternatives.some((fields) => fields.length === 0)) return null;
      return (view, identityKnown) =>
        alternatives.some((fields) => fields.every((f) => (f.path === 'userIdentity.type' && !identityKnown) || f.test(valuesAt(view, f.path), view)));
    }
    case 'and': {
      const parts = c.items.map((i) => columnTest(i, selections)).filter((t): t is ColumnTest => t !== null);
      return parts.length === 0 ? null : (view, known) => parts.every((t) => t(view, known));
    }
    case 'or': {
      const parts = c.items.map((i) => columnTest(i, selections));
      if (parts.some((t) => t === null)) return null;
      return (view, known) => parts.some((t) => t!(view, known));
    }
    case 'not':
      return null;
  }
}

type ViewTest = (view: Record<string, unknown>) => boolean;

/**
 * As columnTest, on LIGHT_RAW_FIELDS: a condition every matching record satisfies, read from the
 * light fields alone (null: none), with the fields it reads. A light field absent or null reads
 * the same to every test (no value, or a null one), so a view that leaves those out is exact.
 */
function lightTest(c: Condition, selections: Map<string, Selection>): { test: ViewTest; fields: string[] } | null {
  switch (c.kind) {
    case 'ref': {
      const s = selections.get(c.name)!;
      if (s.kind === 'keywords') return null;
      const alternatives = s.alternatives.map((fields) => fields.filter((f) => f.reads.every((r) => LIGHT_RAW_FIELDS.includes(r))));
      if (alternatives.some((fields) => fields.length === 0)) return null;
      return {
        test: (view) => alternatives.some((fields) => fields.every((f) => f.test(valuesAt(view, f.path), view))),
        fields: [...new Set(alternatives.flat().flatMap((f) => f.reads))],
      };
    }
    case 'and': {
      const parts = c.items.map((i) => lightTest(i, selections)).filter((t) => t !== null);
      if (parts.length === 0) return null;
      return { test: (view) => parts.every((t) => t.test(view)), fields: [...new Set(parts.flatMap((t) => t.fields))] };
    }
    case 'or': {
      const parts = c.items.map((i) => lightTest(i, selections));
      if (parts.some((t) => t === null)) return null;
      return { test: (view) => parts.some((t) => t!.test(view)), fields: [...new Set(parts.flatMap((t) => t!.fields))] };
    }
    case 'not':
      return null;
  }
}

/** Compiles one parsed rule document; throws SigmaUnsupported (reported) or SigmaOtherLogsource. */
export function compileSigmaDocument(doc: unknown, file: string): CompiledSigmaRule {
  if (!isMap(doc)) throw new SigmaUnsupported('not a Sigma rule (a YAML map with title, id, logsource, detection)');
  const logsource = isMap(doc.logsource) ? doc.logsource : {};
  const product = String(logsource.product ?? '').toLowerCase();
  const service = String(logsource.service ?? '').toLowerCase();
  if (product !== 'aws' || service !== 'cloudtrail') throw new SigmaOtherLogsource(`logsource ${product || '-'}/${service || '-'}`);
  if (doc.correlation !== undefined || doc.action !== undefined) throw new SigmaUnsupported('correlation and meta rules (correlation, action) are not supported');
  const id = text(doc.id, 'id', true);
  if (!ID.test(id)) throw new SigmaUnsupported(`id "${id.slice(0, 60)}" is not a Sigma rule id (letters, digits, ".", "_", "-")`);
  const level = text(doc.level, 'level', true).toLowerCase();
  if (!LEVELS.includes(level)) throw new SigmaUnsupported(`level "${level}" is not one of ${LEVELS.join(', ')}`);
  const detection = doc.detection;
  if (!isMap(detection)) throw new SigmaUnsupported('no detection');
  if (detection.timeframe !== undefined) throw new SigmaUnsupported('timeframe: correlating events over time is not supported');

  const selections = new Map<string, Selection>();
  for (const [name, body] of Object.entries(detection)) {
    if (name === 'condition') continue;
    selections.set(name, selection(name, body));
  }
  const rawConditions = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  if (rawConditions.length === 0 || !rawConditions.every((c) => typeof c === 'string')) throw new SigmaUnsupported('detection.condition must be text');
  const names = [...selections.keys()];
  const parsed = (rawConditions as string[]).map((c) => parseCondition(c, names));
  // Several conditions are alternatives (older Sigma).
  const condition: Condition = parsed.length === 1 ? parsed[0]! : { kind: 'or', items: parsed };

  const prefilterTest = columnTest(condition, selections);
  // Worth a screen only beyond what the prefilter already decides from the columns.
  const screen = lightTest(condition, selections);
  const screenWorthIt = screen !== null && screen.fields.some((f) => !COLUMN_FIELDS.has(f));
  const reads = [...selections.values()].some((s) => s.kind === 'keywords')
    ? ('record' as const)
    : [...new Set([...selections.values()].flatMap((s) => (s.kind === 'fields' ? s.alternatives.flat().flatMap((f) => f.reads) : [])))];
  return {
    id,
    title: text(doc.title, 'title', true),
    level,
    description: text(doc.description, 'description').trim(),
    author: text(doc.author, 'author'),
    references: strings(doc.references, 'references'),
    tags: strings(doc.tags, 'tags'),
    status: text(doc.status, 'status'),
    file,
    reads,
    matches(record) {
      return evaluate(condition, (name) => matchesSelection(selections.get(name)!, record));
    },
    ...(screenWorthIt ? { screen: { fields: screen.fields, test: screen.test } } : {}),
    ...(prefilterTest
      ? {
          prefilter: {
            api: (eventSource: string, eventName: string, identityType: string | null = null) =>
              prefilterTest({ eventSource, eventName, userIdentity: { type: identityType } }, identityType !== null),
          },
        }
      : {}),
  };
}
