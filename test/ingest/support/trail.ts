/**
 * A small generator of CloudTrail log files for ingestion tests: unique eventIDs, real-looking
 * records, gzip like CloudTrail delivers them, keys in CloudTrail's layout.
 */
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

export interface TrailFile {
  key: string;
  accountId: string;
  eventIds: string[];
  body: Buffer;
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function trailKey(opts: { accountId: string; orgId?: string; region?: string; name: string; prefix?: string; folder?: 'CloudTrail' | 'CloudTrail-Digest' }): string {
  const region = opts.region ?? 'us-east-1';
  const org = opts.orgId ? `${opts.orgId}/` : '';
  const prefix = opts.prefix ? `${opts.prefix}/` : '';
  return `${prefix}AWSLogs/${org}${opts.accountId}/${opts.folder ?? 'CloudTrail'}/${region}/2026/01/31/${opts.accountId}_CloudTrail_${region}_20260131T0000Z_${opts.name}.json.gz`;
}

/** A log file of `count` events; `seed` makes the eventIDs unique across files. */
export function trailFile(opts: { accountId: string; count: number; seed: string; key?: string; orgId?: string; name?: string; duplicateOf?: string[] }): TrailFile {
  const key = opts.key ?? trailKey({ accountId: opts.accountId, ...(opts.orgId ? { orgId: opts.orgId } : {}), name: opts.name ?? opts.seed.replace(/[^A-Za-z0-9]/g, '').slice(0, 16) });
  const eventIds: string[] = [];
  const records = [];
  for (let i = 0; i < opts.count; i++) {
    const eventID = opts.duplicateOf?.[i] ?? uuidFrom(`${opts.seed}/${i}`);
    eventIds.push(eventID);
    const t = new Date(Date.UTC(2026, 0, 30, 23, 0, 0) + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    records.push({
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE',
        arn: `arn:aws:iam::${opts.accountId}:user/alice`,
        accountId: opts.accountId,
        accessKeyId: 'AKIAEXAMPLE',
        userName: 'alice',
      },
      eventTime: t,
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: null,
      responseElements: null,
      requestID: `req-${i}`,
      eventID,
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: opts.accountId,
      eventCategory: 'Management',
    });
  }
  return { key, accountId: opts.accountId, eventIds, body: gzipSync(JSON.stringify({ Records: records })) };
}

export function s3NotificationBody(bucket: string, keys: string[], opts: { encode?: boolean } = {}): string {
  const encode = (k: string) => (opts.encode === false ? k : encodeURIComponent(k).replace(/%2F/g, '/').replace(/%20/g, '+'));
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-01-31T00:05:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AROAEXAMPLE:regionalDeliverySession' },
      requestParameters: { sourceIPAddress: '10.0.0.1' },
      responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'h' },
      s3: { s3SchemaVersion: '1.0', configurationId: 'trailscope', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encode(key), sequencer: '0A1B' } },
    })),
  });
}

export function snsEnvelope(message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: uuidFrom(message),
    TopicArn: 'arn:aws:sns:us-east-1:111122223333:cloudtrail-logs',
    Subject: 'Amazon S3 Notification',
    Message: message,
    Timestamp: '2026-01-31T00:05:01.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/x.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

export function cloudTrailNotificationBody(bucket: string, keys: string[]): string {
  return JSON.stringify({ s3Bucket: bucket, s3ObjectKey: keys });
}

export function eventBridgeBody(bucket: string, key: string): string {
  return JSON.stringify({
    version: '0',
    id: uuidFrom(key),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-01-31T00:05:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size: 100, etag: 'x', sequencer: '0A' }, 'request-id': 'r', requester: 'cloudtrail.amazonaws.com', reason: 'PutObject' },
  });
}

export const S3_TEST_EVENT = (bucket: string) =>
  JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-01-31T00:00:00.000Z', Bucket: bucket, RequestId: 'r', HostId: 'h' });
