/**
 * Connector configuration: which trails trailscope reads, and how.
 *
 * ```yaml
 * # trailscope.yaml, passed with --config
 * connectors:
 *   # One AWS account whose trail writes to its own bucket.
 *   - name: prod
 *     type: account                 # account | organization
 *     accountId: "111122223333"     # quote it: YAML would read it as a number
 *     bucket: prod-cloudtrail-logs
 *     prefix: trails/prod           # the trail's S3 key prefix, if any (no AWSLogs/ part)
 *     queueUrl: https://sqs.eu-west-1.amazonaws.com/111122223333/trailscope-prod
 *     region: eu-west-1             # region of the queue (and default for the other clients)
 *
 *   # An organization trail in the log-archive account, read through a cross-account role.
 *   - name: org
 *     type: organization
 *     organizationId: o-a1b2c3d4e5
 *     bucket: org-trail-archive
 *     queueUrl: https://sqs.us-east-1.amazonaws.com/999988887777/trailscope-org
 *     region: us-east-1
 *     kmsKeyArn: arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab
 *     roleArn: arn:aws:iam::999988887777:role/TrailscopeReader
 *     externalId: 6f1c0c36-3c0c-4d5e-9a31-b0b6a3d1e2f4
 *
 *   # An S3/SQS-compatible server (MinIO, LocalStack) instead of AWS:
 *   - name: lab
 *     type: account
 *     bucket: trail
 *     queueUrl: http://localhost:4566/000000000000/trail-events
 *     endpointUrl: http://localhost:4566
 * ```
 *
 * Fields: `name` (unique; letters, digits, `.`, `_`, `-`), `type`, `bucket` are required.
 * `accountId` (12 digits) and `organizationId` (o-…) are optional and only narrow what is read
 * and how it is labelled; the bucket layout is discovered. `queueUrl` is needed by `ingest`, not
 * by `backfill`. `externalId` requires `roleArn`. Credentials never go in this file: they come
 * from the environment, a profile or an instance/container role, optionally followed by
 * AssumeRole of `roleArn`.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import type { AwsConnection } from './connection.js';

const ACCOUNT_ID = /^\d{12}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// S3 bucket naming rules (general-purpose buckets).
const BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const connectorSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1-64 letters, digits, ".", "_" or "-"'),
    type: z.enum(['account', 'organization']),
    accountId: z
      .union([z.string(), z.number()])
      .transform((v) => String(v))
      .pipe(z.string().regex(ACCOUNT_ID, 'an AWS account id is 12 digits (quote it in YAML to keep leading zeros)'))
      .optional(),
    organizationId: z.string().regex(ORG_ID, 'an organization id looks like o-a1b2c3d4e5').optional(),
    bucket: z.string().regex(BUCKET, 'not a valid S3 bucket name (3-63 lowercase letters, digits, "." or "-"; no s3:// and no path)'),
    prefix: z
      .string()
      .transform((p) => p.replace(/^\/+|\/+$/g, ''))
      .refine((p) => !/(^|\/)AWSLogs(\/|$)/.test(p), 'the prefix is the part before AWSLogs/; leave AWSLogs/ out')
      .optional(),
    queueUrl: z.url({ message: 'must be a queue URL such as https://sqs.<region>.amazonaws.com/<account>/<queue>' }).optional(),
    kmsKeyArn: z.string().regex(KMS_KEY_ARN, 'must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)').optional(),
    region: z.string().regex(REGION, 'not an AWS region name such as eu-west-1').optional(),
    roleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)').optional(),
    externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'an ExternalId is 2-1224 characters of letters, digits and +=,.@:/-').optional(),
    endpointUrl: z.url({ message: 'must be a URL such as http://localhost:4566' }).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.externalId && !c.roleArn) {
      ctx.addIssue({ code: 'custom', path: ['externalId'], message: 'externalId is only used with roleArn; add the role to assume' });
    }
    if (c.type === 'account' && c.organizationId) {
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: 'organizationId is for type: organization' });
    }
  });

const configSchema = z
  .object({
    connectors: z.array(connectorSchema).min(1, 'list at least one connector'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.connectors.forEach((conn, i) => {
      const first = seen.get(conn.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['connectors', i, 'name'], message: `duplicate connector name "${conn.name}" (also connectors[${first}])` });
      } else seen.set(conn.name, i);
    });
  });

export type ConnectorConfig = z.output<typeof connectorSchema>;
export interface TrailscopeConfig {
  connectors: ConnectorConfig[];
}

/** A configuration problem: `file:line:col: path: message`, one line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: { path: string; line?: number; col?: number; message: string }[],
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}:${p.col ?? 1}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Parses and validates YAML text. `file` is used in error messages only. */
export function parseConfig(text: string, file = 'config'): TrailscopeConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { path: '', line: pos.line, col: pos.col, message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const data: unknown = doc.toJS();
  const result = configSchema.safeParse(data ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues.map((issue) => {
      // Point at the deepest node that exists: the bad value, or the object missing a key.
      let path = [...issue.path];
      if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path = [...path, issue.keys[0]];
      let node: unknown;
      for (let n = path.length; n >= 0 && !node; n--) {
        const candidate = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
        if (isNode(candidate) && candidate.range) node = candidate;
      }
      const range = isNode(node) ? node.range : undefined;
      const pos = range ? lc.linePos(range[0]) : undefined;
      const where = formatPath(path);
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') message = `unknown field (known: ${knownFields(path)})`;
      else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'required';
      return { path: where, ...(pos ? { line: pos.line, col: pos.col } : {}), message };
    }),
  );
}

