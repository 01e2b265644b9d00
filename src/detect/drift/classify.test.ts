import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { classifyChange, isChangeEvent } from './classify.js';
import { event, ROLE } from '../rules/rule.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';
import { sharedData } from '../../../test/support/paths.js';

describe('drift classifier', () => {
  it('records who changed which resource, when, from where, with the request parameters', () => {
    const e = event({
      userIdentity: ROLE,
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      eventTime: '2026-05-01T10:00:00Z',
      requestParameters: { roleName: 'deploy', policyName: 'inline', policyDocument: '{}' },
    });
    assert.deepEqual(classifyChange(e), {
      eventId: e.eventID,
      eventTime: '2026-05-01T10:00:00Z',
      accountId: '111122223333',
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      resourceType: 'iam-role',
      resource: 'arn:aws:iam::111122223333:role/deploy',
      actor: 'arn:aws:iam::111122223333:role/deploy',
      sessionName: 'deployer',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      awsRegion: 'us-east-1',
      requestParameters: { roleName: 'deploy', policyName: 'inline', policyDocument: '{}' },
    });
  });

  it('names the resource of each watched service', () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: 'sg-1' }, 'arn:aws:ec2:us-east-1:111122223333:security-group/sg-1'],
      ['ec2.amazonaws.com', 'CreateRoute', { routeTableId: 'rtb-1' }, 'arn:aws:ec2:us-east-1:111122223333:route-table/rtb-1'],
      ['s3.amazonaws.com', 'PutBucketPolicy', { bucketName: 'b' }, 'arn:aws:s3:::b'],
      ['kms.amazonaws.com', 'ScheduleKeyDeletion', { keyId: 'k1' }, 'arn:aws:kms:us-east-1:111122223333:key/k1'],
      ['cloudtrail.amazonaws.com', 'StopLogging', { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' }, 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t'],
      ['guardduty.amazonaws.com', 'DeleteDetector', { detectorId: 'd' }, 'arn:aws:guardduty:us-east-1:111122223333:detector/d'],
      ['iam.amazonaws.com', 'CreatePolicyVersion', { policyArn: 'arn:aws:iam::111122223333:policy/p', setAsDefault: true }, 'arn:aws:iam::111122223333:policy/p'],
      ['organizations.amazonaws.com', 'AttachPolicy', { policyId: 'p-1', targetId: 'ou-1' }, 'p-1'],
    ];
    for (const [eventSource, eventName, requestParameters, resource] of cases) {
      assert.equal(classifyChange(event({ eventSource, eventName, requestParameters }))?.resource, resource, eventName);
    }
  });

  it('leaves out reads, failed writes, credential issuance and non-network EC2 calls', () => {
    assert.equal(isChangeEvent('iam.amazonaws.com', 'GetRole'), false);
    assert.equal(isChangeEvent('sts.amazonaws.com', 'AssumeRole'), false);
    assert.equal(isChangeEvent('ec2.amazonaws.com', 'RunInstances'), false);
    assert.equal(isChangeEvent('ec2.amazonaws.com', 'DescribeSecurityGroups'), false);
    assert.equal(isChangeEvent('s3.amazonaws.com', 'PutObject'), false);
    assert.equal(isChangeEvent('kms.amazonaws.com', 'Decrypt'), false);
    assert.equal(classifyChange(event({ eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', errorCode: 'AccessDenied', requestParameters: { userName: 'u' } })), null);
  });

  it('finds the trust policy change of the Stratus iam-backdoor-role recording, and none of its reads', () => {
    const stratus = JSON.parse(readFileSync(sharedData('stratus-red-team', 'detonation-logs', 'aws.persistence.iam-backdoor-role.json'), 'utf8')) as Record<string, unknown>[];
    const changes = stratus.map((r) => classifyChange(normalizeRecord(r))).filter((c) => c !== null);
    assert.ok(changes.some((c) => c.eventName === 'UpdateAssumeRolePolicy' && c.resourceType === 'iam-role'), JSON.stringify(changes.map((c) => c.eventName)));
    assert.ok(changes.every((c) => !/^(Get|List|Describe)/.test(c.eventName)));
  });
});
