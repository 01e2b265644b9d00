/**
 * Why an S3 object could not be read, in terms an operator can act on.
 *
 * `kind` drives what the caller does with the notification: 'permanent' means retrying cannot
 * help (the object is gone, or its content is damaged), so record it and move on; 'transient'
 * means it may work later (throttling, a 5xx, the network, or a permission someone can grant),
 * so leave the message for redelivery.
 */
export type SourceErrorKind = 'permanent' | 'transient';

export type SourceErrorCode =
  | 'no-such-key'
  | 'no-such-bucket'
  | 'access-denied'
  | 'kms-decrypt'
  | 'kms-key-unusable'
  | 'archived'
  | 'wrong-region'
  | 'credentials'
  | 'throttled'
  | 'server-error'
  | 'network'
  | 'truncated'
  | 'too-large'
  | 'not-cloudtrail'
  // Parse failures carry the parser's code (corrupt-gzip, malformed-json, ...).
  | (string & {});

export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly kind: SourceErrorKind,
    readonly code: SourceErrorCode,
    /** What is wrong (no bucket/key prefix: those are separate fields). */
    readonly reason: string,
    readonly fix: string,
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`s3://${bucket}/${key}: ${reason}`, options);
  }

  /** A plain object for logs, quarantine records and JSON output. */
  toJSON(): { kind: SourceErrorKind; code: string; message: string; fix: string; bucket: string; key: string } {
    return { kind: this.kind, code: this.code, message: this.reason, fix: this.fix, bucket: this.bucket, key: this.key };
  }
}

/** Shape of SDK errors we look at (service exceptions and network errors alike). */
export interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function errorName(err: unknown): string {
  const e = (err ?? {}) as SdkErrorLike;
  return e.Code ?? e.name ?? e.code ?? 'Error';
}

export function httpStatus(err: unknown): number | undefined {
  return ((err ?? {}) as SdkErrorLike).$metadata?.httpStatusCode;
}

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ServiceUnavailable', 'RequestThrottled']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'InvalidToken', 'TokenRefreshRequired', 'CredentialsProviderError', 'InvalidClientTokenId']);

/**
 * Classifies an SDK error from GetObject/HeadObject. AccessDenied is returned as code
 * 'access-denied' here; fetchObject diagnoses it further (KMS or S3 permission).
 */
export function classifyS3Error(err: unknown, bucket: string, key: string): SourceError {
  const name = errorName(err);
  const status = httpStatus(err);
  const e = (err ?? {}) as SdkErrorLike;
  const msg = e.message ?? String(err);
  const where = `s3://${bucket}/${key}`;
  const mk = (kind: SourceErrorKind, code: SourceErrorCode, reason: string, fix: string) => new SourceError(kind, code, reason, fix, bucket, key, { cause: err });

  if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) {
    return mk('permanent', 'no-such-key', `the object named by the notification does not exist (NoSuchKey); was it deleted by a lifecycle rule?`, `check the bucket's lifecycle rules and whether another tool moves or deletes log files after delivery; if the key looks URL-encoded (%2F, +), the notification was not decoded`);
  }
  if (name === 'NoSuchBucket') {
    return mk('permanent', 'no-such-bucket', `the bucket "${bucket}" does not exist (NoSuchBucket)`, `check the bucket name in the connector configuration and the trail's S3BucketName (cloudtrail:GetTrail)`);
  }
  if (name === 'InvalidObjectState') {
    return mk('permanent', 'archived', `the object is in an archive storage class (Glacier/Deep Archive) and cannot be read without a restore`, `restore it (s3:RestoreObject) before importing, or import only days still in a readable storage class`);
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || name === 'IllegalLocationConstraintException') {
    return mk('transient', 'wrong-region', `the bucket is in another region than the one requested (${name})`, `set the connector's region to the bucket's region (s3:GetBucketLocation)`);
  }
  if (/Region is missing/i.test(msg)) {
    return mk('transient', 'config', 'no AWS region is configured', 'set AWS_REGION (or the connector\'s region / --aws-region)');
  }
  if (name === 'CredentialsProviderError' && /Could not load credentials/i.test(msg)) {
    return mk('transient', 'credentials', 'no AWS credentials found', 'provide credentials: environment variables, a profile (AWS_PROFILE / --profile), SSO login, or an instance/container role');
  }
  if (CREDENTIALS.has(name)) {
    return mk('transient', 'credentials', `AWS rejected the credentials (${name}): ${msg}`, `check the credentials trailscope runs with (environment, profile or instance role) and, with --role-arn, that the role can be assumed`);
  }
  if (name.startsWith('KMS.') || name === 'KMSKeyNotAccessible' || name === 'KMS.DisabledException') {
    return mk('transient', 'kms-key-unusable', `S3 could not use the object's KMS key (${name}): ${msg}`, `check the key's state (kms:DescribeKey) and that the key policy lets the reader decrypt`);
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    return mk('transient', 'access-denied', `access denied reading ${where}`, `allow s3:GetObject on arn:aws:s3:::${bucket}/${key} for the reader`);
  }
  if (THROTTLING.has(name) || e.$retryable?.throttling || status === 429 || status === 503) {
    return mk('transient', 'throttled', `S3 throttled the request (${name})`, `nothing to do if it passes; lower --concurrency if it persists`);
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return mk('transient', 'server-error', `S3 answered with a server error (${name}${status ? ` ${status}` : ''})`, `retried on the next delivery; check the AWS Health Dashboard if it persists`);
  }
  if (NETWORK.has(name) || NETWORK.has(e.code ?? '') || status === undefined) {
    return mk('transient', 'network', `could not reach S3 (${e.code ?? name}): ${msg}`, `check network access to S3 (proxy, VPC endpoint, DNS) and the endpoint URL`);
  }
  return mk('transient', name, `S3 error ${name}${status ? ` (HTTP ${status})` : ''}: ${msg}`, `check the error code in the S3 documentation; retried on the next delivery`);
}
