/**
 * The API calls the synthetic organization makes, with requestParameters / responseElements
 * shaped like the ones real CloudTrail records carry for the same call.
 */
import type { Rng } from './rng.js';
import type { AccountInfo, Actor } from './model.js';

export interface CallContext {
  rng: Rng;
  account: AccountInfo;
  region: string;
  actor: Actor;
  timeMs: number;
  /** Values a scripted (planted) event pins, e.g. { role: 'arn:...' } for CreateFunction. */
  args: Record<string, string>;
}

export interface CloudTrailResource {
  accountId?: string;
  type: string;
  ARN: string;
}

export interface BuiltCall {
  requestParameters: unknown;
  responseElements: unknown;
  resources?: CloudTrailResource[];
  additionalEventData?: Record<string, unknown>;
}

export interface ApiCall {
  /** `<service>:<eventName>`, unique. */
  key: string;
  eventSource: string;
  eventName: string;
  /** The IAM action the call needs, as IAM spells it. */
  action: string;
  readOnly: boolean;
  /** Data event (eventCategory Data, managementEvent false). */
  data?: boolean;
  /** Global service: the record lands in us-east-1 whatever the caller's region. */
  global?: boolean;
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn';
  build(c: CallContext): BuiltCall;
}

const arg = (c: CallContext, name: string, fallback: () => string): string => c.args[name] ?? fallback();

function monthDay(ms: number): string {
  // AWS SDK Java date rendering used by several services in responseElements: "Aug 1, 2024, 1:33:28 PM"
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

let cachedDay = -1;
let cachedPrefix = '';
/** ISO-8601 UTC without milliseconds (CloudTrail's eventTime format); fast for nearby times. */
function isoNoMs(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const sec = Math.floor((ms - day * 86_400_000) / 1000);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${cachedPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}Z`;
}

function s3Extra(c: CallContext): Record<string, unknown> {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: 0,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': c.rng.alnum(56) + '=',
    bytesTransferredOut: c.rng.int(120, 90_000),
  };
}

function bucketRes(c: CallContext, bucket: string): CloudTrailResource {
  return { accountId: c.account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` };
}

const OBJECT_PREFIXES = ['exports/2026/', 'incoming/', 'reports/daily/', 'artifacts/build-', 'uploads/user-', 'tmp/'];
const OBJECT_EXT = ['.json', '.csv.gz', '.parquet', '.zip', '.png', '.txt'];

function objectKey(c: CallContext): string {
  return c.rng.pick(OBJECT_PREFIXES) + c.rng.hex(8) + c.rng.pick(OBJECT_EXT);
}

function lambdaFn(c: CallContext): { name: string; roleArn: string } {
  const fns = c.account.res.functions;
  return fns.length ? c.rng.pick(fns) : { name: 'default-handler', roleArn: `arn:aws:iam::${c.account.id}:role/lambda-basic` };
}

