/** Identity calls: STS, IAM (global) and console sign-in. */
import { arg, call, monthDay } from './catalog-base.js';
import type { ApiCall, CallContext, CloudTrailResource } from './catalog-base.js';

function assumeRoleResponse(c: CallContext, roleArn: string, session: string): Record<string, unknown> {
  const roleName = roleArn.split('/').pop() ?? 'role';
  return {
    credentials: {
      accessKeyId: 'ASIA' + c.rng.upper(16),
      sessionToken: 'IQoJb3JpZ2luX2Vj' + c.rng.alnum(160),
      expiration: monthDay(c.timeMs + 3_600_000),
    },
    assumedRoleUser: {
      assumedRoleId: `AROA${c.rng.upper(17)}:${session}`,
      arn: `arn:aws:sts::${roleArn.split(':')[4]}:assumed-role/${roleName}/${session}`,
    },
  };
}

function roleRes(roleArn: string): CloudTrailResource {
  return { accountId: roleArn.split(':')[4] ?? '', type: 'AWS::IAM::Role', ARN: roleArn };
}

// ---- STS ------------------------------------------------------------------------------------
export const STS_CALLS: ApiCall[] = [
  call('sts', 'GetCallerIdentity', { readOnly: true }),
  call('sts', 'AssumeRole', {
    readOnly: true,
    build: (c) => {
      const roleArn = arg(c, 'roleArn', () => `arn:aws:iam::${c.account.id}:role/deploy`);
      const session = arg(c, 'roleSessionName', () => `botocore-session-${Math.floor(c.timeMs / 1000)}`);
      const req: Record<string, unknown> = { roleArn, roleSessionName: session, durationSeconds: 3600 };
      if (c.args.externalId) req.externalId = c.args.externalId;
      return { requestParameters: req, responseElements: assumeRoleResponse(c, roleArn, session), resources: [roleRes(roleArn)] };
    },
  }),
  call('sts', 'AssumeRoleWithSAML', {
    readOnly: true,
    build: (c) => {
      const roleArn = arg(c, 'roleArn', () => `arn:aws:iam::${c.account.id}:role/saml`);
      const session = arg(c, 'roleSessionName', () => 'user@example.com');
      const provider = arg(c, 'principalArn', () => `arn:aws:iam::${c.account.id}:saml-provider/AWSSSO_0000_DO_NOT_DELETE`);
      const resp = assumeRoleResponse(c, roleArn, session);
      return {
        requestParameters: { sAMLAssertionID: '_' + c.rng.hex(32), roleSessionName: session, principalTags: {}, durationSeconds: 3600, roleArn, principalArn: provider },
        responseElements: { ...resp, subjectType: 'persistent', issuer: `https://portal.sso.${c.region}.amazonaws.com/saml/assertion/${c.rng.alnum(32)}`, audience: 'https://signin.aws.amazon.com/saml', nameQualifier: c.rng.alnum(27) + '=', sourceIdentity: '', subject: session },
        resources: [roleRes(roleArn), { accountId: c.account.id, type: 'AWS::IAM::SAMLProvider', ARN: provider }],
      };
    },
  }),
  call('sts', 'AssumeRoleWithWebIdentity', {
    readOnly: true,
    build: (c) => {
      const roleArn = arg(c, 'roleArn', () => `arn:aws:iam::${c.account.id}:role/github`);
      const session = arg(c, 'roleSessionName', () => 'GitHubActions');
      const provider = `arn:aws:iam::${c.account.id}:oidc-provider/token.actions.githubusercontent.com`;
      const resp = assumeRoleResponse(c, roleArn, session);
      return {
        requestParameters: { roleArn, roleSessionName: session, durationSeconds: 3600 },
        responseElements: { ...resp, subjectFromWebIdentityToken: arg(c, 'subject', () => 'repo:acme/app:ref:refs/heads/main'), provider: 'arn:aws:iam::' + c.account.id + ':oidc-provider/token.actions.githubusercontent.com', audience: 'sts.amazonaws.com' },
        resources: [roleRes(roleArn), { accountId: c.account.id, type: 'AWS::IAM::OIDCProvider', ARN: provider }],
      };
    },
  }),
];