function knownFields(path: readonly PropertyKey[]): string {
  return path.length <= 1 ? 'connectors' : Object.keys(connectorSchema.shape).join(', ');
}

export async function loadConfig(path: string): Promise<TrailscopeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  return parseConfig(text, path);
}

/** CLI flags that describe one connector when no --config is given. */
export interface ConnectorFlags {
  name?: string;
  type?: 'account' | 'organization';
  bucket?: string;
  prefix?: string;
  queueUrl?: string;
  accountId?: string;
  organizationId?: string;
  kmsKeyArn?: string;
  region?: string;
  roleArn?: string;
  externalId?: string;
  endpointUrl?: string;
}

/**
 * Builds the single connector described by CLI flags, validated with the same rules as the
 * YAML file (errors name the flag). `type` is 'organization' when --organization-id is given.
 */
export function connectorFromFlags(flags: ConnectorFlags): ConnectorConfig {
  const raw: Record<string, unknown> = {
    name: flags.name ?? 'default',
    type: flags.type ?? (flags.organizationId ? 'organization' : 'account'),
  };
  for (const k of ['bucket', 'prefix', 'queueUrl', 'accountId', 'organizationId', 'kmsKeyArn', 'region', 'roleArn', 'externalId', 'endpointUrl'] as const) {
    if (flags[k] !== undefined) raw[k] = flags[k];
  }
  const r = connectorSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new ConfigError(
    'command line',
    r.error.issues.map((i) => {
      const field = String(i.path[0] ?? '');
      const flag = field ? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : '';
      return { path: flag, message: i.code === 'invalid_type' && /received undefined/.test(i.message) ? 'required' : i.message };
    }),
  );
}

/**
 * Picks the connectors to run: from the config file when given (optionally one by name), with
 * CLI flags overriding the fields they set when exactly one connector is selected; otherwise
 * the single connector described by the flags.
 */
export function resolveConnectors(config: TrailscopeConfig | undefined, flags: ConnectorFlags, only?: string): ConnectorConfig[] {
  if (!config) return [connectorFromFlags(flags)];
  let list = config.connectors;
  if (only) {
    list = list.filter((c) => c.name === only);
    if (list.length === 0) {
      throw new ConfigError('command line', [{ path: '--connector', message: `no connector named "${only}" (have: ${config.connectors.map((c) => c.name).join(', ')})` }]);
    }
  }
  const overrides = Object.fromEntries(Object.entries(flags).filter(([k, v]) => v !== undefined && k !== 'name'));
  if (Object.keys(overrides).length === 0) return list;
  if (list.length !== 1) {
    throw new ConfigError('command line', [{ path: '--connector', message: 'flags like --bucket override one connector; pick it with --connector <name>' }]);
  }
  return [connectorFromFlags({ ...(list[0] as ConnectorFlags), ...overrides, name: list[0]!.name })];
}

/** The AWS connection of a connector (region, endpoint, role). */
export function connectionOf(c: ConnectorConfig, extra: Pick<AwsConnection, 'profile'> = {}): AwsConnection {
  const conn: AwsConnection = { ...extra };
  if (c.region) conn.region = c.region;
  if (c.endpointUrl) {
    conn.endpointUrl = c.endpointUrl;
    conn.forcePathStyle = true;
  }
  if (c.roleArn) conn.roleArn = c.roleArn;
  if (c.externalId) conn.externalId = c.externalId;
  return conn;
}
