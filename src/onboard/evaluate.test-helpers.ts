/**
 * A template as CloudFormation would see it for given parameter values: conditions decided,
 * `!If` branches chosen, `!Ref AWS::NoValue` dropped, conditional resources removed. For the
 * tests, which compare the resulting statements one by one.
 */
import { Intrinsic } from './cfn-yaml.js';
import { subVariables, type ParsedTemplate } from './check.js';

const NO_VALUE = Symbol('no value');

export function instantiate(t: ParsedTemplate, values: Record<string, string> = {}): ParsedTemplate {
  const parameter = (name: string): string => {
    if (name in values) return values[name]!;
    const p = t.Parameters[name];
    if (!p) throw new Error(`no parameter ${name}`);
    if (p.Default === undefined) throw new Error(`parameter ${name} has no default; give a value`);
    return String(p.Default);
  };
  const scalar = (v: unknown): string => (v instanceof Intrinsic && v.fn === 'Ref' ? parameter(String(v.args)) : String(v));
  const decide = (expr: unknown): boolean => {
    if (!(expr instanceof Intrinsic)) throw new Error('a condition must be an intrinsic');
    const args = expr.args as unknown[];
    switch (expr.fn) {
      case 'Equals':
        return scalar(args[0]) === scalar(args[1]);
      case 'Not':
        return !decide(args[0]);
      case 'And':
        return args.every(decide);
      case 'Or':
        return args.some(decide);
      case 'Condition':
        return decide(t.Conditions[String(expr.args)]);
      default:
        throw new Error(`!${expr.fn} in a condition`);
    }
  };
  const decided = new Map(Object.keys(t.Conditions).map((name) => [name, decide(t.Conditions[name])]));
  const resolve = (v: unknown): unknown => {
    if (v instanceof Intrinsic) {
      if (v.fn === 'Ref' && v.args === 'AWS::NoValue') return NO_VALUE;
      if (v.fn === 'If') {
        const [name, whenTrue, whenFalse] = v.args as [string, unknown, unknown];
        return resolve(decided.get(name) ? whenTrue : whenFalse);
      }
      return new Intrinsic(v.fn, resolve(v.args));
    }
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]).filter(([, x]) => x !== NO_VALUE));
    }
    return v;
  };
  const kept = <T extends { Condition?: string }>(entries: Record<string, T>) =>
    Object.fromEntries(Object.entries(entries).filter(([, e]) => e.Condition === undefined || decided.get(e.Condition)).map(([k, e]) => [k, resolve(e) as T]));
  return { ...t, Resources: kept(t.Resources), Outputs: kept(t.Outputs) };
}

/** Intrinsics as their short-form text (`!Ref X`, `!GetAtt A.B`, `!Sub …`), for comparisons. */
export function shortForm(v: unknown): unknown {
  if (v instanceof Intrinsic) {
    if (v.fn === 'GetAtt') return `!GetAtt ${(v.args as string[]).join('.')}`;
    if (typeof v.args === 'string') return `!${v.fn} ${v.args}`;
    return { [`!${v.fn}`]: shortForm(v.args) };
  }
  if (Array.isArray(v)) return v.map(shortForm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shortForm(x)]));
  return v;
}

/** Sample values for pseudo parameters, for turning a policy into plain IAM JSON. */
export const SAMPLE_PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '111122223333',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'trailscope-sample',
};

const SAMPLE_ARN: Record<string, (name: string) => string> = {
  'AWS::IAM::Role': (n) => `arn:aws:iam::111122223333:role/${n}`,
  'AWS::SQS::Queue': (n) => `arn:aws:sqs:eu-west-1:111122223333:${n}`,
  'AWS::KMS::Key': () => 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  'AWS::CloudTrail::Trail': (n) => `arn:aws:cloudtrail:eu-west-1:111122223333:trail/${n}`,
  'AWS::SNS::Topic': (n) => `arn:aws:sns:eu-west-1:111122223333:${n}`,
  'AWS::S3::Bucket': (n) => `arn:aws:s3:::${n.toLowerCase()}`,
};

/**
 * A value with every intrinsic replaced by a plausible literal: parameters by `values` (or their
 * defaults), pseudo parameters by SAMPLE_PSEUDO, resources by sample ARNs. For IAM validators,
 * which know nothing of CloudFormation.
 */
export function withSampleValues(v: unknown, t: ParsedTemplate, values: Record<string, string> = {}): unknown {
  const lookup = (name: string): string => {
    if (name in values) return values[name]!;
    if (name in SAMPLE_PSEUDO) return SAMPLE_PSEUDO[name]!;
    const [resource = '', attribute] = name.split(/\.(.*)/s);
    const r = t.Resources[resource];
    if (r) {
      const arn = SAMPLE_ARN[r.Type]?.(resource);
      if (!arn) throw new Error(`no sample for ${name}`);
      // Queues and buckets are referenced by URL and name; topics, keys' ARNs and attributes by ARN.
      if (attribute === undefined && r.Type === 'AWS::S3::Bucket') return resource.toLowerCase();
      return arn;
    }
    const p = t.Parameters[name];
    if (p?.Default !== undefined) return String(p.Default);
    throw new Error(`no value for ${name}`);
  };
  if (v instanceof Intrinsic) {
    if (v.fn === 'Ref') return lookup(String(v.args));
    if (v.fn === 'GetAtt') return lookup((v.args as string[]).join('.'));
    if (v.fn === 'Sub' && typeof v.args === 'string') {
      let out = v.args;
      for (const name of subVariables(v.args)) out = out.replace(`\${${name}}`, lookup(name));
      return out.replace(/\$\{!/g, '${');
    }
    throw new Error(`no sample for !${v.fn}`);
  }
  if (Array.isArray(v)) return v.map((x) => withSampleValues(x, t, values));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withSampleValues(x, t, values)]));
  return v;
}
