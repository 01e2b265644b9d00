import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate } from './check.js';
import { cloudFormationTemplate } from './index.js';
import { ACTIONS_WITHOUT_RESOURCE_LEVEL } from './policies.js';
import { testConnector } from './connectors.test-helpers.js';

const template = cloudFormationTemplate(testConnector({ prefix: 'trails/prod' }), 'new-trail').yaml;
const check = (yaml: string) => checkTemplate(yaml, ACTIONS_WITHOUT_RESOURCE_LEVEL);

/** The template with `from` replaced once (asserting it was there). */
function mutate(from: string | RegExp, to: string): string {
  const out = template.replace(from, to);
  assert.notEqual(out, template, `mutation ${String(from)} found nothing to replace`);
  return out;
}

test('the generated new-trail template passes', () => {
  assert.deepEqual(check(template), []);
});

test('a bucket ARN taken with !GetAtt in the queue policy is reported as the dependency cycle it makes', () => {
  const yaml = mutate(/(Service: s3\.amazonaws\.com\n(?:.*\n){4}\s+aws:SourceArn: )!Sub arn:\$\{AWS::Partition\}:s3:::prod-cloudtrail-logs/, '$1!GetAtt TrailBucket.Arn');
  assert.deepEqual(check(yaml), ['dependency cycle: TrailBucket -> TrailQueuePolicy -> TrailBucket']);
});

test('references to nothing are reported: !Ref, !GetAtt attribute, !Sub variable, !If condition', () => {
  assert.match(check(mutate('!Ref ExternalId', '!Ref ExternalID')).join('\n'), /!Ref ExternalID names no parameter/);
  assert.match(check(mutate('!GetAtt TrailQueue.Arn', '!GetAtt TrailQueue.Url')).join('\n'), /!GetAtt TrailQueue.Url is not an attribute/);
  assert.match(check(mutate('${AWS::Partition}', '${AWS::Partitions}')).join('\n'), /!Sub variable \$\{AWS::Partitions\} is not resolvable/);
  assert.match(check(mutate('- UseKmsKey', '- UseKey')).join('\n'), /condition UseKey is not defined/);
  assert.match(check(mutate('DependsOn: TrailBucketPolicy', 'DependsOn: BucketPolicy')).join('\n'), /DependsOn BucketPolicy is not a resource/);
});

test('unknown resource types, long-form intrinsics and unknown tags are reported', () => {
  assert.match(check(mutate('Type: AWS::KMS::Alias', 'Type: AWS::Lambda::Function')).join('\n'), /AWS::Lambda::Function is not in the known list/);
  assert.match(check(mutate('TargetKeyId: !Ref TrailKey', 'TargetKeyId:\n        Ref: TrailKey')).join('\n'), /long-form Ref instead of a short-form tag/);
  assert.match(check(mutate('TargetKeyId: !Ref TrailKey', 'TargetKeyId: !Reference TrailKey')).join('\n'), /Unresolved tag: !Reference/);
});

test('IAM statements: Resource * for scoped actions, wildcard actions, a trust without ExternalId, a service without SourceArn', () => {
  const star = mutate('Resource: !Sub arn:${AWS::Partition}:s3:::prod-cloudtrail-logs/trails/prod/AWSLogs/*', 'Resource: "*"');
  assert.match(check(star).join('\n'), /ReaderRole identity statement ReadTrailLogs: Resource \* for actions that take resource ARNs: s3:GetObject/);
  assert.match(check(mutate('- s3:GetObject', '- s3:Get*')).join('\n'), /ReadTrailLogs: wildcard action/);
  assert.match(check(mutate(/sts:ExternalId: !Ref ExternalId/, 'aws:PrincipalOrgID: o-a1b2c3d4e5')).join('\n'), /TrailscopeOnly: no sts:ExternalId condition/);
  const publisher = mutate(/(ArnEquals:\n\s+)aws:SourceArn(: !Sub arn:\$\{AWS::Partition\}:s3:::prod-cloudtrail-logs\n\s+StringEquals:\n\s+aws:SourceAccount)/, '$1aws:SourceVpc$2');
  assert.match(check(publisher).join('\n'), /TrailQueuePolicy resource statement PublisherSendsNotifications: a service principal without an aws:SourceArn condition/);
  assert.match(check(mutate('Effect: Deny\n            Principal: "*"', 'Effect: Allow\n            Principal: "*"')).join('\n'), /DenyInsecureTransport: allows everyone/);
});

test('unused parameters and conditions are reported', () => {
  const yaml = mutate('Conditions:\n', 'Conditions:\n  NeverUsed: !Equals\n    - !Ref CreateKmsKey\n    - "x"\n').replace('Parameters:\n', 'Parameters:\n  Spare:\n    Type: String\n');
  assert.deepEqual(check(yaml), ['parameter Spare is not used', 'condition NeverUsed is not used']);
});
