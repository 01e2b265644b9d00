/**
 * Errors of the diagnostic calls themselves. A denied read-only call is not a broken set-up: the
 * optional diagnostics policy (DIAGNOSTIC_ACTIONS) was not granted, so the check says which
 * action is missing instead of guessing.
 */

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return String(e.name ?? e.Code ?? e.code ?? 'Error');
}

export function errorMessage(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return e.message ?? String(err);
}

const DENIED = /^(AccessDenied|AccessDeniedException|AuthorizationError|UnauthorizedOperation|Forbidden|KMS\.AccessDeniedException|KmsAccessDenied.*)$/;

export function isAccessDenied(err: unknown): boolean {
  const name = errorName(err);
  if (DENIED.test(name)) return true;
  return (err as AwsLikeError | undefined)?.$metadata?.httpStatusCode === 403 && !/^KMS/.test(name);
}

export function isNotFound(err: unknown, ...names: string[]): boolean {
  const name = errorName(err);
  return names.includes(name) || (err as AwsLikeError | undefined)?.$metadata?.httpStatusCode === 404;
}

/** A diagnostic call was denied: the engine reports the check as `warn`, naming the action. */
export class MissingPermission extends Error {
  override readonly name = 'MissingPermission';
  constructor(
    /** The IAM action, e.g. cloudtrail:GetEventSelectors. */
    readonly action: string,
    /** The resource the call was about, when it names one. */
    readonly resource: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${action} was denied${resource ? ` on ${resource}` : ''}`, options);
  }
}

/** Runs a diagnostic call; an AccessDenied becomes MissingPermission(action). */
export async function diagnosticCall<T>(action: string, resource: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isAccessDenied(err)) throw new MissingPermission(action, resource, { cause: err });
    throw err;
  }
}

/**
 * The read-only actions the doctor uses beyond what ingestion needs (the optional diagnostics
 * policy). Without them the checks that need them warn; nothing else changes.
 */
export const DIAGNOSTIC_ACTIONS = [
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  's3:GetBucketNotification',
  's3:GetBucketLocation',
  's3:ListBucket',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'cloudwatch:GetMetricStatistics',
  'sns:ListSubscriptionsByTopic',
  'events:ListRules',
  'events:ListTargetsByRule',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
] as const;

/** The statement to add to the reader role for one missing diagnostic action. */
export function diagnosticsStatement(action: string, resource = '*'): string {
  return JSON.stringify({ Sid: 'TrailscopeDiagnostics', Effect: 'Allow', Action: [action], Resource: resource });
}

/** The whole optional diagnostics policy, as a policy document. */
export function diagnosticsPolicy(): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'TrailscopeDiagnostics', Effect: 'Allow', Action: [...DIAGNOSTIC_ACTIONS], Resource: '*' }] });
}
