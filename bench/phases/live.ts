// Live ingestion end to end: the generated files are put into an in-process S3/SQS emulator
// (fauxqs), one S3 event notification per file is queued, and the real `trailscope ingest
// --exit-when-idle` drains the queue into a fresh SQLite store. Measured: the ingest process's
// wall time and peak RSS.
import { readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { startFauxqs } from 'fauxqs';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { walkFiles } from '../../src/sources/files/index.js';
import { arg, emit } from './common.js';
import { cliFigures, EMULATOR_ENV, runCli, storedEvents } from './cli-run.js';

const root = arg('dir');
const db = arg('db');
const bucket = 'bench-trail';
for (const suffix of ['', '-wal', '-shm']) await rm(db + suffix, { force: true });

// Host name 'localhost' gives queue URLs of the form sqs.<region>.localhost, a valid host name.
const server = await startFauxqs({ port: 0, host: 'localhost', logger: false, defaultRegion: 'us-east-1', messageSpies: false });
const endpoint = `http://127.0.0.1:${server.port}`;
server.createBucket(bucket);
const queueUrl = server.createQueue('bench', { attributes: { VisibilityTimeout: '120' } }).queueUrl;
const common = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const s3 = new S3Client({ ...common, forcePathStyle: true });
const sqs = new SQSClient(common);

const bodies: string[] = [];
for await (const entry of walkFiles([join(root, 'AWSLogs')])) {
  if ('error' in entry) continue;
  const key = relative(root, entry.path);
  const bytes = await readFile(entry.path);
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  bodies.push(
    JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
            object: { key: key.split('/').map(encodeURIComponent).join('/'), size: bytes.length, eTag: put.ETag?.replaceAll('"', '') },
          },
        },
      ],
    }),
  );
}
for (let i = 0; i < bodies.length; i += 10) {
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
}

const run = await runCli(
  ['ingest', '--queue-url', queueUrl, '--endpoint-url', endpoint, '--region', 'us-east-1', '--db', db, '--exit-when-idle', '--wait-time-seconds', '1', '--progress-interval', '0', ...(process.env.LIVE_CONC ? ['--concurrency', process.env.LIVE_CONC] : [])],
  { rssFile: `${db}.rss`, nodeArgs: process.env.LIVE_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.LIVE_PROF] : [], env: EMULATOR_ENV },
);
const events = await storedEvents(db);
s3.destroy();
sqs.destroy();
await server.stop();
emit({
  phase: 'live',
  ...cliFigures(events, run),
  // The committing thread's CPU: the bound on throughput once parse workers have cores of their own.
  mainCpuSeconds: run.cpu.main,
  eventsPerMainCpuSecond: run.cpu.main ? Math.round(events / run.cpu.main) : null,
  messages: bodies.length,
});
