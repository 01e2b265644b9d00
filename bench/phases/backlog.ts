// A worker started on a backlog: fauxqs (in-process S3/SQS emulator) is filled with --messages
// notifications (default 10,000), one small CloudTrail file each, before the real `trailscope
// ingest --exit-when-idle` starts on it. Measured: the worker's peak RSS, which must not grow with
// the backlog (the receive loop asks SQS only for free in-flight slots), and its wall time.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFauxqs } from 'fauxqs';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { arg, emit } from './common.js';
import { cliFigures, EMULATOR_ENV, runCli, storedEvents } from './cli-run.js';

const here = dirname(fileURLToPath(import.meta.url));
const db = arg('db');
const messagesArg = process.argv.indexOf('--messages');
const messages = messagesArg >= 0 ? Number(process.argv[messagesArg + 1]) : 10_000;
const EVENTS_PER_FILE = 20;
const bucket = 'bench-backlog';
if (!/^postgres(ql)?:\/\//i.test(db)) for (const suffix of ['', '-wal', '-shm']) await rm(db + suffix, { force: true });

const server = await startFauxqs({ port: 0, host: 'localhost', logger: false, defaultRegion: 'us-east-1', messageSpies: false });
const endpoint = `http://127.0.0.1:${server.port}`;
server.createBucket(bucket);
const queueUrl = server.createQueue('backlog', { attributes: { VisibilityTimeout: '120' } }).queueUrl;
const common = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const s3 = new S3Client({ ...common, forcePathStyle: true });
const sqs = new SQSClient(common);

const accounts = Array.from({ length: 10 }, (_, i) => String(210_000_000_000 + i));
const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const start = Date.UTC(2026, 0, 1);

function file(i: number): { key: string; body: Buffer } {
  const account = accounts[i % accounts.length]!;
  const region = regions[i % regions.length]!;
  const delivered = new Date(start + Math.floor(i / 30) * 300_000);
  const iso = delivered.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  const key = `AWSLogs/${account}/CloudTrail/${region}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${account}_CloudTrail_${region}_${stamp}_b${i}.json.gz`;
  const records = Array.from({ length: EVENTS_PER_FILE }, (_, j) => ({
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/app-${j % 7}/s`, accountId: account, principalId: 'AROAEXAMPLE:s' },
    eventTime: new Date(delivered.getTime() - 240_000 + j * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 's3.amazonaws.com',
    eventName: j % 3 === 0 ? 'GetObject' : 'ListBuckets',
    awsRegion: region,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-sdk-java/2.20',
    requestParameters: j % 3 === 0 ? { bucketName: `data-${account}`, key: `k/${i}/${j}` } : null,
    responseElements: null,
    requestID: `r-${i}-${j}`,
    eventID: randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: j % 3 !== 0,
    recipientAccountId: account,
    eventCategory: j % 3 === 0 ? 'Data' : 'Management',
  }));
  return { key, body: gzipSync(JSON.stringify({ Records: records })) };
}

// Fill the bucket and the queue before the worker starts: the whole backlog waits for it.
const bodies: string[] = [];
for (let i = 0; i < messages; i += 50) {
  const puts = [];
  for (let j = i; j < Math.min(messages, i + 50); j++) {
    const f = file(j);
    puts.push(s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: f.body })));
    bodies.push(JSON.stringify({ Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: f.key, size: f.body.length } } }] }));
  }
  await Promise.all(puts);
}
for (let i = 0; i < bodies.length; i += 100) {
  const sends = [];
  for (let j = i; j < Math.min(bodies.length, i + 100); j += 10) {
    sends.push(sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.slice(j, j + 10).map((b, k) => ({ Id: String(k), MessageBody: b })) })));
  }
  await Promise.all(sends);
}

const outDir = join(here, '..', 'out');
mkdirSync(outDir, { recursive: true });
const run = await runCli(
  ['ingest', '--queue-url', queueUrl, '--endpoint-url', endpoint, '--region', 'us-east-1', '--db', db, '--exit-when-idle', '--wait-time-seconds', '1', '--progress-interval', '0'],
  { rssFile: join(outDir, `backlog-${messages}.rss`), env: EMULATOR_ENV },
);
const events = await storedEvents(db);
s3.destroy();
sqs.destroy();
await server.stop();
if (events !== messages * EVENTS_PER_FILE) throw new Error(`expected ${messages * EVENTS_PER_FILE} events, the worker stored ${events}`);
emit({ phase: 'backlog', ...cliFigures(events, run), messages });
