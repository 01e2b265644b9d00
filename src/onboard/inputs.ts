/**
 * What the templates take from a connector, checked once: every value here ends up inside IAM
 * ARNs, `!Sub` strings or shell commands, so anything that could widen a policy (a `*` in a
 * prefix) or break out of a string is refused rather than escaped.
 */
import { createHash } from 'node:crypto';
import type { Connector } from '../connectors/index.js';

export class OnboardingError extends Error {
  override readonly name = 'OnboardingError';
}

/** The connector fields a template uses, validated. */
export interface OnboardingInputs {
  name: string;
  type: 'account' | 'organization';
  bucket: string;
  /** The trail's key prefix without slashes, '' when none. */
  prefix: string;
  /** `[prefix/]AWSLogs/`: where the trail writes and the reader reads. */
  logsRoot: string;
  externalId: string;
  accountId?: string;
  organizationId?: string;
  kmsKeyArn?: string;
  /** The queue ARN derived from the connector's queue URL, when it has one. */
  queueArn?: string;
  region?: string;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// No IAM wildcards (* ?), no `$` (policy variables, !Sub) and nothing a shell or YAML cares about.
const PREFIX = /^[A-Za-z0-9._\-/+=@,]*$/;
const ACCOUNT_ID = /^\d{12}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function onboardingInputs(connector: Connector): OnboardingInputs {
  const fail = (field: string, why: string): never => {
    throw new OnboardingError(`connector ${JSON.stringify(connector.name)}: ${field} ${why}`);
  };
  if (!NAME.test(connector.name)) fail('name', 'must be 1-64 letters, digits, ".", "_" or "-"');
  if (!BUCKET.test(connector.bucket)) fail('bucket', 'is not a valid S3 bucket name');
  const prefix = (connector.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (!PREFIX.test(prefix) || prefix.includes('//')) fail('prefix', 'may only hold letters, digits and . _ - / + = @ , (no wildcards)');
  if (/(^|\/)AWSLogs(\/|$)/.test(prefix)) fail('prefix', 'is the part before AWSLogs/; leave AWSLogs/ out');
  if (!EXTERNAL_ID.test(connector.externalId)) fail('externalId', 'must be 2-1224 characters of letters, digits and +=,.@:/-');
  if (connector.accountId !== undefined && !ACCOUNT_ID.test(connector.accountId)) fail('accountId', 'must be 12 digits');
  if (connector.organizationId !== undefined && !ORG_ID.test(connector.organizationId)) fail('organizationId', 'must look like o-a1b2c3d4e5');
  if (connector.kmsKeyArn !== undefined && !KMS_KEY_ARN.test(connector.kmsKeyArn)) fail('kmsKeyArn', 'must be a KMS key or alias ARN');
  if (connector.region !== undefined && !REGION.test(connector.region)) fail('region', 'is not an AWS region name');
  const queueArn = connector.queueUrl ? queueArnFromUrl(connector.queueUrl, connector.region) : undefined;
  return {
    name: connector.name,
    type: connector.type,
    bucket: connector.bucket,
    prefix,
    logsRoot: prefix ? `${prefix}/AWSLogs/` : 'AWSLogs/',
    externalId: connector.externalId,
    ...(connector.accountId ? { accountId: connector.accountId } : {}),
    ...(connector.organizationId ? { organizationId: connector.organizationId } : {}),
    ...(connector.kmsKeyArn ? { kmsKeyArn: connector.kmsKeyArn } : {}),
    ...(queueArn ? { queueArn } : {}),
    ...(connector.region ? { region: connector.region } : {}),
  };
}

/**
 * `https://sqs.<region>.amazonaws.com/<account>/<name>` (or the legacy
 * `https://<region>.queue.amazonaws.com/...`) as `arn:<partition>:sqs:<region>:<account>:<name>`;
 * undefined when the URL is not an AWS queue URL (a local emulator, say).
 */
export function queueArnFromUrl(queueUrl: string, fallbackRegion?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return undefined;
  }
  const path = /^\/(\d{12})\/([\w-]{1,80}(\.fifo)?)$/.exec(url.pathname);
  if (!path) return undefined;
  const host = /^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(\.cn)?$/.exec(url.hostname);
  const region = host?.[1] ?? host?.[2] ?? fallbackRegion;
  if (!host || !region || !REGION.test(region)) return undefined;
  const partition = host[3] ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:sqs:${region}:${path[1]}:${path[2]}`;
}

/** The parts of an ARN, for the key's region and the partition of literal ARNs. */
export function arnParts(arn: string): { partition: string; service: string; region: string; account: string; resource: string } {
  const [, partition = 'aws', service = '', region = '', account = '', ...rest] = arn.split(':');
  return { partition, service, region, account, resource: rest.join(':') };
}

/**
 * A name within AWS's length limit; when the connector name makes it too long it is cut and a
 * short hash of the full name keeps two long connectors from colliding.
 */
export function boundedName(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - 9).replace(/[-._]+$/, '')}-${hash}`;
}

/** Resource names derived from the connector name, each valid for its service. */
export function resourceNames(name: string) {
  const dashed = name.replace(/[^A-Za-z0-9-]/g, '-');
  return {
    stack: boundedName(`trailscope-${dashed}`, 128),
    readerRole: boundedName(`trailscope-reader-${name}`, 64),
    diagnosticsPolicy: boundedName(`trailscope-diagnostics-${name}`, 128),
    queue: boundedName(`trailscope-${dashed}`, 76),
    deadLetterQueue: `${boundedName(`trailscope-${dashed}`, 76)}-dlq`,
    trail: boundedName(`trailscope-${name}`, 128),
    topic: boundedName(`trailscope-${dashed}-fanout`, 256),
    keyAlias: `alias/${boundedName(`trailscope-${dashed}`, 200)}`,
    memberRole: boundedName(`trailscope-member-read-${name}`, 64),
  };
}

/** Single-quotes a value for a POSIX shell command line. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
