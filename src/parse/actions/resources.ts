/**
 * Resource ARNs a CloudTrail record names: CloudTrail's own `resources[].ARN`, plus ARNs that are
 * obvious and cheap to derive from the request (IAM names in the recipient account, S3 buckets and
 * objects, Lambda functions, the role of an AssumeRole, top-level `...Arn` parameters).
 *
 * Derived IAM ARNs assume the default path `/`: CloudTrail logs `userName` / `roleName` without
 * the path. When the response carries the real ARN (CreateUser, CreateRole, ...) that one is used.
 */
import { MAX_VALUE_LENGTH, accountOf, getCI, isRecord, partitionOf, str } from './params.js';

/** At most this many resources per record (hostile records can list thousands). */
export const MAX_RESOURCES = 64;
const MAX_TOP_LEVEL_KEYS = 64;
const ARN = /^arn:[a-z][a-z-]*:[a-z0-9-]+:[^:\s]*:[^:\s]*:\S+$/;
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;

export function looksLikeArn(v: string): boolean {
  return v.length <= MAX_VALUE_LENGTH && ARN.test(v);
}

/** IAM request parameter → ARN resource type (`userName` → `user/NAME`). */
const IAM_NAME_PARAMS: ReadonlyArray<readonly [string, string]> = [
  ['userName', 'user'],
  ['roleName', 'role'],
  ['groupName', 'group'],
  ['instanceProfileName', 'instance-profile'],
];
const IAM_ARN_PARAMS = ['policyArn', 'openIDConnectProviderArn', 'sAMLProviderArn', 'serialNumber'];
const IAM_RESPONSE_OBJECTS = ['user', 'role', 'group', 'policy', 'instanceProfile', 'accessKey'];

export function resourcesFor(record: Record<string, unknown>, prefix: string, extra: readonly string[]): string[] {
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    if (v && out.size < MAX_RESOURCES && looksLikeArn(v)) out.add(v);
  };

  const listed = record.resources;
  if (Array.isArray(listed)) {
    for (const r of listed.slice(0, MAX_RESOURCES)) add(str(getCI(r, 'ARN')));
  }
  for (const arn of extra) add(arn);

  const req = record.requestParameters;
  const res = record.responseElements;
  if (!isRecord(req) && !isRecord(res)) return [...out];
  switch (prefix) {
    case 'iam': {
      const partition = partitionOf(record);
      const account = accountOf(record);
      for (const key of IAM_RESPONSE_OBJECTS) add(str(getCI(getCI(res, key), 'arn')));
      if (account) {
        for (const [param, type] of IAM_NAME_PARAMS) {
          const name = str(getCI(req, param));
          if (name && IAM_NAME.test(name)) add(`arn:${partition}:iam::${account}:${type}/${name}`);
        }
      }
      for (const param of IAM_ARN_PARAMS) add(str(getCI(req, param)));
      break;
    }
    case 'sts':
      add(str(getCI(req, 'roleArn')));
      break;
    case 's3': {
      const partition = partitionOf(record);
      const bucket = str(getCI(req, 'bucketName'));
      if (bucket && !bucket.includes('/') && bucket.length <= 255) {
        add(`arn:${partition}:s3:::${bucket}`);
        const key = str(getCI(req, 'key'));
        if (key) add(`arn:${partition}:s3:::${bucket}/${key}`);
      }
      break;
    }
    case 'lambda': {
      const partition = partitionOf(record);
      const account = accountOf(record);
      const fn = str(getCI(req, 'functionName'));
      const region = str(record.awsRegion);
      if (fn?.startsWith('arn:')) add(fn);
      else if (fn && account && region && /^[\w-]{1,140}(?::[\w$-]+)?$/.test(fn) && /^[a-z0-9-]+$/.test(region)) {
        add(`arn:${partition}:lambda:${region}:${account}:function:${fn}`);
      }
      break;
    }
    default:
      break;
  }

  // Generic: top-level request parameters named `...Arn` holding an ARN.
  if (isRecord(req)) {
    let n = 0;
    for (const k in req) {
      if (++n > MAX_TOP_LEVEL_KEYS) break;
      if (!Object.prototype.hasOwnProperty.call(req, k) || !/arn$/i.test(k)) continue;
      add(str(req[k]));
    }
  }
  return [...out];
}
