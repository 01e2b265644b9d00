/**
 * SQS primitives for the ingest worker: queue settings, long-poll receive, heartbeat
 * (visibility extension), delete and release, error classification and backoff.
 * The worker (src/ingest/worker.ts) decides what to do with each message.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';

/** SQS's own default, used when the queue's attributes cannot be read. */
export const DEFAULT_VISIBILITY_TIMEOUT = 30;

export interface QueueSettings {
  visibilityTimeout: number;
  /** The queue's redrive policy, when it has one: failed messages go to that DLQ. */
  redrive: { deadLetterTargetArn: string; maxReceiveCount: number } | null;
  /** false when GetQueueAttributes was denied and defaults are in use. */
  known: boolean;
}

export type SqsErrorClass =
  /** The queue does not exist (deleted, wrong URL or region). */
  | 'queue-missing'
  /** Throttled or SQS/KMS over capacity: slow down. */
  | 'throttled'
  /** Network, timeout, 5xx. */
  | 'network'
  /** The caller may not use the queue (IAM, queue policy, queue KMS key). */
  | 'access'
  /** The receipt handle no longer works: another consumer has the message, or it was deleted. */
  | 'receipt-invalid'
  | 'aborted'
  | 'other';

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function errorName(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return String(e.name ?? e.Code ?? e.code ?? 'Error');
}

export function classifySqsError(err: unknown): SqsErrorClass {
  const e = (err ?? {}) as AwsLikeError;
  const name = errorName(err);
  const text = `${name} ${e.Code ?? ''} ${e.message ?? ''}`;
  if (name === 'AbortError' || /aborted/i.test(name)) return 'aborted';
  if (/QueueDoesNotExist|NonExistentQueue/.test(text)) return 'queue-missing';
  if (/ReceiptHandleIsInvalid|MessageNotInflight|InvalidParameterValue/.test(name)) return 'receipt-invalid';
  if (/Throttl|RequestThrottled|OverLimit|TooManyRequests|SlowDown|KmsThrottling/.test(text)) return 'throttled';
  if (/AccessDenied|NotAuthorized|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch|KmsAccessDenied|KmsDisabled|KmsNotFound|KmsInvalidState|KmsInvalidKeyUsage/.test(text)) {
    return 'access';
  }
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'network';
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|socket hang up|TimeoutError|NetworkingError|RequestTimeout|ServiceUnavailable|InternalError/.test(
      text,
    )
  ) {
    return 'network';
  }
  if (status === undefined) return 'network';
  return 'other';
}

/**
 * Exponential backoff with full jitter: a random delay in [base·2^(attempt-1)/2, base·2^(attempt-1)],
 * capped. Half of the window is kept so consecutive retries never collapse to 0 (no hot loop).
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Resolves after ms, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function readQueueSettings(sqs: SQSClient, queueUrl: string, signal?: AbortSignal): Promise<QueueSettings> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
    signal ? { abortSignal: signal } : {},
  );
  const attrs = out.Attributes ?? {};
  const vis = Number(attrs.VisibilityTimeout);
  let redrive: QueueSettings['redrive'] = null;
  if (attrs.RedrivePolicy) {
    try {
      const p = JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      const max = Number(p.maxReceiveCount);
      if (typeof p.deadLetterTargetArn === 'string' && Number.isFinite(max) && max > 0) {
        redrive = { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: max };
      }
    } catch {
      // an unreadable policy is treated as none: we quarantine and delete ourselves
    }
  }
  return {
    visibilityTimeout: Number.isFinite(vis) && vis >= 0 ? vis : DEFAULT_VISIBILITY_TIMEOUT,
    redrive,
    known: true,
  };
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** ApproximateReceiveCount: 1 on first delivery. */
  receiveCount: number;
  sentAt: string | null;
}

export function toReceived(m: Message): ReceivedMessage | null {
  if (!m.ReceiptHandle) return null;
  const count = Number(m.Attributes?.ApproximateReceiveCount ?? '1');
  const sent = Number(m.Attributes?.SentTimestamp);
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle,
    body: m.Body ?? '',
    receiveCount: Number.isFinite(count) && count > 0 ? count : 1,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
  };
}

export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  opts: { max: number; waitTimeSeconds: number; signal?: AbortSignal },
): Promise<ReceivedMessage[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.max(1, Math.min(10, opts.max)),
      WaitTimeSeconds: opts.waitTimeSeconds,
      // Both spellings: older endpoints and emulators read only the deprecated AttributeNames.
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    }),
    opts.signal ? { abortSignal: opts.signal } : {},
  );
  const messages: ReceivedMessage[] = [];
  for (const m of out.Messages ?? []) {
    const r = toReceived(m);
    if (r) messages.push(r);
  }
  return messages;
}

export async function changeVisibility(sqs: SQSClient, queueUrl: string, receiptHandle: string, seconds: number): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
    }),
  );
}

export async function deleteMessage(sqs: SQSClient, queueUrl: string, receiptHandle: string): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
}

/**
 * Keeps a message hidden while it is processed: every half visibility timeout, extends it by
 * the full timeout. Stops on its own when SQS says the receipt handle no longer works
 * (ReceiptHandleIsInvalid / InvalidParameterValue / MessageNotInflight): the message is no longer
 * ours, and `lost` becomes true.
 */
export class VisibilityHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** True once SQS refused an extension because the handle is no longer valid. */
  lost = false;
  extensions = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly receiptHandle: string,
    private readonly visibilityTimeout: number,
    private readonly onError: (err: unknown, cls: SqsErrorClass) => void = () => {},
  ) {}

  start(): this {
    // At least every second, so that very short timeouts (tests, misconfigured queues) still work.
    const everyMs = Math.max(1000, Math.floor((this.visibilityTimeout * 1000) / 2));
    const tick = async () => {
      if (this.stopped) return;
      try {
        await changeVisibility(this.sqs, this.queueUrl, this.receiptHandle, Math.max(this.visibilityTimeout, 2));
        this.extensions++;
      } catch (err) {
        const cls = classifySqsError(err);
        this.onError(err, cls);
        if (cls === 'receipt-invalid' || cls === 'queue-missing') {
          this.lost = true;
          this.stop();
          return;
        }
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), everyMs);
    };
    this.timer = setTimeout(() => void tick(), everyMs);
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
