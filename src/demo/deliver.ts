/**
 * Plays CloudTrail and the bucket: puts each file in the emulated bucket, then announces it on
 * its route, batch after batch in delivery order, spread over `durationMs` (0: as fast as
 * possible). Counts what the queue actually received, by the shape trailscope's parser sees.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { parseNotification } from '../sources/index.js';
import type { NotificationShape } from '../sources/index.js';
import type { DemoEmulator } from './emulator.js';
import type { TrailFile } from './organization.js';
import { sleep } from './sleep.js';
import { cloudTrailNotification, eventBridgeObjectCreated, planDeliveries, s3EventNotification, s3TestEvent } from './notifications.js';
import type { DeliveryBatch, DemoContext, DemoRoute, StoredObject } from './notifications.js';

const PARALLEL_BATCHES = 8;

export interface DeliveryReport {
  files: number;
  /** Messages sent, by route (the test event counts under 's3'). */
  sent: Record<DemoRoute, number>;
  /** Messages the queue received, by the shape the parser recognises in them. */
  received: Partial<Record<NotificationShape, number>>;
  /** Queue bodies the parser rejected (should be none). */
  unreadable: number;
}

export interface DeliveryOptions {
  durationMs: number;
  signal: AbortSignal;
  accountId: string;
  onProgress?: (delivered: number, total: number) => void;
}

export async function deliverFiles(em: DemoEmulator, files: readonly TrailFile[], o: DeliveryOptions): Promise<DeliveryReport> {
  const ctx: DemoContext = { region: em.region, accountId: o.accountId };
  const report: DeliveryReport = { files: 0, sent: { s3: 0, 's3-via-sns': 0, 'cloudtrail-sns': 0, eventbridge: 0 }, received: {}, unreadable: 0 };
  const tally = () => {
    for (const body of em.takeQueuedBodies()) {
      try {
        const shape = parseNotification(body).shape;
        report.received[shape] = (report.received[shape] ?? 0) + 1;
      } catch {
        report.unreadable += 1;
      }
    }
  };
  const sendToQueue = (body: string) => em.sqs.send(new SendMessageCommand({ QueueUrl: em.queueUrl, MessageBody: body }));
  const publish = (topicArn: string, body: string, subject?: string) => em.sns.send(new PublishCommand({ TopicArn: topicArn, Message: body, ...(subject ? { Subject: subject } : {}) }));

  // Saving the bucket's notification rule makes S3 send its test event first.
  await sendToQueue(s3TestEvent(em.bucket, new Date().toISOString()));
  report.sent.s3 += 1;

  const batches = planDeliveries(files.map((f) => f.kind));
  const deliver = async (batch: DeliveryBatch) => {
    const stored = await Promise.all(batch.files.map((i) => put(em, files[i]!)));
    await announce(batch.route, stored);
    report.files += stored.length;
    tally();
    o.onProgress?.(report.files, files.length);
  };
  if (o.durationMs <= 0) {
    // As fast as possible: a few batches at a time (the order no longer matters to anyone watching).
    let next = 0;
    const lane = async () => {
      while (next < batches.length && !o.signal.aborted) await deliver(batches[next++]!);
    };
    await Promise.all(Array.from({ length: PARALLEL_BATCHES }, lane));
  } else {
    const pause = o.durationMs / Math.max(1, batches.length);
    const started = Date.now();
    for (const [n, batch] of batches.entries()) {
      if (o.signal.aborted) break;
      await deliver(batch);
      // Paced against the start, so slow sends do not stretch the whole delivery.
      await sleep(started + (n + 1) * pause - Date.now(), o.signal);
    }
  }
  tally();
  return report;

  async function announce(route: DemoRoute, stored: StoredObject[]): Promise<void> {
    if (route === 'cloudtrail-sns') {
      await publish(em.cloudTrailTopicArn, cloudTrailNotification(em.bucket, stored.map((s) => s.key)));
      report.sent[route] += 1;
      return;
    }
    await Promise.all(
      stored.map(async (s) => {
        if (route === 's3') await sendToQueue(s3EventNotification(s, ctx));
        else if (route === 's3-via-sns') await publish(em.s3TopicArn, s3EventNotification(s, ctx), 'Amazon S3 Notification');
        else await sendToQueue(eventBridgeObjectCreated(s, ctx));
        report.sent[route] += 1;
      }),
    );
  }
}

async function put(em: DemoEmulator, f: TrailFile): Promise<StoredObject> {
  const out = await em.s3.send(new PutObjectCommand({ Bucket: em.bucket, Key: f.key, Body: f.body }));
  return { bucket: em.bucket, key: f.key, size: f.body.byteLength, etag: out.ETag ?? '', time: new Date().toISOString() };
}
