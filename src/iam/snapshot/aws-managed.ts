import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import type { ManagedPolicy, PolicyDocument } from '../types.js';

/**
 * AWS-managed policy documents shipped in data/aws-managed-policies (from iam-dataset, MIT).
 * Loaded lazily, once per process, only when a snapshot references an AWS-managed policy it
 * does not include.
 */
interface ShippedPolicy {
  name: string;
  version: string | null;
  deprecated: boolean;
  document: PolicyDocument;
}

interface ShippedData {
  source: Record<string, unknown>;
  count: number;
  policies: Record<string, ShippedPolicy>;
}

let cache: ShippedData | undefined;

/** Where the shipped file lives: <project>/data/aws-managed-policies, from src/ or dist/src/. */
export function shippedPoliciesPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/iam/snapshot -> project root is three levels up; dist/src/iam/snapshot is four.
  const candidates = [resolve(here, '..', '..', '..'), resolve(here, '..', '..', '..', '..')];
  for (const root of candidates) {
    const p = resolve(root, 'data', 'aws-managed-policies', 'policies.json.gz');
    if (existsSync(p)) return p;
  }
  return resolve(candidates[0]!, 'data', 'aws-managed-policies', 'policies.json.gz');
}

function load(): ShippedData {
  if (!cache) {
    const path = shippedPoliciesPath();
    cache = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as ShippedData;
  }
  return cache;
}

/** arn:aws-us-gov:iam::aws:policy/X and arn:aws-cn:... resolve to the same document as arn:aws:... */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);
}

function canonicalArn(arn: string): string {
  return arn.replace(/^arn:aws[a-z-]*:/, 'arn:aws:');
}

/** The shipped document of an AWS-managed policy, or undefined when the data lacks it. */
export function shippedAwsManagedPolicy(arn: string): ManagedPolicy | undefined {
  if (!isAwsManagedPolicyArn(arn)) return undefined;
  const p = load().policies[canonicalArn(arn)];
  if (!p) return undefined;
  return {
    arn,
    name: p.name,
    document: p.document,
    awsManaged: true,
    versionId: p.version,
    resolvedFrom: 'aws-managed-data',
  };
}

export function shippedAwsManagedPolicyCount(): number {
  return load().count;
}