function functionConfig(c: CallContext, name: string, role: string, runtime: string): Record<string, unknown> {
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:${c.region}:${c.account.id}:function:${name}`,
    runtime,
    role,
    handler: runtime.startsWith('python') ? 'app.handler' : 'index.handler',
    codeSize: c.rng.int(900, 9_000_000),
    description: '',
    timeout: c.rng.pick([3, 15, 30, 60, 300]),
    memorySize: c.rng.pick([128, 256, 512, 1024]),
    lastModified: new Date(c.timeMs).toISOString().replace('Z', '+0000'),
    codeSha256: c.rng.alnum(43) + '=',
    version: '$LATEST',
    tracingConfig: { mode: 'PassThrough' },
    revisionId: c.rng.uuid(),
    state: 'Pending',
    stateReason: 'The function is being created.',
    stateReasonCode: 'Creating',
    packageType: 'Zip',
    architectures: [c.rng.pick(['x86_64', 'arm64'])],
    ephemeralStorage: { size: 512 },
    snapStart: { applyOn: 'None', optimizationStatus: 'Off' },
    loggingConfig: { logFormat: 'Text', logGroup: `/aws/lambda/${name}` },
  };
}

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

const call = (
  service: string,
  eventName: string,
  opts: Partial<Omit<ApiCall, 'key' | 'eventSource' | 'eventName' | 'build'>> & { build?: ApiCall['build'] },
): ApiCall => {
  const prefix = service === 'monitoring' ? 'cloudwatch' : service;
  const actionName = eventName.replace(/20\d{6}(v\d)?$/, '');
  return {
    key: `${service}:${eventName}`,
    eventSource: `${service}.amazonaws.com`,
    eventName,
    action: opts.action ?? `${prefix}:${actionName}`,
    readOnly: opts.readOnly ?? /^(Get|List|Describe|Head|Lookup|Query|Scan|Filter|BatchGet)/.test(eventName),
    data: opts.data,
    global: opts.global,
    eventType: opts.eventType,
    build: opts.build ?? (() => ({ requestParameters: null, responseElements: null })),
  };
};

/** Every call the generator knows, by key. */
export const CALLS: Record<string, ApiCall> = {};
function add(...calls: ApiCall[]): void {
  for (const c of calls) CALLS[c.key] = c;
}

// ---- STS ------------------------------------------------------------------------------------
add(
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
);

// ---- IAM (global) -----------------------------------------------------------------------------
const iam = (name: string, opts: Parameters<typeof call>[2] = {}) => call('iam', name, { global: true, ...opts });
add(
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
);

// ---- Console sign-in --------------------------------------------------------------------------
add(
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
);

// ---- S3 ---------------------------------------------------------------------------------------
const s3Bucket = (name: string, opts: Parameters<typeof call>[2] = {}) =>
  call('s3', name, {
    build: (c) => {
      const bucket = arg(c, 'bucket', () => c.rng.pick(c.account.res.buckets));
      return { requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, [name.replace(/^Get|^Put/, '').toLowerCase()]: '' }, responseElements: null, additionalEventData: s3Extra(c), resources: [bucketRes(c, bucket)] };
    },
    ...opts,
  });
add(
  call('s3', 'ListBuckets', {
    action: 's3:ListAllMyBuckets',
    build: (c) => ({ requestParameters: { Host: `s3.${c.region}.amazonaws.com` }, responseElements: null, additionalEventData: s3Extra(c) }),
  }),
  s3Bucket('GetBucketLocation'),
  s3Bucket('GetBucketAcl'),
  s3Bucket('GetBucketPolicy'),
  s3Bucket('GetBucketEncryption', { action: 's3:GetEncryptionConfiguration' }),
  s3Bucket('GetBucketVersioning'),
  call('s3', 'GetObject', {
    data: true,
    build: (c) => {
      const bucket = arg(c, 'bucket', () => c.rng.pick(c.account.res.buckets));
      const key = arg(c, 'key', () => objectKey(c));
      return {
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, key },
        responseElements: null,
        additionalEventData: s3Extra(c),
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketRes(c, bucket)],
      };
    },
  }),
  call('s3', 'PutObject', {
    data: true,
    readOnly: false,
    build: (c) => {
      const bucket = arg(c, 'bucket', () => c.rng.pick(c.account.res.buckets));
      const key = arg(c, 'key', () => objectKey(c));
      return {
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, key, 'x-amz-server-side-encryption': 'aws:kms' },
        responseElements: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${c.region}:${c.account.id}:key/${c.rng.pick(c.account.res.kmsKeys)}` },
        additionalEventData: { ...s3Extra(c), bytesTransferredIn: c.rng.int(200, 5_000_000), bytesTransferredOut: 0 },
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketRes(c, bucket)],
      };
    },
  }),
);

