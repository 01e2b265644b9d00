/**
 * What AWS puts on the queue when CloudTrail writes a file, in each shape trailscope reads
 * (../shared/reference/ingestion.md §1): an S3 event notification sent straight to SQS, the same
 * event published to an SNS topic (the queue receives SNS's envelope), CloudTrail's own SNS
 * notification listing several keys, and an EventBridge "Object Created" event. The demo plays
 * the bucket with all four routes at once, each file announced by one of them.
 */
import { randomUUID } from 'node:crypto';

export type DemoRoute = 's3' | 's3-via-sns' | 'cloudtrail-sns' | 'eventbridge';
export const DEMO_ROUTES: readonly DemoRoute[] = ['s3', 's3-via-sns', 'cloudtrail-sns', 'eventbridge'];

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /** ISO time S3 stored it. */
  time: string;
}

export interface DemoContext {
  region: string;
  /** The bucket owner (the organization's log-archive or management account). */
  accountId: string;
}

// CloudTrail's delivery principal, as S3 and EventBridge name it.
const DELIVERY_PRINCIPAL = 'AWS:AROAEXAMPLEDELIVERY:regionalDeliverySession';

/** S3 URL-encodes keys in event notifications, a space as `+`. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

let sequence = 0;
function sequencer(): string {
  sequence += 1;
  return (Date.now().toString(16) + sequence.toString(16).padStart(8, '0')).toUpperCase();
}

/** `{"Records":[…]}` as S3 sends it for one PutObject (direct to SQS, or as the SNS Message). */
export function s3EventNotification(o: StoredObject, ctx: DemoContext): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: ctx.region,
        eventTime: o.time,
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: DELIVERY_PRINCIPAL },
        requestParameters: { sourceIPAddress: '10.0.0.1' },
        responseElements: { 'x-amz-request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(), 'x-amz-id-2': randomUUID() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'trailscope-demo',
          bucket: { name: o.bucket, ownerIdentity: { principalId: 'A3EXAMPLEOWNER' }, arn: `arn:aws:s3:::${o.bucket}` },
          object: { key: encodeS3Key(o.key), size: o.size, eTag: o.etag, sequencer: sequencer() },
        },
      },
    ],
  });
}

/** The message S3 sends once when a notification rule is saved. */
export function s3TestEvent(bucket: string, time: string): string {
  return JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: time, Bucket: bucket, RequestId: randomUUID(), HostId: randomUUID() });
}

/** CloudTrail's notification on its SNS topic: one message for the files of one delivery. */
export function cloudTrailNotification(bucket: string, keys: readonly string[]): string {
  return JSON.stringify({ s3Bucket: bucket, s3ObjectKey: keys });
}

/** S3's EventBridge event, as an EventBridge rule without input transformer delivers it to SQS. */
export function eventBridgeObjectCreated(o: StoredObject, ctx: DemoContext): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ctx.accountId,
    time: o.time.replace(/\.\d{3}Z$/, 'Z'),
    region: ctx.region,
    resources: [`arn:aws:s3:::${o.bucket}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket },
      object: { key: o.key, size: o.size, etag: o.etag.replace(/"/g, ''), sequencer: sequencer() },
      'request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      requester: 'cloudtrail.amazonaws.com',
      'source-ip-address': '10.0.0.1',
      reason: 'PutObject',
    },
  });
}

export interface DeliveryBatch {
  route: DemoRoute;
  /** Indices into the file list. */
  files: number[];
}

/**
 * Groups files (in delivery order) into batches of `size` and gives the batches the routes in
 * turn, so every route carries files from the whole window. Digest files always go the plain S3
 * route: CloudTrail's SNS notification announces log files only.
 */
export function planDeliveries(kinds: readonly ('events' | 'digest')[], size = 6): DeliveryBatch[] {
  const batches: DeliveryBatch[] = [];
  let current: number[] = [];
  let turn = 0;
  const flush = () => {
    if (current.length === 0) return;
    batches.push({ route: DEMO_ROUTES[turn % DEMO_ROUTES.length]!, files: current });
    turn += 1;
    current = [];
  };
  kinds.forEach((kind, i) => {
    if (kind === 'digest') {
      batches.push({ route: 's3', files: [i] });
      return;
    }
    current.push(i);
    if (current.length === size) flush();
  });
  flush();
  return batches;
}
