import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqsForTest } from './fauxqs.js';

test('fauxqs helper: S3 round trip and SQS round trip on a free port', async () => {
  const fx = await startFauxqsForTest({ buckets: ['b'], queues: ['q'] });
  try {
    assert.match(fx.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(fx.port, 4566);
    await fx.s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'a/b c.txt', Body: 'hello' }));
    const got = await fx.s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'a/b c.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello');
    const url = fx.queueUrls.q;
    assert.ok(url);
    await fx.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"x":1}' }));
    const r = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    assert.equal(r.Messages?.[0]?.Body, '{"x":1}');
  } finally {
    await fx.stop();
  }
});
