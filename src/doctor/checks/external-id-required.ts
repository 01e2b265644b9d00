import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { defineCheck } from '../types.js';
import { isAccessDenied } from '../aws-errors.js';
import { trustStatement } from './identity.js';

export const externalIdRequired = defineCheck({
  id: 'external-id-required',
  title: 'The reader role demands the ExternalId',
  why: 'An ExternalId that the role\'s trust policy does not demand protects nothing: whoever can act as the trusted principal (or trick a service that does) assumes the role without it.',
  skipWhen: (ctx) =>
    !ctx.connector.roleArn || !ctx.connector.externalId
      ? 'the connector assumes no role with an ExternalId'
      : !ctx.clients.baseSts
        ? 'no client with the credentials before AssumeRole'
        : undefined,
  async run(ctx) {
    const sts = ctx.clients.baseSts!;
    const roleArn = ctx.connector.roleArn!;
    try {
      // The probe's credentials are dropped unused; CloudTrail records one AssumeRole without ExternalId.
      await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'trailscope-doctor-externalid-probe', DurationSeconds: 900 }));
    } catch (err) {
      if (isAccessDenied(err)) return { status: 'pass', found: `AssumeRole of ${roleArn} without the ExternalId is refused` };
      throw err;
    }
    const caller = (await sts.send(new GetCallerIdentityCommand({})).catch(() => undefined))?.Arn;
    return {
      status: 'fail',
      found: `${roleArn} can be assumed without the ExternalId${caller ? ` by ${caller}` : ''}: its trust policy does not demand sts:ExternalId`,
      fix: `replace the statement trusting ${caller ?? 'trailscope\'s principal'} in the trust policy of ${roleArn} with: ${trustStatement(caller ?? '<the principal trailscope runs as>', ctx.connector.externalId)}`,
      details: { roleArn, caller: caller ?? null },
    };
  },
});
