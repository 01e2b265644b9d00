/**
 * Background activity: what an ordinary actor does at a given time, with the occasional denied
 * probe or operational error, and when people (as opposed to machines) are at work.
 */
import { cumulative } from './rng.js';
import type { Rng } from './rng.js';
import { getCall } from './catalog.js';
import type { ApiCall } from './catalog.js';
import type { Actor } from './model.js';
import type { CallError, PlannedEvent } from './records.js';
import { USER_AGENTS } from './builder.js';

/** Share of each UTC hour in human activity (working hours heavy). */
const HUMAN_HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 10, 13, 14, 14, 12, 9, 6, 4, 3, 2, 1, 1];
/** Actor styles that keep human hours. */
export const HUMAN_STYLES = new Set(['user-console', 'user-cli', 'sso', 'root']);

const DENY_PROBES = ['iam:ListRoles', 's3:ListBuckets', 'secretsmanager:ListSecrets', 'kms:ListKeys', 'ec2:DescribeInstances', 'dynamodb:ListTables', 'iam:GetAccountSummary'];
const DENY_CODES: Record<string, string> = {
  'ec2.amazonaws.com': 'Client.UnauthorizedOperation',
  'dynamodb.amazonaws.com': 'AccessDeniedException',
  'kms.amazonaws.com': 'AccessDeniedException',
  'secretsmanager.amazonaws.com': 'AccessDeniedException',
  'lambda.amazonaws.com': 'AccessDeniedException',
};
const OP_ERRORS: Record<string, CallError[]> = {
  's3.amazonaws.com': [{ code: 'NoSuchKey', message: 'The specified key does not exist.' }, { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' }],
  'dynamodb.amazonaws.com': [{ code: 'ConditionalCheckFailedException', message: 'The conditional request failed' }, { code: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.' }],
  'lambda.amazonaws.com': [{ code: 'ResourceConflictException', message: 'The operation cannot be performed at this time. An update is in progress for resource' }],
  'ssm.amazonaws.com': [{ code: 'ParameterNotFound', message: '' }],
  'ec2.amazonaws.com': [{ code: 'Client.RequestLimitExceeded', message: 'Request limit exceeded.' }],
  'secretsmanager.amazonaws.com': [{ code: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }],
  'cloudformation.amazonaws.com': [{ code: 'ValidationError', message: 'Stack with id does not exist' }],
};
const THROTTLE: CallError = { code: 'ThrottlingException', message: 'Rate exceeded' };

const HOUR_CUM = cumulative(HUMAN_HOURS);
export function weightedHour(rng: Rng): number {
  return rng.pickCumulative(HOUR_CUM);
}

export function backgroundEvent(rng: Rng, actor: Actor, callCum: Float64Array, timeMs: number): PlannedEvent {
  let call: ApiCall = actor.activity.calls[rng.pickCumulative(callCum)]!;
  const account = actor.account;
  let error: CallError | undefined;
  let userAgent: string | undefined;
  if (rng.chance(0.03)) {
    if (actor.deniable && rng.chance(0.6)) {
      const granted = new Set(actor.activity.calls.map((c) => c.action));
      const probes = DENY_PROBES.filter((k) => !granted.has(getCall(k).action));
      if (probes.length) {
        call = getCall(rng.pick(probes));
        const who = actor.style === 'user-cli' ? actor.arn : `arn:aws:sts::${account.id}:assumed-role/${actor.name}/${actor.sessionNames[0]}`;
        const code = DENY_CODES[call.eventSource] ?? 'AccessDenied';
        const base = `User: ${who} is not authorized to perform: ${call.action} because no identity-based policy allows the ${call.action} action`;
        error = { code, message: code === 'Client.UnauthorizedOperation' ? `You are not authorized to perform this operation. ${base}` : base };
        if (rng.chance(0.03)) userAgent = rng.pick(USER_AGENTS.hostile);
      }
    } else {
      error = rng.pick(OP_ERRORS[call.eventSource] ?? [THROTTLE]);
    }
  }
  const region = call.global ? 'us-east-1' : (actor.homeRegion ?? rng.weighted(account.regions, account.regionWeights));
  return { timeMs, actor, call, region, error, userAgent, args: actor.argsFor?.(rng) };
}