// ---- EC2 --------------------------------------------------------------------------------------
add(
  call('ec2', 'DescribeInstances', { build: () => ({ requestParameters: { instancesSet: {}, filterSet: {} }, responseElements: null }) }),
  call('ec2', 'DescribeSecurityGroups', { build: () => ({ requestParameters: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }, responseElements: null }) }),
  call('ec2', 'DescribeVpcs', { build: () => ({ requestParameters: { vpcSet: {}, filterSet: {} }, responseElements: null }) }),
  call('ec2', 'DescribeSubnets', { build: () => ({ requestParameters: { subnetSet: {}, filterSet: {} }, responseElements: null }) }),
  call('ec2', 'DescribeRegions', { build: () => ({ requestParameters: { regionSet: {}, allRegions: false }, responseElements: null }) }),
  call('ec2', 'DescribeTags', { build: (c) => ({ requestParameters: { filterSet: { items: [{ name: 'resource-id', valueSet: { items: [{ value: c.rng.pick(c.account.res.instanceIds) }] } }] } }, responseElements: null }) }),
  call('ec2', 'StopInstances', {
    build: (c) => {
      const id = arg(c, 'instanceId', () => c.rng.pick(c.account.res.instanceIds));
      return {
        requestParameters: { instancesSet: { items: [{ instanceId: id }] }, force: false },
        responseElements: { requestId: c.rng.uuid(), instancesSet: { items: [{ instanceId: id, currentState: { code: 64, name: 'stopping' }, previousState: { code: 16, name: 'running' } }] } },
      };
    },
  }),
  call('ec2', 'CreateTags', {
    build: (c) => ({
      requestParameters: { resourcesSet: { items: [{ resourceId: c.rng.pick(c.account.res.instanceIds) }] }, tagSet: { items: [{ key: 'Owner', value: c.rng.pick(['platform', 'data', 'payments']) }] } },
      responseElements: { requestId: c.rng.uuid(), _return: true },
    }),
  }),
  call('ec2', 'RunInstances', {
    build: (c) => {
      const profile = arg(c, 'instanceProfile', () => c.rng.pick(c.account.res.instanceProfiles));
      const instanceId = 'i-0' + c.rng.hex(16);
      const subnetId = c.rng.pick(c.account.res.subnets);
      const sg = c.rng.pick(c.account.res.securityGroups);
      const ami = c.rng.pick(c.account.res.amis);
      const type = c.rng.pick(['t3.micro', 't3.medium', 'm6i.large', 'c7g.xlarge']);
      return {
        requestParameters: {
          instancesSet: { items: [{ imageId: ami, minCount: 1, maxCount: 1 }] },
          instanceType: type,
          blockDeviceMapping: {},
          monitoring: { enabled: false },
          disableApiTermination: false,
          disableApiStop: false,
          clientToken: c.rng.uuid(),
          subnetId,
          iamInstanceProfile: { arn: profile },
          metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
        },
        responseElements: {
          requestId: c.rng.uuid(),
          reservationId: 'r-0' + c.rng.hex(16),
          ownerId: c.account.id,
          groupSet: {},
          instancesSet: {
            items: [
              {
                instanceId,
                imageId: ami,
                instanceState: { code: 0, name: 'pending' },
                privateDnsName: `ip-10-0-${c.rng.int(0, 255)}-${c.rng.int(1, 254)}.${c.region}.compute.internal`,
                amiLaunchIndex: 0,
                productCodes: {},
                instanceType: type,
                launchTime: c.timeMs,
                placement: { availabilityZone: `${c.region}${c.rng.pick(['a', 'b', 'c'])}`, tenancy: 'default' },
                monitoring: { state: 'disabled' },
                subnetId,
                groupSet: { items: [{ groupId: sg, groupName: 'app' }] },
                iamInstanceProfile: { arn: profile, id: 'AIPA' + c.rng.upper(17) },
                metadataOptions: { state: 'pending', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
              },
            ],
          },
        },
      };
    },
  }),
);

// ---- Lambda -----------------------------------------------------------------------------------
add(
  call('lambda', 'ListFunctions20150331', { build: () => ({ requestParameters: null, responseElements: null }) }),
  call('lambda', 'GetFunction20150331v2', { build: (c) => ({ requestParameters: { functionName: arg(c, 'functionName', () => lambdaFn(c).name) }, responseElements: null }) }),
  call('lambda', 'CreateFunction20150331', {
    build: (c) => {
      const f = lambdaFn(c);
      const name = arg(c, 'functionName', () => f.name + '-' + c.rng.hex(4));
      const role = arg(c, 'role', () => f.roleArn);
      const runtime = c.rng.pick(['python3.12', 'nodejs20.x', 'python3.11']);
      return {
        requestParameters: {
          functionName: name,
          runtime,
          role,
          handler: runtime.startsWith('python') ? 'app.handler' : 'index.handler',
          code: {},
          timeout: 30,
          memorySize: 256,
          publish: false,
          packageType: 'Zip',
          architectures: ['x86_64'],
        },
        responseElements: functionConfig(c, name, role, runtime),
      };
    },
  }),
  call('lambda', 'UpdateFunctionCode20150331v2', {
    build: (c) => {
      const f = lambdaFn(c);
      return {
        requestParameters: { functionName: `arn:aws:lambda:${c.region}:${c.account.id}:function:${f.name}`, publish: true, dryRun: false },
        responseElements: { ...functionConfig(c, f.name, f.roleArn, 'python3.12'), state: 'Active', stateReason: undefined, stateReasonCode: undefined, version: String(c.rng.int(2, 90)) },
      };
    },
  }),
  call('lambda', 'Invoke', {
    data: true,
    readOnly: false,
    action: 'lambda:InvokeFunction',
    build: (c) => {
      const name = arg(c, 'functionName', () => lambdaFn(c).name);
      const fnArn = `arn:aws:lambda:${c.region}:${c.account.id}:function:${name}`;
      return {
        requestParameters: { functionName: fnArn, sourceArn: undefined },
        responseElements: null,
        additionalEventData: { functionVersion: `${fnArn}:$LATEST` },
        resources: [{ accountId: c.account.id, type: 'AWS::Lambda::Function', ARN: fnArn }],
      };
    },
  }),
);

