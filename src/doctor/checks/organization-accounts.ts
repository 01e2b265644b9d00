import { DescribeOrganizationCommand, paginateListAccounts } from '@aws-sdk/client-organizations';
import type { Account } from '@aws-sdk/client-organizations';
import { listFolders } from '../../sources/index.js';
import { defineCheck } from '../types.js';
import { diagnosticCall, MissingPermission } from '../aws-errors.js';
import type { DoctorContext } from '../context.js';

export interface OrganizationFacts {
  orgId: string;
  active: Account[];
}

/** The organization and its active accounts (ListAccounts answers only in the management or delegated administrator account). */
export function organizationOf(ctx: DoctorContext): Promise<OrganizationFacts> {
  return ctx.fact('organization', async () => {
    const org = await diagnosticCall('organizations:DescribeOrganization', undefined, () => ctx.clients.organizations.send(new DescribeOrganizationCommand({})));
    const active: Account[] = [];
    await diagnosticCall('organizations:ListAccounts', undefined, async () => {
      for await (const page of paginateListAccounts({ client: ctx.clients.organizations }, {})) {
        for (const a of page.Accounts ?? []) if ((a.State ?? a.Status) === 'ACTIVE') active.push(a);
      }
    });
    return { orgId: org.Organization?.Id ?? '', active };
  });
}

export const organizationAccounts = defineCheck({
  id: 'organization-accounts',
  title: 'Every active account of the organization has a log folder',
  why: 'An organization trail writes AWSLogs/<org-id>/<account>/ for each member account; an active account without a folder has no CloudTrail at all, so its identities can be judged on nothing.',
  skipWhen: (ctx) => (ctx.connector.type === 'organization' ? undefined : 'the connector reads one account, not an organization'),
  async run(ctx) {
    let org: OrganizationFacts;
    try {
      org = await organizationOf(ctx);
    } catch (err) {
      if (!(err instanceof MissingPermission)) throw err;
      return {
        status: 'warn',
        found: `${err.action} was denied: the account list is readable only from the management account or a delegated administrator, so the folders cannot be compared with it`,
        fix: `give the reader role ${err.action} (the optional diagnostics policy) in the management or a delegated administrator account, or run the doctor with a role there`,
        details: { missingPermission: err.action },
      };
    }
    const configured = ctx.connector.organizationId;
    if (configured && org.orgId && configured !== org.orgId) {
      return { status: 'fail', found: `the reader is in organization ${org.orgId}, but the connector reads ${configured}`, fix: `set the connector's organizationId to ${org.orgId}, or use a role in ${configured}` };
    }
    const orgId = configured ?? org.orgId;
    const root = `${ctx.logsRoot}${orgId}/`;
    const folders = new Set<string>();
    await diagnosticCall('s3:ListBucket', ctx.bucketArn, async () => {
      for await (const f of listFolders(ctx.clients.s3, ctx.connector.bucket, root)) folders.add(f);
    });
    const activeIds = org.active.map((a) => a.Id ?? '').filter(Boolean);
    const missing = org.active.filter((a) => a.Id && !folders.has(a.Id));
    const formerMembers = [...folders].filter((f) => /^\d{12}$/.test(f) && !activeIds.includes(f));
    const details = { orgId, activeAccounts: activeIds.length, missing: missing.map((a) => ({ id: a.Id, name: a.Name ?? null })), foldersOfNonMembers: formerMembers };
    if (missing.length) {
      const trail = (await ctx.trail().catch(() => undefined))?.trail;
      const trailName = trail?.TrailARN ?? '<trail>';
      return {
        status: 'fail',
        found: `${missing.length} of ${activeIds.length} active accounts have no folder under s3://${ctx.connector.bucket}/${root}: ${missing.map((a) => `${a.Id}${a.Name ? ` (${a.Name})` : ''}`).join(', ')}`,
        fix: `an account that joined in the last hour may not have delivered yet; otherwise make the trail an organization trail from the management account (aws cloudtrail update-trail --name ${trailName} --is-organization-trail) and let CloudTrail write AWSLogs/${orgId}/* in the bucket policy: ${JSON.stringify({ Sid: 'AWSCloudTrailOrganizationWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${ctx.connector.bucket}/${root}*`, Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailName } } })}`,
        details,
      };
    }
    return { status: 'pass', found: `all ${activeIds.length} active accounts of ${orgId} have a folder under s3://${ctx.connector.bucket}/${root}`, details };
  },
});
