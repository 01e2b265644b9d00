/**
 * Starts fauxqs (an in-process S3/SQS/SNS emulator) on a free port for tests that talk to
 * S3 or SQS over the wire with the real AWS SDK.
 *
 *   const fx = await startFauxqsForTest({ buckets: ['trail'], queues: ['q'] });
 *   try { await fx.s3.send(new PutObjectCommand(...)); } finally { await fx.stop(); }
 *
 * `connection` is the same endpoint as an AwsConnection (src/aws), for code under test that
 * builds its own clients. Every test file should start its own instance (port 0 = OS-assigned).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { FauxqsServer } from 'fauxqs';

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface FauxqsFixture {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  region: string;
  /** The fauxqs server, for its programmatic API (createQueue, inspectQueue, reset, spy, ...). */
  server: FauxqsServer;
  /** Path-style S3 client pointed at the emulator. */
  s3: S3Client;
  sqs: SQSClient;
  /** Queue URLs of the queues created at start, by name. */
  queueUrls: Record<string, string>;
  /** Connection settings for src/aws (endpointUrl + forcePathStyle + region). */
  connection: { region: string; endpointUrl: string; forcePathStyle: true };
  /** Destroys the clients and stops the server. Safe to call twice. */
  stop(): Promise<void>;
}

export interface FauxqsOptions {
  buckets?: string[];
  queues?: string[];
  /** Queue attributes applied to every queue created at start (e.g. VisibilityTimeout). */
  queueAttributes?: Record<string, string>;
  messageSpies?: boolean;
  /**
   * Host name fauxqs builds queue URLs from. 'localhost' gives sqs.<region>.localhost, a valid
   * host name that the CLI's --queue-url check accepts (sqs.<region>.127.0.0.1 is not one).
   * The endpoint is always http://127.0.0.1:<port>.
   */
  hostName?: 'localhost' | '127.0.0.1';
}

export async function startFauxqsForTest(opts: FauxqsOptions = {}): Promise<FauxqsFixture> {
  const server = await startFauxqs({
    port: 0,
    host: opts.hostName ?? '127.0.0.1',
    logger: false,
    defaultRegion: TEST_REGION,
    messageSpies: opts.messageSpies ?? false,
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const queueUrls: Record<string, string> = {};
  for (const b of opts.buckets ?? []) server.createBucket(b);
  for (const q of opts.queues ?? []) {
    queueUrls[q] = server.createQueue(q, opts.queueAttributes ? { attributes: opts.queueAttributes } : undefined).queueUrl;
  }
  const common = { region: TEST_REGION, endpoint, credentials: { ...TEST_CREDENTIALS }, maxAttempts: 1 };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const sqs = new SQSClient(common);
  let stopped = false;
  return {
    endpoint,
    port: server.port,
    region: TEST_REGION,
    server,
    s3,
    sqs,
    queueUrls,
    connection: { region: TEST_REGION, endpointUrl: endpoint, forcePathStyle: true },
    async stop() {
      if (stopped) return;
      stopped = true;
      s3.destroy();
      sqs.destroy();
      await server.stop();
    },
  };
}
