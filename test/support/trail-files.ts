/**
 * Synthetic CloudTrail delivery files and keys for tests: real layout, real gzip, records the
 * parser accepts. Event ids are derived from the inputs, so the same call makes the same ids.
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

export interface KeySpec {
  prefix?: string;
  orgId?: string;
  accountId: string;
  region: string;
  /** Delivery time. */
  time: Date | string;
  folder?: 'CloudTrail' | 'CloudTrail-Digest' | 'CloudTrail-Insight';
  unique?: string;
}

function stamp(d: Date, seconds = false): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${seconds ? iso.slice(17, 19) : ''}Z`;
}

/** `[prefix/]AWSLogs/[o-id/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<stamp>_<unique>.json.gz` */
export function trailKey(s: KeySpec): string {
  const d = new Date(s.time);
  const folder = s.folder ?? 'CloudTrail';
  const day = d.toISOString().slice(0, 10).replace(/-/g, '/');
  const root = `${s.prefix ? `${s.prefix}/` : ''}AWSLogs/${s.orgId ? `${s.orgId}/` : ''}${s.accountId}/${folder}/${s.region}/${day}/`;
  const unique = s.unique ?? 'a1B2c3D4e5F6g7H8';
  const name =
    folder === 'CloudTrail-Digest'
      ? `${s.accountId}_CloudTrail-Digest_${s.region}_trail_us-east-1_${stamp(d, true)}.json.gz`
      : `${s.accountId}_${folder}_${s.region}_${stamp(d)}_${unique}.json.gz`;
  return root + name;
}

export function record(id: string, opts: { accountId?: string; region?: string; time?: string; eventName?: string } = {}): Record<string, unknown> {
  const accountId = opts.accountId ?? '111122223333';
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:alice',
      arn: `arn:aws:sts::${accountId}:assumed-role/Admin/alice`,
      accountId,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${accountId}:role/Admin`, accountId, userName: 'Admin' } },
    },
    eventTime: opts.time ?? '2026-01-01T00:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: opts.eventName ?? 'ListBuckets',
    awsRegion: opts.region ?? 'us-east-1',
    sourceIPAddress: '192.0.2.1',
    userAgent: 'aws-cli/2',
    requestParameters: null,
    responseElements: null,
    eventID: id,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
  };
}

export function gzipLog(records: unknown[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify({ Records: records })));
}

/** A log file for a key: `count` records with ids `<tag>-<i>`. */
export function logFor(spec: KeySpec, count: number, tag: string): Buffer {
  const t = new Date(new Date(spec.time).getTime() - 60_000).toISOString();
  return gzipLog(Array.from({ length: count }, (_, i) => record(`${tag}-${i}`, { accountId: spec.accountId, region: spec.region, time: t })));
}

export async function put(s3: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}
