/**
 * Structural checks of a generated template, read back from its YAML: known resource types,
 * every reference resolvable, no dependency cycle, and IAM statements limited to named
 * resources. Also evaluates a template for given parameter values (conditions decided, `!If`
 * resolved) so tests can compare statements one by one.
 */
import { Intrinsic, parseCloudFormationYaml } from './cfn-yaml.js';

/** Every resource type the templates may use, with the `!GetAtt` attributes each has. */
export const KNOWN_RESOURCE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::Role': ['Arn', 'RoleId'],
  'AWS::IAM::ManagedPolicy': ['PolicyArn'],
  'AWS::S3::Bucket': ['Arn', 'DomainName', 'RegionalDomainName'],
  'AWS::S3::BucketPolicy': [],
  'AWS::KMS::Key': ['Arn', 'KeyId'],
  'AWS::KMS::Alias': [],
  'AWS::CloudTrail::Trail': ['Arn', 'SnsTopicArn'],
  'AWS::SQS::Queue': ['Arn', 'QueueName', 'QueueUrl'],
  'AWS::SQS::QueuePolicy': ['Id'],
  'AWS::SNS::Topic': ['TopicArn', 'TopicName'],
  'AWS::SNS::TopicPolicy': ['Id'],
  'AWS::SNS::Subscription': ['Arn'],
};

export const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::StackName', 'AWS::StackId', 'AWS::URLSuffix', 'AWS::NoValue'];

const TOP_LEVEL = ['AWSTemplateFormatVersion', 'Description', 'Parameters', 'Conditions', 'Resources', 'Outputs'];

export interface ParsedTemplate {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedPattern?: string; AllowedValues?: string[] }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; DependsOn?: string | string[]; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown; Condition?: string }>;
  [key: string]: unknown;
}

export function parseTemplate(yaml: string): ParsedTemplate {
  const raw = parseCloudFormationYaml(yaml) as Partial<ParsedTemplate>;
  return { ...raw, Parameters: raw.Parameters ?? {}, Conditions: raw.Conditions ?? {}, Resources: raw.Resources ?? {}, Outputs: raw.Outputs ?? {} };
}

/** Variables of a `!Sub` template: `${X}` and `${X.Attr}`, not the escaped `${!X}`. */
export function subVariables(template: string): string[] {
  return [...template.matchAll(/\$\{(?!!)([^}]*)\}/g)].map((m) => m[1]!);
}

type Visitor = (value: unknown, path: string) => void;

function walk(value: unknown, path: string, visit: Visitor): void {
  visit(value, path);
  if (value instanceof Intrinsic) walk(value.args, `${path}/!${value.fn}`, visit);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, visit);
}

/** The resources a value refers to, through `!Ref`, `!GetAtt` and `!Sub` variables. */
function referencedResources(value: unknown, resources: ParsedTemplate['Resources']): Set<string> {
  const found = new Set<string>();
  walk(value, '', (v) => {
    if (!(v instanceof Intrinsic)) return;
    const names =
      v.fn === 'Ref' ? [String(v.args)]
      : v.fn === 'GetAtt' ? [String((v.args as unknown[])[0])]
      : v.fn === 'Sub' ? subVariables(typeof v.args === 'string' ? v.args : String((v.args as unknown[])[0])).map((x) => x.split('.')[0]!)
      : [];
    for (const n of names) if (n in resources) found.add(n);
  });
  return found;
}