// ---- IAM (global) -----------------------------------------------------------------------------
const iam = (name: string, opts: Parameters<typeof call>[2] = {}) => call('iam', name, { global: true, ...opts });
export const IAM_CALLS: ApiCall[] = [
  iam('ListUsers'),
  iam('ListRoles'),
  iam('ListPolicies', { build: () => ({ requestParameters: { scope: 'Local', onlyAttached: false }, responseElements: null }) }),
  iam('GetAccountSummary'),
  iam('GetAccountAuthorizationDetails'),
  iam('GetRole', { build: (c) => ({ requestParameters: { roleName: arg(c, 'roleName', () => c.rng.pick(c.account.res.functions.map((f) => f.roleArn.split('/').pop()!).concat(['OrganizationAccountAccessRole']))) }, responseElements: null }) }),
  iam('GetUser', { build: (c) => ({ requestParameters: { userName: arg(c, 'userName', () => c.actor.name) }, responseElements: null }) }),
  iam('ListAccessKeys', { build: (c) => ({ requestParameters: { userName: arg(c, 'userName', () => c.actor.name) }, responseElements: null }) }),
  iam('ListAttachedRolePolicies', { build: (c) => ({ requestParameters: { roleName: arg(c, 'roleName', () => 'OrganizationAccountAccessRole') }, responseElements: null }) }),
  iam('GetPolicy', { build: (c) => ({ requestParameters: { policyArn: arg(c, 'policyArn', () => 'arn:aws:iam::aws:policy/ReadOnlyAccess') }, responseElements: null }) }),
  iam('CreateUser', {
    build: (c) => {
      const userName = arg(c, 'userName', () => 'user-' + c.rng.hex(6));
      return {
        requestParameters: { userName },
        responseElements: { user: { path: '/', userName, userId: arg(c, 'userId', () => 'AIDA' + c.rng.upper(17)), arn: `arn:aws:iam::${c.account.id}:user/${userName}`, createDate: monthDay(c.timeMs) } },
      };
    },
  }),
  iam('CreateAccessKey', {
    build: (c) => {
      const userName = arg(c, 'userName', () => c.actor.name);
      return { requestParameters: { userName }, responseElements: { accessKey: { userName, accessKeyId: 'AKIA' + c.rng.upper(16), status: 'Active', createDate: monthDay(c.timeMs) } } };
    },
  }),
  iam('AttachUserPolicy', {
    build: (c) => ({ requestParameters: { userName: arg(c, 'userName', () => c.actor.name), policyArn: arg(c, 'policyArn', () => 'arn:aws:iam::aws:policy/ReadOnlyAccess') }, responseElements: null }),
  }),
  iam('AttachRolePolicy', {
    build: (c) => ({ requestParameters: { roleName: arg(c, 'roleName', () => 'app'), policyArn: arg(c, 'policyArn', () => 'arn:aws:iam::aws:policy/ReadOnlyAccess') }, responseElements: null }),
  }),
  iam('CreatePolicyVersion', {
    build: (c) => {
      const policyArn = arg(c, 'policyArn', () => `arn:aws:iam::${c.account.id}:policy/app`);
      const doc = arg(c, 'policyDocument', () => '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}');
      return {
        requestParameters: { policyArn, policyDocument: doc, setAsDefault: true },
        responseElements: { policyVersion: { versionId: 'v' + c.rng.int(2, 5), isDefaultVersion: true, createDate: monthDay(c.timeMs) } },
      };
    },
  }),
  iam('PutRolePolicy', {
    build: (c) => ({ requestParameters: { roleName: arg(c, 'roleName', () => 'app'), policyName: 'inline', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}' }, responseElements: null }),
  }),
  iam('GenerateCredentialReport', { readOnly: false, build: () => ({ requestParameters: null, responseElements: { state: 'STARTED', description: 'No report exists. Starting a new report generation task' } }) }),
];

// ---- Console sign-in --------------------------------------------------------------------------
export const SIGNIN_CALLS: ApiCall[] = [
  call('signin', 'ConsoleLogin', {
    action: 'signin:ConsoleLogin',
    readOnly: false,
    global: true,
    eventType: 'AwsConsoleSignIn',
    build: (c) => ({
      requestParameters: null,
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: {
        LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${c.region}_${c.rng.hex(16)}`,
        MobileVersion: 'No',
        MFAIdentifier: c.actor.mfa ? `arn:aws:iam::${c.account.id}:mfa/${c.actor.name}` : undefined,
        MFAUsed: c.actor.mfa ? 'Yes' : 'No',
      },
    }),
  }),
];