// ---- KMS --------------------------------------------------------------------------------------
const kmsKeyArn = (c: CallContext): string => `arn:aws:kms:${c.region}:${c.account.id}:key/${c.rng.pick(c.account.res.kmsKeys)}`;
add(
  call('kms', 'Decrypt', {
    readOnly: true,
    build: (c) => {
      const key = kmsKeyArn(c);
      return { requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:${c.region}:${c.account.id}:function:${lambdaFn(c).name}` } }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: key }] };
    },
  }),
  call('kms', 'GenerateDataKey', {
    readOnly: true,
    build: (c) => {
      const key = kmsKeyArn(c);
      return { requestParameters: { keyId: key, keySpec: 'AES_256', encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${c.rng.pick(c.account.res.buckets)}` } }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: key }] };
    },
  }),
  call('kms', 'DescribeKey', { build: (c) => ({ requestParameters: { keyId: kmsKeyArn(c) }, responseElements: null }) }),
  call('kms', 'ListKeys', { build: () => ({ requestParameters: null, responseElements: null }) }),
  call('kms', 'ListAliases', { build: () => ({ requestParameters: null, responseElements: null }) }),
);

// ---- CloudTrail, Logs, CloudWatch ----------------------------------------------------------------
add(
  call('cloudtrail', 'DescribeTrails', { build: () => ({ requestParameters: { includeShadowTrails: true, trailNameList: [] }, responseElements: null }) }),
  call('cloudtrail', 'GetTrailStatus', { build: (c) => ({ requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${c.account.id}:trail/${c.account.res.trailName}` }, responseElements: null }) }),
  call('cloudtrail', 'LookupEvents', { build: (c) => ({ requestParameters: { maxResults: 50, lookupAttributes: [{ attributeKey: 'EventName', attributeValue: c.rng.pick(['ConsoleLogin', 'CreateUser', 'RunInstances']) }] }, responseElements: null }) }),
  call('logs', 'DescribeLogGroups', { build: () => ({ requestParameters: { limit: 50 }, responseElements: null }) }),
  call('logs', 'CreateLogStream', {
    readOnly: false,
    build: (c) => {
      const d = new Date(c.timeMs);
      return {
        requestParameters: { logGroupName: arg(c, 'logGroup', () => c.rng.pick(c.account.res.logGroups)), logStreamName: `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/[$LATEST]${c.rng.hex(32)}` },
        responseElements: null,
      };
    },
  }),
  call('logs', 'FilterLogEvents', { build: (c) => ({ requestParameters: { logGroupName: c.rng.pick(c.account.res.logGroups), startTime: c.timeMs - 3_600_000, filterPattern: c.rng.pick(['ERROR', '"Task timed out"', '{ $.level = "error" }']), interleaved: true }, responseElements: null }) }),
  call('monitoring', 'DescribeAlarms', { build: () => ({ requestParameters: { maxRecords: 100 }, responseElements: null }) }),
  call('monitoring', 'GetMetricData', { build: (c) => ({ requestParameters: { startTime: monthDay(c.timeMs - 10_800_000), endTime: monthDay(c.timeMs), metricDataQueries: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/Lambda', metricName: 'Errors' }, period: 300, stat: 'Sum' } }] }, responseElements: null }) }),
  call('monitoring', 'PutMetricAlarm', {
    build: (c) => ({
      requestParameters: { alarmName: `${lambdaFn(c).name}-errors`, metricName: 'Errors', namespace: 'AWS/Lambda', statistic: 'Sum', period: 300, evaluationPeriods: 1, threshold: 1.0, comparisonOperator: 'GreaterThanOrEqualToThreshold' },
      responseElements: null,
    }),
  }),
);

// ---- DynamoDB, SSM, Secrets Manager, CloudFormation ------------------------------------------------
const tableArn = (c: CallContext, t: string): string => `arn:aws:dynamodb:${c.region}:${c.account.id}:table/${t}`;
add(
  call('dynamodb', 'ListTables', { build: () => ({ requestParameters: null, responseElements: null }) }),
  call('dynamodb', 'DescribeTable', {
    build: (c) => {
      const t = arg(c, 'table', () => c.rng.pick(c.account.res.tables));
      return { requestParameters: { tableName: t }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: tableArn(c, t) }] };
    },
  }),
  call('dynamodb', 'Query', {
    data: true,
    build: (c) => {
      const t = c.rng.pick(c.account.res.tables);
      return {
        requestParameters: { tableName: t, keyConditionExpression: 'pk = :pk', limit: 25, consistentRead: false },
        responseElements: null,
        additionalEventData: { requestParametersRedacted: true },
        resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: tableArn(c, t) }],
      };
    },
  }),
  call('dynamodb', 'PutItem', {
    data: true,
    readOnly: false,
    build: (c) => {
      const t = c.rng.pick(c.account.res.tables);
      return { requestParameters: { tableName: t, key: { pk: 'HIDDEN_DUE_TO_SECURITY_REASONS' } }, responseElements: null, resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: tableArn(c, t) }] };
    },
  }),
  call('ssm', 'GetParameter', { build: (c) => ({ requestParameters: { name: c.rng.pick(c.account.res.parameters), withDecryption: true }, responseElements: null }) }),
  call('ssm', 'GetParametersByPath', { build: (c) => ({ requestParameters: { path: '/' + c.rng.pick(c.account.res.parameters).split('/')[1] + '/', recursive: true, withDecryption: true }, responseElements: null }) }),
  call('ssm', 'UpdateInstanceInformation', {
    readOnly: false,
    build: (c) => ({
      requestParameters: { instanceId: arg(c, 'instanceId', () => c.rng.pick(c.account.res.instanceIds)), agentVersion: '3.3.1142.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023', iPAddress: `10.0.${c.rng.int(0, 255)}.${c.rng.int(1, 254)}`, computerName: `ip-10-0-${c.rng.int(0, 255)}-${c.rng.int(1, 254)}.${c.region}.compute.internal`, agentName: 'amazon-ssm-agent', availabilityZone: `${c.region}a`, availabilityZoneId: 'use1-az2' },
      responseElements: null,
    }),
  }),
  call('ssm', 'DescribeInstanceInformation', { build: () => ({ requestParameters: { maxResults: 50 }, responseElements: null }) }),
  call('secretsmanager', 'GetSecretValue', {
    build: (c) => {
      const s = `arn:aws:secretsmanager:${c.region}:${c.account.id}:secret:${c.rng.pick(c.account.res.secrets)}`;
      return { requestParameters: { secretId: s }, responseElements: null };
    },
  }),
  call('secretsmanager', 'DescribeSecret', { build: (c) => ({ requestParameters: { secretId: c.rng.pick(c.account.res.secrets) }, responseElements: null }) }),
  call('secretsmanager', 'ListSecrets', { build: () => ({ requestParameters: { maxResults: 100 }, responseElements: null }) }),
  call('cloudformation', 'DescribeStacks', { build: (c) => ({ requestParameters: { stackName: c.rng.pick(c.account.res.stacks) }, responseElements: null }) }),
  call('cloudformation', 'CreateStack', {
    build: (c) => {
      const stackName = arg(c, 'stackName', () => c.rng.pick(c.account.res.stacks) + '-' + c.rng.hex(4));
      const roleARN = arg(c, 'roleARN', () => c.rng.pick(c.account.res.cfnRoles));
      return {
        requestParameters: { stackName, templateURL: `https://s3.amazonaws.com/${c.rng.pick(c.account.res.buckets)}/templates/${stackName}.yaml`, capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'], roleARN, tags: [], disableRollback: false, parameters: [{ parameterKey: 'Environment', parameterValue: 'prod' }] },
        responseElements: { stackId: `arn:aws:cloudformation:${c.region}:${c.account.id}:stack/${stackName}/${c.rng.uuid()}` },
      };
    },
  }),
);

export function getCall(key: string): ApiCall {
  const c = CALLS[key];
  if (!c) throw new Error(`unknown call ${key}`);
  return c;
}

/** IAM actions a list of calls needs (one source of truth for grants derived from activity). */
export function actionsOf(callKeys: string[]): string[] {
  return [...new Set(callKeys.map((k) => getCall(k).action))].sort();
}

export { isoNoMs, monthDay };