function checkReferences(t: ParsedTemplate, problems: string[]): void {
  const known = (name: string) => name in t.Parameters || name in t.Resources || PSEUDO_PARAMETERS.includes(name);
  const attributeOk = (resource: string, attribute: string) => {
    const r = t.Resources[resource];
    return r !== undefined && (KNOWN_RESOURCE_TYPES[r.Type] ?? []).includes(attribute);
  };
  walk({ Conditions: t.Conditions, Resources: t.Resources, Outputs: t.Outputs }, '', (v, path) => {
    if (v && typeof v === 'object' && !(v instanceof Intrinsic) && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) problems.push(`${path}: long-form ${keys[0]} instead of a short-form tag`);
    }
    if (!(v instanceof Intrinsic)) return;
    if (v.fn === 'Ref' && !known(String(v.args))) problems.push(`${path}: !Ref ${String(v.args)} names no parameter, resource or pseudo parameter`);
    if (v.fn === 'GetAtt') {
      const [resource = '', attribute = ''] = v.args as string[];
      if (!attributeOk(resource, attribute)) problems.push(`${path}: !GetAtt ${resource}.${attribute} is not an attribute of a resource here`);
    }
    if (v.fn === 'Sub') {
      const [template, vars] = typeof v.args === 'string' ? [v.args, {}] : (v.args as [string, Record<string, unknown>]);
      for (const name of subVariables(template)) {
        if (name in vars) continue;
        const [resource = '', attribute] = name.split(/\.(.*)/s);
        const ok = attribute === undefined ? known(name) && name !== 'AWS::NoValue' : attributeOk(resource, attribute);
        if (!ok) problems.push(`${path}: !Sub variable \${${name}} is not resolvable`);
      }
    }
    if ((v.fn === 'If' && !(String((v.args as unknown[])[0]) in t.Conditions)) || (v.fn === 'Condition' && !(String(v.args) in t.Conditions))) {
      problems.push(`${path}: condition ${String(v.fn === 'If' ? (v.args as unknown[])[0] : v.args)} is not defined`);
    }
  });
}

/** Parameters and conditions nothing uses: dead weight a reader would wonder about. */
function checkUnused(t: ParsedTemplate, problems: string[]): void {
  const used = new Set<string>();
  walk({ Conditions: t.Conditions, Resources: t.Resources, Outputs: t.Outputs }, '', (v) => {
    if (!(v instanceof Intrinsic)) return;
    if (v.fn === 'Ref' || v.fn === 'Condition') used.add(String(v.args));
    if (v.fn === 'If') used.add(String((v.args as unknown[])[0]));
    if (v.fn === 'Sub') for (const name of subVariables(typeof v.args === 'string' ? v.args : String((v.args as unknown[])[0]))) used.add(name);
  });
  for (const e of [...Object.values(t.Resources), ...Object.values(t.Outputs)]) if (e.Condition) used.add(e.Condition);
  for (const name of Object.keys(t.Parameters)) if (!used.has(name)) problems.push(`parameter ${name} is not used`);
  for (const name of Object.keys(t.Conditions)) if (!used.has(name)) problems.push(`condition ${name} is not used`);
}

function findCycle(t: ParsedTemplate): string[] | undefined {
  const edges = new Map<string, Set<string>>();
  for (const [name, r] of Object.entries(t.Resources)) {
    const deps = referencedResources(r.Properties, t.Resources);
    for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
    edges.set(name, deps);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of edges.get(n) ?? []) {
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    const cycle = visit(n);
    if (cycle) return cycle;
  }
  return undefined;
}

export type PolicyKind = 'identity' | 'trust' | 'resource' | 'key';

export interface FoundPolicy {
  resource: string;
  kind: PolicyKind;
  /** Every statement, both branches of a `!If` (what some parameter values can grant). */
  statements: Record<string, unknown>[];
}

function statementsOf(document: unknown): Record<string, unknown>[] {
  const list = (document as { Statement?: unknown } | undefined)?.Statement;
  const out: Record<string, unknown>[] = [];
  const add = (s: unknown) => {
    if (s instanceof Intrinsic && s.fn === 'If') (s.args as unknown[]).slice(1).forEach(add);
    else if (s instanceof Intrinsic && s.fn === 'Ref' && s.args === 'AWS::NoValue') return;
    else if (s && typeof s === 'object') out.push(s as Record<string, unknown>);
  };
  (Array.isArray(list) ? list : [list]).forEach(add);
  return out;
}

/** The policy documents of a template's resources, by kind. */
export function policiesOf(t: ParsedTemplate): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const [name, r] of Object.entries(t.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      found.push({ resource: name, kind: 'trust', statements: statementsOf(p['AssumeRolePolicyDocument']) });
      for (const policy of (p['Policies'] as { PolicyDocument: unknown }[] | undefined) ?? []) {
        found.push({ resource: name, kind: 'identity', statements: statementsOf(policy.PolicyDocument) });
      }
    } else if (r.Type === 'AWS::IAM::ManagedPolicy') found.push({ resource: name, kind: 'identity', statements: statementsOf(p['PolicyDocument']) });
    else if (['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy'].includes(r.Type)) {
      found.push({ resource: name, kind: 'resource', statements: statementsOf(p['PolicyDocument']) });
    } else if (r.Type === 'AWS::KMS::Key') found.push({ resource: name, kind: 'key', statements: statementsOf(p['KeyPolicy']) });
  }
  return found;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const conditionKeys = (s: Record<string, unknown>) => Object.values((s['Condition'] as Record<string, Record<string, unknown>> | undefined) ?? {}).flatMap((c) => Object.keys(c));

