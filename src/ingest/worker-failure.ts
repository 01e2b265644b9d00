/**
 * How the queue worker judges a failure: permanent or transient (classifyFailure), and which
 * failures are health problems worth an operator's attention, reported at most once a minute
 * per kind.
 */
import type { Store } from '../store/index.js';
import { NotificationError } from '../sources/index.js';
import { errorName } from '../sources/index.js';
import type { Logger } from './log.js';

export interface Failure {
  kind: 'permanent' | 'transient';
  code: string;
  message: string;
  fix: string;
}

interface AwsErrorShape {
  name?: string;
  kind?: unknown;
  code?: unknown;
  reason?: unknown;
  fix?: unknown;
  message?: string;
}

/** Maps an error thrown by processFile (or the body parser) to permanent/transient. */
export function classifyFailure(err: unknown): Failure {
  const e = (err ?? {}) as AwsErrorShape;
  const message = e instanceof Error || typeof e.message === 'string' ? String(e.message) : String(err);
  if (err instanceof NotificationError) {
    return { kind: 'permanent', code: 'unparseable-message', message: err.reason, fix: err.fix };
  }
  if (e.kind === 'permanent' || e.kind === 'transient') {
    return {
      kind: e.kind,
      code: typeof e.code === 'string' ? e.code : errorName(err),
      // SourceError keeps the bare reason apart from bucket/key
      message: typeof e.reason === 'string' ? e.reason : message,
      fix: typeof e.fix === 'string' ? e.fix : 'see the error message',
    };
  }
  if (e.name === 'ParseError') {
    return {
      kind: 'permanent',
      code: typeof e.code === 'string' ? e.code : 'parse-error',
      message: typeof e.reason === 'string' ? e.reason : message,
      fix: typeof e.fix === 'string' ? e.fix : 'check the object: it is not a readable CloudTrail file',
    };
  }
  const name = errorName(err);
  if (name === 'NoSuchKey' || name === 'NotFound') {
    return {
      kind: 'permanent',
      code: 'NoSuchKey',
      message,
      fix: 'the object named by the notification does not exist (deleted by a lifecycle rule, or the notification is for another bucket); nothing to ingest',
    };
  }
  return { kind: 'transient', code: name, message, fix: 'retried automatically; if it persists, check the error message and `trailscope status`' };
}

/** The health-problem kind for a failure worth an operator's attention, or null. */
export function problemKind(f: Failure): string | null {
  if (/kms/i.test(f.code)) return 'kms-decrypt';
  if (/AccessDenied|access-denied|Forbidden|NotAuthorized|InvalidAccessKeyId|ExpiredToken|SignatureDoesNotMatch|credentials/i.test(f.code)) return 'access-denied';
  if (/NoSuchBucket|no-such-bucket/i.test(f.code)) return 'bucket-missing';
  if (/wrong-region/.test(f.code)) return 'wrong-region';
  if (f.code === 'foreign-bucket') return 'foreign-bucket';
  return null;
}

export const isNoSuchKey = (f: Failure) => f.code === 'NoSuchKey' || f.code === 'no-such-key';

export type ProblemReporter = (kind: string, message: string, fix: string, where?: { bucket?: string | null; key?: string | null }) => Promise<void>;

/** Records health problems in the store, at most once a minute per kind. */
export function createProblemReporter(store: Store, connector: string, log: Logger, now: () => Date): ProblemReporter {
  const lastProblem = new Map<string, number>();
  const problem = async (kind: string, message: string, fix: string, where: { bucket?: string | null; key?: string | null } = {}) => {
    const t = Date.now();
    if ((lastProblem.get(kind) ?? -Infinity) > t - 60_000) return;
    lastProblem.set(kind, t);
    try {
      await store.ingest.reportProblem({ connector, kind, message, fix, bucket: where.bucket ?? null, key: where.key ?? null, at: now().toISOString() });
    } catch (err) {
      log.error('could not record health problem', { connector, kind, error: String(err) });
    }
  };
  return problem;
}
