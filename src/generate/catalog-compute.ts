/** Compute calls: EC2 and Lambda. */
import { arg, call } from './catalog-base.js';
import type { ApiCall, CallContext } from './catalog-base.js';

/** A function of the account (its name and execution role); also used by KMS and CloudWatch calls. */
export function lambdaFn(c: CallContext): { name: string; roleArn: string } {
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

// ---- EC2 --------------------------------------------------------------------------------------
export const EC2_CALLS: ApiCall[] = [
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
];

// ---- Lambda -----------------------------------------------------------------------------------
export const LAMBDA_CALLS: ApiCall[] = [
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
];
