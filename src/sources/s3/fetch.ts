import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { DescribeKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { Readable } from 'node:stream';
import type { AwsClients } from '../../aws/index.js';
import { SourceError, classifyS3Error, errorName, httpStatus } from './errors.js';

export interface FetchedObject {
  bytes: Buffer;
  /** ETag without quotes. */
  etag: string | undefined;
  size: number;
  /** The KMS key the object is encrypted with (SSE-KMS), as S3 reports it. */
  sseKmsKeyId?: string;
  versionId?: string;
  lastModified?: Date;
}

/** The clients fetchObject needs (a subset of AwsClients, so tests can pass their own). */
export type S3Clients = Pick<AwsClients, 's3' | 'kmsIn' | 'principal'>;

export interface FetchOptions {
  /** Refuse objects larger than this (default 1 GiB; CloudTrail files are a few MB at most). */
  maxBytes?: number;
  signal?: AbortSignal;
}

const DEFAULT_MAX = 1024 * 1024 * 1024;

export function unquoteEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/**
 * Downloads one object. The body is streamed into a buffer of the announced length, so a large
 * file is never held twice. Every failure is a SourceError: permanent (the object is gone,
 * archived, too large) or transient (throttling, 5xx, network, a permission that can be granted).
 * An AccessDenied is diagnosed: HeadObject tells a missing kms:Decrypt (object readable,
 * key not) from a missing s3:GetObject.
 */
export async function fetchObject(clients: S3Clients, bucket: string, key: string, opts: FetchOptions = {}): Promise<FetchedObject> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX;
  let res;
  try {
    res = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), opts.signal ? { abortSignal: opts.signal } : {});
  } catch (err) {
    const classified = classifyS3Error(err, bucket, key);
    if (classified.code === 'access-denied') throw await diagnoseAccessDenied(clients, bucket, key, classified);
    throw classified;
  }
  const length = res.ContentLength;
  if (length !== undefined && length > maxBytes) {
    (res.Body as Readable | undefined)?.destroy?.();
    throw new SourceError('permanent', 'too-large', `the object is ${length} bytes, more than the ${maxBytes}-byte limit`, 'CloudTrail log files are a few MB; check that the key really is a CloudTrail file', bucket, key);
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(res.Body as AsyncIterable<Uint8Array> | undefined, length, maxBytes);
  } catch (err) {
    if (err instanceof BodyError) {
      throw new SourceError(err.permanent ? 'permanent' : 'transient', err.code, err.message, err.fix, bucket, key, { cause: err });
    }
    const c = classifyS3Error(err, bucket, key);
    throw new SourceError('transient', c.code === 'access-denied' ? 'network' : c.code, `the download broke off: ${c.reason}`, 'retried on the next delivery', bucket, key, { cause: err });
  }
  const out: FetchedObject = { bytes, etag: unquoteEtag(res.ETag), size: bytes.length };
  if (res.SSEKMSKeyId) out.sseKmsKeyId = res.SSEKMSKeyId;
  if (res.VersionId) out.versionId = res.VersionId;
  if (res.LastModified) out.lastModified = res.LastModified;
  return out;
}

class BodyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fix: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

async function readBody(body: AsyncIterable<Uint8Array> | undefined, length: number | undefined, maxBytes: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if (length !== undefined) {
    // One allocation of the announced size; chunks are copied in and dropped.
    const out = Buffer.allocUnsafe(length);
    let at = 0;
    for await (const chunk of body) {
      if (at + chunk.length > length) {
        throw new BodyError('truncated', `the body is longer than its Content-Length (${length})`, 'retried on the next delivery', false);
      }
      out.set(chunk, at);
      at += chunk.length;
    }
    if (at !== length) throw new BodyError('truncated', `the download ended after ${at} of ${length} bytes`, 'retried on the next delivery', false);
    return out;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) throw new BodyError('too-large', `the object is larger than the ${maxBytes}-byte limit`, 'check that the key really is a CloudTrail file', true);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

function keyRegion(keyArn: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:/.exec(keyArn)?.[1];
}
function arnAccount(arn: string | undefined): string | undefined {
  return arn ? /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1] : undefined;
}

/**
 * GetObject said AccessDenied. A missing kms:Decrypt looks exactly like a missing s3:GetObject
 * (boto3#2952), so ask HeadObject, which needs no KMS permission: if it works and names a KMS
 * key, the key is the problem; if it is denied too, S3 permissions are.
 */
