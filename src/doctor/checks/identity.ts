import { defineCheck } from '../types.js';
import { errorMessage, errorName, isAccessDenied } from '../aws-errors.js';

const CREDENTIAL_ERRORS = /CredentialsProviderError|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch|UnrecognizedClient|InvalidAccessKeyId/;

/** The role's name from its ARN (the part after the last '/': a path is not in session ARNs). */
function roleName(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** The trust-policy statement that lets `who` assume the role, only with our ExternalId. */
export function trustStatement(who: string, externalId: string | undefined): string {
  return JSON.stringify({
    Effect: 'Allow',
    Principal: { AWS: who },
    Action: 'sts:AssumeRole',
    ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
  });
}

export const identity = defineCheck({
  id: 'identity',
  title: 'AWS identity and assumed role',
  why: 'Every other call runs as this identity; with a reader role, AssumeRole must succeed with the connector\'s ExternalId, which protects the role from being used on someone else\'s behalf (confused deputy).',
  required: true,
  async run(ctx) {
    const { roleArn, externalId } = ctx.connector;
    let arn: string;
    try {
      arn = (await ctx.identity()).Arn ?? '';
    } catch (err) {
      const name = errorName(err);
      const message = errorMessage(err);
      if (roleArn && (isAccessDenied(err) || /AssumeRole/i.test(message))) {
        // STS names the caller: "User: arn:aws:iam::111:user/x is not authorized to perform: sts:AssumeRole".
        const caller = /User: (arn:\S+) is not authorized/.exec(message)?.[1];
        return {
          status: 'fail',
          found: `AssumeRole of ${roleArn}${externalId ? ' with the connector\'s ExternalId' : ''} was refused (${name}): ${message}`,
          fix: `add to the trust policy of ${roleArn}: ${trustStatement(caller ?? '<the principal trailscope runs as>', externalId)}`,
          details: { roleArn, caller: caller ?? null },
        };
      }
      if (CREDENTIAL_ERRORS.test(name) || CREDENTIAL_ERRORS.test(message)) {
        return {
          status: 'fail',
          found: `no usable AWS credentials (${name}): ${message}`,
          fix: 'provide credentials: environment variables, a profile (AWS_PROFILE), SSO login, or an instance/container role',
        };
      }
      throw err;
    }
    if (!roleArn) {
      return { status: 'pass', found: `trailscope runs as ${arn} (the connector assumes no role)`, details: { arn } };
    }
    const m = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
    const wantAccount = /::(\d{12}):/.exec(roleArn)?.[1];
    if (!m || m[1] !== wantAccount || m[2] !== roleName(roleArn)) {
      return {
        status: 'fail',
        found: `calls run as ${arn}, not as the connector's role ${roleArn}`,
        fix: `check the connector's roleArn and that nothing overrides the credentials (AWS_* variables, the profile)`,
        details: { arn, roleArn },
      };
    }
    if (!externalId) {
      return {
        status: 'warn',
        found: `trailscope assumes ${roleArn} without an ExternalId: any AWS customer who learns the role ARN can ask a service to use it`,
        fix: `set the connector's externalId, and add the condition to the role's trust policy: ${JSON.stringify({ StringEquals: { 'sts:ExternalId': '<the connector\'s externalId>' } })}`,
        details: { arn, roleArn },
      };
    }
    return { status: 'pass', found: `trailscope runs as ${arn}: role ${roleArn} assumed with the connector's ExternalId`, details: { arn, roleArn } };
  },
});
