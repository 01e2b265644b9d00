/** Operations calls: CloudTrail, CloudWatch Logs, CloudWatch and CloudFormation. */
import { arg, call, monthDay } from './catalog-base.js';
import type { ApiCall } from './catalog-base.js';
import { lambdaFn } from './catalog-compute.js';

// ---- CloudTrail, Logs, CloudWatch ----------------------------------------------------------------
export const MONITORING_CALLS: ApiCall[] = [
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
];

// ---- CloudFormation -----------------------------------------------------------------------------
export const CLOUDFORMATION_CALLS: ApiCall[] = [
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
];
