import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { s3BucketMadePublic } from './s3-bucket-made-public.js';
import { detect, event, pantherCases, pantherEvent } from './rule.test-helpers.js';

const s3 = (eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}) =>
  event({ eventSource: 's3.amazonaws.com', eventName, requestParameters, ...extra });
const policy = (statement: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...statement }] });

describe('s3-bucket-made-public', () => {
  it('fires on a bucket policy allowing everyone (object or JSON string form)', () => {
    const found = detect(s3BucketMadePublic, [
      s3('PutBucketPolicy', { bucketName: 'b', bucketPolicy: policy({ Principal: '*' }) }),
      s3('PutBucketPolicy', { bucketName: 'b', bucketPolicy: JSON.stringify(policy({ Principal: { AWS: '*' } })) }),
    ]);
    assert.equal(found.length, 2);
    assert.equal(found[0]!.details.bucket, 'b');
    assert.equal(found[0]!.severity, 'high');
  });

  it('fires on a public ACL, and on the public access block removed or weakened', () => {
    const found = detect(s3BucketMadePublic, [
      s3('PutBucketAcl', { bucketName: 'b', 'x-amz-acl': 'public-read' }),
      s3('PutBucketAcl', { bucketName: 'b', AccessControlPolicy: { AccessControlList: { Grant: [{ Grantee: { URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }] } } }),
      s3('DeleteBucketPublicAccessBlock', { bucketName: 'b' }),
      s3('PutBucketPublicAccessBlock', { bucketName: 'b', PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true } }),
    ]);
    assert.deepEqual(found.map((d) => d.severity), ['high', 'high', 'medium', 'medium']);
    assert.deepEqual(found[3]!.details.reasons, ['BlockPublicPolicy turned off']);
  });

  it('does not fire on a narrowed "*" statement, a service principal, a private ACL, a full block, or a failure', () => {
    const events = [
      s3('PutBucketPolicy', { bucketName: 'b', bucketPolicy: policy({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }) }),
      s3('PutBucketPolicy', { bucketName: 'b', bucketPolicy: policy({ Principal: { Service: 'cloudtrail.amazonaws.com' } }) }),
      s3('PutBucketAcl', { bucketName: 'b', 'x-amz-acl': 'private' }),
      s3('PutBucketPublicAccessBlock', { bucketName: 'b', PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }),
      s3('PutBucketPolicy', { bucketName: 'b', bucketPolicy: policy({ Principal: '*' }) }, { errorCode: 'AccessDenied' }),
      s3('PutBucketPolicy', { bucketPolicy: 'invalid-json-policy' }),
    ];
    assert.deepEqual(detect(s3BucketMadePublic, events), []);
  });

  it("agrees with Panther's S3 cases of AWS.CloudTrail.ResourceMadePublic and AWS.S3.DeletePublicAccessBlock", () => {
    const cases = [...pantherCases('AWS.CloudTrail.ResourceMadePublic'), ...pantherCases('AWS.S3.DeletePublicAccessBlock')].filter(
      (c) => c.event.eventSource === 's3.amazonaws.com' && c.event.eventName !== 'PutBucketPublicAccessBlock',
    );
    assert.ok(cases.length >= 6);
    for (const c of cases) assert.equal(detect(s3BucketMadePublic, [pantherEvent(c)]).length > 0, c.expectedResult, c.testName);
  });
});
