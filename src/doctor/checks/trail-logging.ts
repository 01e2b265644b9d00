import { defineCheck } from '../types.js';
import type { DoctorContext } from '../context.js';
import { accountOfArn } from '../arn.js';

function ago(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m < 120 ? `${m} min ago` : m < 2880 ? `${Math.round(m / 60)} h ago` : `${Math.round(m / 1440)} days ago`;
}

/** What to change for a LatestDeliveryError (CloudTrail reports S3 and KMS errors by code). */
function deliveryErrorFix(ctx: DoctorContext, error: string, trailArn: string, account: string): string {
  const bucket = ctx.connector.bucket;
  if (/kms/i.test(error)) {
    return `add to the trail's KMS key policy: ${JSON.stringify({
      Sid: 'AllowCloudTrailEncrypt',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': trailArn }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${account}:trail/*` } },
    })}`;
  }
  if (/NoSuchBucket/i.test(error)) return `the bucket ${bucket} is gone: recreate it, or point the trail at another one (aws cloudtrail update-trail --name ${trailArn} --s3-bucket-name <bucket>)`;
  const folder = ctx.connector.type === 'organization' && ctx.connector.organizationId ? ctx.connector.organizationId : account;
  return `add to the bucket policy of ${bucket}: ${JSON.stringify({
    Sid: 'AWSCloudTrailWrite',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${bucket}/${ctx.logsRoot}${folder}/*`,
    Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
  })} and ${JSON.stringify({ Sid: 'AWSCloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${bucket}`, Condition: { StringEquals: { 'aws:SourceArn': trailArn } } })}`;
}

export const trailLogging = defineCheck({
  id: 'trail-logging',
  title: 'Trail is logging and delivering without error',
  why: 'A stopped trail, or one whose deliveries fail (bucket policy, KMS key), leaves a silent hole in the record: the findings then judge on missing evidence.',
  async run(ctx) {
    const found = await ctx.trail();
    if (!found) return { status: 'skip', found: 'no trail delivers to the bucket (see trail-configured)' };
    const t = found.trail;
    const name = t.TrailARN ?? t.Name ?? '';
    const s = await ctx.trailStatus(t);
    const now = ctx.now().getTime();
    const details = {
      isLogging: s.IsLogging ?? false,
      latestDeliveryTime: s.LatestDeliveryTime?.toISOString() ?? null,
      latestDeliveryError: s.LatestDeliveryError ?? null,
      stopLoggingTime: s.StopLoggingTime?.toISOString() ?? null,
    };
    if (!s.IsLogging) {
      return {
        status: 'fail',
        found: `trail ${name} is not logging${s.StopLoggingTime ? ` (stopped ${s.StopLoggingTime.toISOString()})` : ''}`,
        fix: `aws cloudtrail start-logging --name ${name}`,
        details,
      };
    }
    if (s.LatestDeliveryError) {
      const account = accountOfArn(name) ?? '<account>';
      return {
        status: 'fail',
        found: `trail ${name} fails to deliver to s3://${ctx.connector.bucket}: ${s.LatestDeliveryError}`,
        fix: deliveryErrorFix(ctx, s.LatestDeliveryError, name, account),
        details,
      };
    }
    const last = s.LatestDeliveryTime?.getTime();
    if (last === undefined) {
      return { status: 'fail', found: `trail ${name} is logging but has never delivered a file`, fix: `check the bucket policy and the KMS key policy of the trail (see CloudTrail's console for the error); the first file arrives within about 15 minutes`, details };
    }
    const age = now - last;
    if (age > ctx.thresholds.deliveryFailMs || age > ctx.thresholds.deliveryWarnMs) {
      return {
        status: age > ctx.thresholds.deliveryFailMs ? 'fail' : 'warn',
        found: `trail ${name} last delivered ${ago(age)} (${s.LatestDeliveryTime?.toISOString()}); an active account delivers every few minutes`,
        fix: `check that the accounts are active and that the trail still writes to s3://${ctx.connector.bucket} (aws cloudtrail get-trail-status --name ${name})`,
        details,
      };
    }
    return { status: 'pass', found: `trail ${name} is logging; last delivery ${ago(age)}, no delivery error`, details };
  },
});