export async function diagnoseAccessDenied(clients: S3Clients, bucket: string, key: string, original: SourceError): Promise<SourceError> {
  const principal = await clients.principal().catch(() => undefined);
  const who = principal ?? 'the credentials trailscope runs with';
  const objectArn = `arn:aws:s3:::${bucket}/${key}`;
  const mk = (code: string, reason: string, fix: string, kind: 'transient' | 'permanent' = 'transient') =>
    new SourceError(kind, code, reason, fix, bucket, key, { cause: original.cause });

  let head: HeadObjectCommandOutput;
  try {
    head = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    const status = httpStatus(err);
    const name = errorName(err);
    if (status === 404 || name === 'NotFound' || name === 'NoSuchKey') {
      return classifyS3Error(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }), bucket, key);
    }
    if (status === 403 || name === 'Forbidden' || name === 'AccessDenied') {
      // Grant the whole log tree, not one file: the next file would be denied too.
      const at = key.lastIndexOf('AWSLogs/');
      const resource = at >= 0 ? `arn:aws:s3:::${bucket}/${key.slice(0, at + 'AWSLogs/'.length)}*` : objectArn;
      const statement = JSON.stringify({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [resource, `arn:aws:s3:::${bucket}`] });
      return mk(
        'access-denied',
        `s3:GetObject on ${objectArn} is missing for ${who} (GetObject and HeadObject are both denied; without s3:ListBucket S3 also answers AccessDenied for a key that does not exist)`,
        `add to the reader's role policy: ${statement}; if the bucket is in another account, its bucket policy must allow the same actions to ${principal ?? 'the reader role'}; also look for a Deny in the bucket policy, an SCP or a VPC endpoint policy`,
      );
    }
    return original;
  }

  const sse = head.ServerSideEncryption ?? '';
  const keyId = head.SSEKMSKeyId;
  if (!sse.startsWith('aws:kms') || !keyId) {
    return mk(
      'access-denied',
      `GetObject on ${objectArn} is denied for ${who} although HeadObject works and the object is not KMS-encrypted (${sse || 'no SSE header'})`,
      `look for a Deny on s3:GetObject that spares HeadObject: a bucket policy condition (aws:SecureTransport, aws:SourceVpce, aws:PrincipalOrgID), an SCP or a VPC endpoint policy`,
    );
  }

  const region = keyRegion(keyId);
  let meta: KeyMetadata | undefined;
  let alias: string | undefined;
  if (region) {
    const kms = clients.kmsIn(region);
    try {
      meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    } catch {
      // kms:DescribeKey is optional: without it we still name the key by its ARN.
    }
    try {
      const aliases = await kms.send(new ListAliasesCommand({ KeyId: meta?.KeyId ?? keyId }));
      alias = aliases.Aliases?.map((a) => a.AliasName).find((n): n is string => Boolean(n));
    } catch {
      // kms:ListAliases is optional too.
    }
  }
  const keyArn = meta?.Arn ?? keyId;
  const named = `${keyArn}${alias ? ` (${alias})` : ''}`;
  if (meta?.KeyState && meta.KeyState !== 'Enabled') {
    const fix =
      meta.KeyState === 'PendingDeletion'
        ? 'cancel the key deletion (kms:CancelKeyDeletion) and enable it; files encrypted with a deleted key are lost'
        : meta.KeyState === 'Disabled'
          ? 'enable the key (kms:EnableKey) in the account that owns it'
          : `the key must be Enabled for S3 to decrypt the object`;
    return mk('kms-key-unusable', `the object's KMS key ${named} is ${meta.KeyState}, so S3 cannot decrypt it for ${who}`, fix);
  }
  const keyAccount = arnAccount(keyArn);
  const principalAccount = arnAccount(principal);
  const keyStatement = JSON.stringify({
    Sid: 'AllowTrailscopeDecrypt',
    Effect: 'Allow',
    Principal: { AWS: principal ?? 'arn:aws:iam::<reader-account>:role/<reader-role>' },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } },
  });
  const roleStatement = JSON.stringify({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn });
  const crossAccount = keyAccount && principalAccount && keyAccount !== principalAccount;
  return mk(
    'kms-decrypt',
    `kms:Decrypt on key ${named} is missing for ${who}: the object is readable (HeadObject works) but encrypted with SSE-KMS, and S3 answers AccessDenied when the reader cannot use the key`,
    `add to the key policy of ${keyArn}: ${keyStatement}` +
      (crossAccount
        ? `; the key is in account ${keyAccount}, so the reader's role policy in ${principalAccount} must also allow it: ${roleStatement}`
        : `; and make sure the reader's role policy allows it: ${roleStatement}`),
  );
}
