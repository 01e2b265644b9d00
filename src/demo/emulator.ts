/**
 * The demo's AWS: fauxqs (an in-process S3/SQS/SNS emulator) with the bucket a CloudTrail
 * organization trail writes to, the queue trailscope reads, and two SNS topics subscribed to the
 * queue (the bucket's S3 notifications through SNS, and CloudTrail's own log-delivery topic).
 *
 * fauxqs 1.x listens on every interface (it has no bind-address option); it holds only the
 * demo's synthetic files, and lives as long as the demo.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { FauxqsServer, SqsSpyMessage } from 'fauxqs';

export const DEMO_REGION = 'us-east-1';
export const DEMO_BUCKET = 'trailscope-demo-org-trail';
export const DEMO_QUEUE = 'trailscope-demo';
export const S3_TOPIC = 'trailscope-demo-s3-events';
export const CLOUDTRAIL_TOPIC = 'trailscope-demo-cloudtrail';

// Any key is accepted by the emulator; these never leave the machine.
const EMULATOR_CREDENTIALS = { accessKeyId: 'demo', secretAccessKey: 'demo' } as const;

/** Enough for the events of one delivery batch between two reads (see takeQueuedBodies). */
const SPY_BUFFER = 20_000;

export interface DemoEmulator {
  endpoint: string;
  region: string;
  bucket: string;
  queueUrl: string;
  s3TopicArn: string;
  cloudTrailTopicArn: string;
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  /** The bodies SQS enqueued on the demo queue since the last call (direct sends and SNS fan-out). */
  takeQueuedBodies(): string[];
  /** Messages on the queue: waiting, delayed and in flight. */
  queueDepth(): { ready: number; delayed: number; inFlight: number };
  stop(): Promise<void>;
}

/**
 * The ingestion builds its SDK clients from the default credential chain, which the emulator
 * only needs to be non-empty. The demo talks to no AWS endpoint, so its process uses throwaway
 * keys rather than whatever the user's environment or profile holds.
 */
export function useEmulatorCredentials(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  env.AWS_EC2_METADATA_DISABLED = 'true';
}

export async function startDemoEmulator(): Promise<DemoEmulator> {
  // 'localhost' makes queue URLs sqs.<region>.localhost, a host name the connector's URL check accepts.
  const server: FauxqsServer = await startFauxqs({ port: 0, host: 'localhost', logger: false, defaultRegion: DEMO_REGION, messageSpies: { bufferSize: SPY_BUFFER } });
  const endpoint = `http://127.0.0.1:${server.port}`;
  server.createBucket(DEMO_BUCKET);
  // A CloudTrail file takes a moment to parse: keep it hidden long enough that it is not handed out twice.
  const { queueUrl } = server.createQueue(DEMO_QUEUE, { attributes: { VisibilityTimeout: '120', MessageRetentionPeriod: '86400' } });
  const { topicArn: s3TopicArn } = server.createTopic(S3_TOPIC);
  const { topicArn: cloudTrailTopicArn } = server.createTopic(CLOUDTRAIL_TOPIC);
  // Raw message delivery off (AWS's default): the queue receives SNS envelopes.
  server.subscribe({ topic: S3_TOPIC, queue: DEMO_QUEUE });
  server.subscribe({ topic: CLOUDTRAIL_TOPIC, queue: DEMO_QUEUE });

  const common = { region: DEMO_REGION, endpoint, credentials: { ...EMULATOR_CREDENTIALS } };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const sqs = new SQSClient(common);
  const sns = new SNSClient(common);
  let stopped: Promise<void> | null = null;
  return {
    endpoint,
    region: DEMO_REGION,
    bucket: DEMO_BUCKET,
    queueUrl,
    s3TopicArn,
    cloudTrailTopicArn,
    s3,
    sqs,
    sns,
    takeQueuedBodies() {
      const all = server.spy.getAllMessages();
      server.spy.clear();
      return all.filter((m): m is SqsSpyMessage => m.service === 'sqs' && m.status === 'published' && m.queueName === DEMO_QUEUE).map((m) => m.body);
    },
    queueDepth() {
      const q = server.inspectQueue(DEMO_QUEUE);
      return { ready: q?.messages.ready.length ?? 0, delayed: q?.messages.delayed.length ?? 0, inFlight: q?.messages.inflight.length ?? 0 };
    },
    stop() {
      stopped ??= (async () => {
        s3.destroy();
        sqs.destroy();
        sns.destroy();
        await server.stop();
      })();
      return stopped;
    },
  };
}
