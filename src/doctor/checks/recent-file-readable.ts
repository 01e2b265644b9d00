import { gunzipSync } from 'node:zlib';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { fetchObject, SourceError } from '../../sources/index.js';
import { defineCheck } from '../types.js';
import { errorMessage, errorName, isAccessDenied, isNotFound } from '../aws-errors.js';
import type { DoctorContext } from '../context.js';
import { keyPolicyFix } from './kms-shared.js';

/** KMS refusals GetObject passes through (KMS.AccessDeniedException, or an AccessDenied naming kms:Decrypt). */
function kmsDenial(err: unknown): boolean {
  return /kms/i.test(`${errorName(err)} ${errorMessage(err)}`);
}

/** The object key and SSE key of the file read, for kms-key. */
export interface RecentFileFacts {
  key: string;
  sseKmsKeyId?: string;
}

export function recentFileHead(ctx: DoctorContext): Promise<RecentFileFacts | undefined> {
  return ctx.fact('recent-file-head', async () => {
    const r = await ctx.recentKey();
    if (!('key' in r)) return undefined;
    const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: ctx.connector.bucket, Key: r.key.key }));
    return { key: r.key.key, ...(head.SSEKMSKeyId ? { sseKmsKeyId: head.SSEKMSKeyId } : {}) };
  });
}

export const recentFileReadable = defineCheck({
  id: 'recent-file-readable',
  title: 'A recent log file can be read',
  why: 'Reading a file needs s3:GetObject and, for SSE-KMS, kms:Decrypt on the trail\'s key; S3 reports a missing kms:Decrypt as a plain AccessDenied, so the two are told apart here.',
  async run(ctx) {
    const bucket = ctx.connector.bucket;
    const r = await ctx.recentKey();
    if (!('key' in r)) {
      return { status: 'fail', found: r.none, fix: `see trail-logging; check the connector's bucket and prefix (the part of the key before AWSLogs/) against the trail's S3BucketName and S3KeyPrefix` };
    }
    const key = r.key.key;
    const where = `s3://${bucket}/${key}`;
    const principal = (await ctx.principal()) ?? 'the reader role';
    let head: HeadObjectCommandOutput;
    try {
      head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if (isNotFound(err, 'NotFound', 'NoSuchKey')) return { status: 'fail', found: `${where} was listed but is gone: a lifecycle rule or another tool deletes log files`, fix: `check the lifecycle rules of ${bucket}: aws s3api get-bucket-lifecycle-configuration --bucket ${bucket}` };
      if (!isAccessDenied(err)) throw err;
      const statement = JSON.stringify({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}/${ctx.logsRoot}*`, `arn:aws:s3:::${bucket}`] });
      return {
        status: 'fail',
        found: `s3:GetObject on ${where} is denied for ${principal} (HeadObject, which needs no KMS permission, is denied too: an S3 permission is missing)`,
        fix: `add to the reader role's policy: ${statement}; if the bucket is in another account, its bucket policy must allow the same to ${principal}; also look for a Deny in the bucket policy, an SCP or a VPC endpoint policy`,
        details: { key },
      };
    }
    const sseKey = head.SSEKMSKeyId;
    const details = { key, deliveredAt: r.key.deliveredAt, encryption: head.ServerSideEncryption ?? null, kmsKeyId: sseKey ?? null };
    let bytes: Buffer;
    try {
      bytes = (await fetchObject(ctx.clients, bucket, key)).bytes;
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      if (sseKey && kmsDenial(err.cause)) {
        return {
          status: 'fail',
          found: `kms:Decrypt on key ${sseKey} is denied for ${principal}: the object is readable (HeadObject works) but S3 cannot decrypt it (${errorName(err.cause)}: ${errorMessage(err.cause)})`,
          fix: keyPolicyFix(sseKey, principal),
          details,
        };
      }
      return { status: 'fail', found: `${where}: ${err.reason}`, fix: err.fix, details: { ...details, code: err.code } };
    }
    let records: unknown;
    try {
      records = (JSON.parse(gunzipSync(bytes).toString('utf8')) as { Records?: unknown }).Records;
    } catch {
      records = undefined;
    }
    if (!Array.isArray(records)) {
      return { status: 'fail', found: `${where} is readable but is not a gzipped CloudTrail file (no Records array)`, fix: `check that nothing else writes under s3://${bucket}/${ctx.logsRoot}`, details };
    }
    return {
      status: 'pass',
      found: `read ${where} (delivered ${r.key.deliveredAt}, ${records.length} records, ${sseKey ? `SSE-KMS key ${sseKey}` : (head.ServerSideEncryption ?? 'unencrypted')})`,
      details,
    };
  },
});