function checkPolicies(t: ParsedTemplate, wildcardActions: readonly string[], problems: string[]): void {
  for (const policy of policiesOf(t)) {
    for (const s of policy.statements) {
      const where = `${policy.resource} ${policy.kind} statement ${String(s['Sid'] ?? '?')}`;
      if ('NotAction' in s || 'NotResource' in s || 'NotPrincipal' in s) problems.push(`${where}: uses a Not* element`);
      const actions = asList(s['Action']).map(String);
      const resources = asList(s['Resource']);
      if (policy.kind === 'identity') {
        if ('Principal' in s) problems.push(`${where}: an identity policy names a principal`);
        if (actions.some((a) => a.includes('*'))) problems.push(`${where}: wildcard action`);
        if (resources.length === 0) problems.push(`${where}: no Resource`);
        const star = resources.some((r) => typeof r === 'string' && /^\*$|:\*$/.test(r));
        const unscoped = actions.filter((a) => !wildcardActions.includes(a));
        if (star && unscoped.length) problems.push(`${where}: Resource * for actions that take resource ARNs: ${unscoped.join(', ')}`);
        if (s['Effect'] !== 'Allow') problems.push(`${where}: identity policies here only allow`);
      } else if (policy.kind === 'trust') {
        if (actions.join() !== 'sts:AssumeRole') problems.push(`${where}: trust allows ${actions.join(', ')}`);
        if (!conditionKeys(s).includes('sts:ExternalId')) problems.push(`${where}: no sts:ExternalId condition`);
      } else {
        const principal = s['Principal'];
        if (principal === '*' && s['Effect'] !== 'Deny') problems.push(`${where}: allows everyone`);
        const service = (principal as { Service?: unknown } | undefined)?.Service;
        if (service !== undefined && s['Effect'] === 'Allow' && !conditionKeys(s).includes('aws:SourceArn')) {
          problems.push(`${where}: a service principal without an aws:SourceArn condition`);
        }
        if (policy.kind === 'resource' && resources.some((r) => r === '*')) problems.push(`${where}: Resource * in a resource policy`);
      }
    }
  }
}

/**
 * Problems of a template, one line each; empty when it passes. `wildcardActions` are the actions
 * allowed with `Resource: '*'` in identity policies (those IAM cannot scope to a resource).
 */
export function checkTemplate(yaml: string, wildcardActions: readonly string[]): string[] {
  const problems: string[] = [];
  let t: ParsedTemplate;
  try {
    t = parseTemplate(yaml);
  } catch (err) {
    return [(err as Error).message];
  }
  for (const key of Object.keys(t)) if (!TOP_LEVEL.includes(key)) problems.push(`unknown top-level section ${key}`);
  if (Object.keys(t.Resources).length === 0) problems.push('no resources');
  for (const [name, r] of Object.entries(t.Resources)) {
    if (!(r.Type in KNOWN_RESOURCE_TYPES)) problems.push(`${name}: resource type ${r.Type} is not in the known list`);
    if (r.Condition !== undefined && !(r.Condition in t.Conditions)) problems.push(`${name}: condition ${r.Condition} is not defined`);
    for (const d of [r.DependsOn ?? []].flat()) if (!(d in t.Resources)) problems.push(`${name}: DependsOn ${d} is not a resource`);
  }
  for (const [name, o] of Object.entries(t.Outputs)) if (o.Condition !== undefined && !(o.Condition in t.Conditions)) problems.push(`output ${name}: condition ${o.Condition} is not defined`);
  checkReferences(t, problems);
  checkUnused(t, problems);
  const cycle = findCycle(t);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' -> ')}`);
  checkPolicies(t, wildcardActions, problems);
  return problems;
}
