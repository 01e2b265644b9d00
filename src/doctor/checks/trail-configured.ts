import { defineCheck } from '../types.js';
import type { DoctorContext } from '../context.js';
import { shellArg } from '../arn.js';

function createTrailCommand(ctx: DoctorContext): string {
  const c = ctx.connector;
  return (
    `aws cloudtrail create-trail --name trailscope --s3-bucket-name ${c.bucket}${c.prefix ? ` --s3-key-prefix ${shellArg(c.prefix)}` : ''} --is-multi-region-trail` +
    `${c.type === 'organization' ? ' --is-organization-trail' : ''} && aws cloudtrail start-logging --name trailscope`
  );
}

export const trailConfigured = defineCheck({
  id: 'trail-configured',
  title: 'Trail delivers to the bucket, in every region',
  why: 'trailscope only sees what the trail writes: a single-region trail misses activity in the other regions, a trail without global service events misses IAM and STS, and an account trail misses the other accounts of an organization.',
  async run(ctx) {
    const c = ctx.connector;
    const where = `s3://${c.bucket}/${ctx.logsRoot}`;
    const found = await ctx.trail();
    if (!found) {
      const account = (await ctx.identity().catch(() => undefined))?.Account;
      return {
        status: 'fail',
        found: `no trail visible to account ${account ?? '(unknown)'} delivers to ${where} (cloudtrail:DescribeTrails, shadow trails included)`,
        fix: `create one (in the management account for an organization trail): ${createTrailCommand(ctx)}; if the trail belongs to an account trailscope's role cannot see, check the bucket and prefix against its S3BucketName and S3KeyPrefix`,
      };
    }
    const t = found.trail;
    const name = t.TrailARN ?? t.Name ?? '';
    const details = {
      trailArn: t.TrailARN ?? null,
      homeRegion: t.HomeRegion ?? null,
      multiRegion: t.IsMultiRegionTrail ?? false,
      organization: t.IsOrganizationTrail ?? false,
      kmsKeyId: t.KmsKeyId ?? null,
      snsTopicArn: t.SnsTopicARN ?? null,
      logFileValidation: t.LogFileValidationEnabled ?? false,
      otherTrails: found.others.map((o) => o.TrailARN ?? o.Name),
    };
    if (!t.IsMultiRegionTrail) {
      return {
        status: 'fail',
        found: `trail ${name} delivers to ${where} but records only its home region ${t.HomeRegion ?? ''}`,
        fix: `aws cloudtrail update-trail --name ${name} --is-multi-region-trail`,
        details,
      };
    }
    if (c.type === 'organization' && !t.IsOrganizationTrail) {
      return {
        status: 'fail',
        found: `trail ${name} is not an organization trail: only its own account's activity reaches ${where}`,
        fix: `from the organization's management account: aws cloudtrail update-trail --name ${name} --is-organization-trail`,
        details,
      };
    }
    if (t.IncludeGlobalServiceEvents === false) {
      return {
        status: 'warn',
        found: `trail ${name} excludes global service events: IAM, STS and CloudFront calls are not recorded, so identity findings lack evidence`,
        fix: `aws cloudtrail update-trail --name ${name} --include-global-service-events`,
        details,
      };
    }
    return {
      status: 'pass',
      found: `trail ${name} (home ${t.HomeRegion ?? 'unknown'}) delivers to ${where}, multi-region${t.IsOrganizationTrail ? ', organization trail' : ''}`,
      details,
    };
  },
});
