/**
 * A test stand-in for src/ingest/object.ts's processObject: GetObject over the wire, parse,
 * commit atomically. Errors carry `kind` like the S3 source's SourceError.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseFile, classifyKey } from '../../../src/parse/index.js';
import type { Store } from '../../../src/store/index.js';
import type { FileTask } from '../../../src/ingest/worker.js';
import { commitFile } from '../../../src/store/testing/write.js';

export class TestSourceError extends Error {
  constructor(
    readonly kind: 'permanent' | 'transient',
    readonly code: string,
    message: string,
    readonly fix = 'test fix',
  ) {
    super(message);
  }
}

export function s3ProcessFile(store: Store, s3: S3Client, connector = 'test') {
  const calls: FileTask[] = [];
  const fn = async (f: FileTask) => {
    calls.push(f);
    let bytes: Buffer;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: f.key }));
      bytes = Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'NoSuchKey') throw new TestSourceError('permanent', 'NoSuchKey', `s3://${f.bucket}/${f.key} does not exist`, 'nothing to ingest');
      throw new TestSourceError('transient', name, (err as Error).message);
    }
    const parsed = parseFile(bytes, f.key);
    const info = classifyKey(f.key);
    const base = { source: f.bucket, key: f.key, connector, accountId: info.accountId ?? null, processedAt: new Date().toISOString(), ...(f.etag ? { etag: f.etag } : {}), size: bytes.length };
    if (parsed.kind === 'digest' || parsed.kind === 'other') {
      await store.files.record({ ...base, status: 'skipped', kind: parsed.kind, eventCount: 0, newEvents: 0 });
      return { inserted: 0, duplicates: 0 };
    }
    const r = await commitFile(store.events, { ...base, status: 'done', kind: parsed.kind, eventCount: parsed.events.length, newEvents: 0 }, parsed.events);
    if (info.accountId) await store.ingest.bumpCounters({ connector, accountId: info.accountId, files: 1, events: r.inserted, duplicates: r.duplicates, fileAt: base.processedAt, fileKey: f.key });
    return r;
  };
  return Object.assign(fn, { calls });
}
