/**
 * CloudFormation's short-form intrinsics (`!Ref`, `!Sub`, `!GetAtt`, `!If`...) as YAML custom
 * tags, for writing templates and for reading them back in the structural checks.
 */
import { Document, isNode, parseDocument, visit, YAMLSeq, type CollectionTag, type ScalarTag } from 'yaml';
import { stringifyString } from 'yaml/util';

/** The intrinsic functions the onboarding templates use. */
export type IntrinsicName = 'Ref' | 'Sub' | 'GetAtt' | 'If' | 'Equals' | 'Not' | 'And' | 'Or' | 'Condition' | 'Join' | 'Select' | 'Split';

/** One intrinsic call: `!Ref X` is `new Intrinsic('Ref', 'X')`, `!GetAtt A.B` has args `['A', 'B']`. */
export class Intrinsic {
  constructor(
    readonly fn: IntrinsicName,
    readonly args: unknown,
  ) {}
}

export const ref = (name: string) => new Intrinsic('Ref', name);
/** `!Sub template`, or the plain string when it names no variable (a `!Sub` would be noise). */
export const sub = (template: string): Intrinsic | string => (/\$\{(?!!)/.test(template) ? new Intrinsic('Sub', template) : template.replace(/\$\{!/g, '${'));
export const getAtt = (resource: string, attribute: string) => new Intrinsic('GetAtt', [resource, attribute]);
export const ifCondition = (condition: string, whenTrue: unknown, whenFalse: unknown) => new Intrinsic('If', [condition, whenTrue, whenFalse]);
export const equals = (a: unknown, b: unknown) => new Intrinsic('Equals', [a, b]);
export const not = (condition: unknown) => new Intrinsic('Not', [condition]);
export const and = (...conditions: unknown[]) => new Intrinsic('And', conditions);
export const condition = (name: string) => new Intrinsic('Condition', name);
/** `!Ref AWS::NoValue`: the property or list item disappears when this is the chosen branch. */
export const noValue = () => ref('AWS::NoValue');

/** Escapes literal text for a `!Sub` template, where `${` would start a variable. */
export function subLiteral(text: string): string {
  return text.replace(/\$\{/g, '${!');
}

// Functions whose short form is a scalar (`!Ref X`, `!Sub 'a${B}'`, `!GetAtt A.B`, `!Condition C`).
const SCALAR_FORMS: IntrinsicName[] = ['Ref', 'Sub', 'GetAtt', 'Condition'];
// Functions whose short form is a sequence (`!If [c, a, b]`, `!Sub [template, {vars}]`...).
const SEQUENCE_FORMS: IntrinsicName[] = ['Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split'];

function scalarTag(fn: IntrinsicName): ScalarTag {
  return {
    tag: `!${fn}`,
    identify: (v) => v instanceof Intrinsic && v.fn === fn && (typeof v.args === 'string' || (fn === 'GetAtt' && Array.isArray(v.args))),
    resolve: (text) => {
      if (fn !== 'GetAtt') return new Intrinsic(fn, text);
      // `!GetAtt Resource.Attribute`: the attribute itself may contain dots (Endpoint.Address).
      const dot = text.indexOf('.');
      return new Intrinsic(fn, dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)]);
    },
    stringify: (item, ctx, onComment, onChompKeep) => {
      const call = item.value as Intrinsic;
      const text = Array.isArray(call.args) ? call.args.join('.') : String(call.args);
      return stringifyString({ value: text } as never, ctx, onComment, onChompKeep);
    },
  };
}

function sequenceTag(fn: IntrinsicName): CollectionTag {
  return {
    tag: `!${fn}`,
    collection: 'seq',
    // GetAtt is written as a scalar (`!GetAtt A.B`); the sequence form is read but never written.
    identify: (v) => v instanceof Intrinsic && v.fn === fn && Array.isArray(v.args) && fn !== 'GetAtt',
    createNode: (schema, value, ctx) => YAMLSeq.from(schema, (value as Intrinsic).args, ctx),
    resolve: (seq) => new Intrinsic(fn, seq.toJSON()),
  };
}

/** The custom tags for `yaml`'s `customTags` option, in both directions. */
export const cloudFormationTags: (ScalarTag | CollectionTag)[] = [...SCALAR_FORMS.map(scalarTag), ...SEQUENCE_FORMS.map(sequenceTag)];

/**
 * Writes a template object (with `Intrinsic` values) as YAML with short-form intrinsics.
 * CloudFormation reads YAML 1.1, where `on`, `yes`, `012` or `2010-09-09` are not strings: the
 * 1.1 schema makes the writer quote such strings.
 */
export function toCloudFormationYaml(template: unknown): string {
  // CloudFormation supports no anchors or aliases: repeated objects are written out each time.
  return new Document(template, { version: '1.1', customTags: cloudFormationTags, aliasDuplicateObjects: false }).toString({ lineWidth: 0 });
}

/**
 * Reads a template written with short-form intrinsics back into objects with `Intrinsic`
 * values, as YAML 1.1 like CloudFormation. Unknown tags, anchors and aliases, and YAML errors
 * throw: a template that CloudFormation would refuse or misread must not pass the checks.
 */
export function parseCloudFormationYaml(text: string): unknown {
  const doc = parseDocument(text, { version: '1.1', customTags: cloudFormationTags, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message.split('\n')[0]);
  visit(doc, {
    Alias: () => void problems.push('aliases are not supported by CloudFormation'),
    Node: (_key, node) => void (isNode(node) && node.anchor ? problems.push(`anchor &${node.anchor} is not supported by CloudFormation`) : undefined),
  });
  if (problems.length) throw new Error(`not a valid CloudFormation YAML template: ${problems.join('; ')}`);
  return doc.toJS();
}
