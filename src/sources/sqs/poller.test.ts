import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, classifySqsError, toReceived } from './poller.js';

test('backoff doubles per attempt within [half, full] of the window and is capped; never 0', () => {
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60_000, () => 0)), [500, 1000, 2000, 4000]);
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60_000, () => 1)), [1000, 2000, 4000, 8000]);
  assert.equal(backoffMs(40, 1000, 60_000, () => 1), 60_000);
  assert.equal(backoffMs(40, 1000, 60_000, () => 0), 30_000);
});

test('SQS errors are classified for backoff, health problems and heartbeat stop', () => {
  const err = (name: string, status?: number, message = '') => Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
  assert.equal(classifySqsError(err('QueueDoesNotExist', 400)), 'queue-missing');
  assert.equal(classifySqsError(err('AWS.SimpleQueueService.NonExistentQueue', 400)), 'queue-missing');
  assert.equal(classifySqsError(err('ReceiptHandleIsInvalid', 400)), 'receipt-invalid');
  assert.equal(classifySqsError(err('InvalidParameterValue', 400)), 'receipt-invalid');
  assert.equal(classifySqsError(err('MessageNotInflight', 400)), 'receipt-invalid');
  assert.equal(classifySqsError(err('RequestThrottled', 400)), 'throttled');
  assert.equal(classifySqsError(err('ThrottlingException', 400)), 'throttled');
  assert.equal(classifySqsError(err('KmsThrottled', 400)), 'throttled');
  assert.equal(classifySqsError(err('AccessDenied', 403)), 'access');
  assert.equal(classifySqsError(err('KmsAccessDenied', 400)), 'access');
  assert.equal(classifySqsError(err('InternalError', 500)), 'network');
  assert.equal(classifySqsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'network');
  assert.equal(classifySqsError(err('AbortError')), 'aborted');
  assert.equal(classifySqsError(err('SomethingElse', 400)), 'other');
});

test('received messages carry ApproximateReceiveCount (1 when absent)', () => {
  assert.deepEqual(toReceived({ MessageId: 'm', ReceiptHandle: 'r', Body: 'b', Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1769817600000' } }), {
    messageId: 'm',
    receiptHandle: 'r',
    body: 'b',
    receiveCount: 3,
    sentAt: '2026-01-31T00:00:00.000Z',
  });
  assert.equal(toReceived({ MessageId: 'm', ReceiptHandle: 'r', Body: 'b' })?.receiveCount, 1);
  assert.equal(toReceived({ MessageId: 'm', Body: 'b' }), null);
});
