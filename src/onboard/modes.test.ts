import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, type ParsedTemplate } from './check.js';
import { instantiate, shortForm } from './evaluate.test-helpers.js';
import { cloudFormationTemplate, OnboardingError } from './index.js';
import { KEY_ARN, testConnector } from './connectors.test-helpers.js';

const PRINCIPAL = 'arn:aws:iam::999988887777:role/trailscope';
const props = (t: ParsedTemplate, name: string) => shortForm(t.Resources[name]!.Properties) as Record<string, unknown>;
const statements = (doc: unknown) => (doc as { Statement: Record<string, unknown>[] }).Statement;

test('existing trail: only the read role and its diagnostics policy; the queue ARN is a parameter the user pastes', () => {
  const withQueue = parseTemplate(cloudFormationTemplate(testConnector(), 'existing-trail').yaml);
  assert.deepEqual(Object.keys(withQueue.Resources).sort(), ['DiagnosticsPolicy', 'ReaderRole']);
  assert.equal(withQueue.Parameters['SqsQueueArn']!.Default, 'arn:aws:sqs:eu-west-1:111122223333:trailscope-prod');

  const { queueUrl: _dropped, ...noQueue } = testConnector();
  const result = cloudFormationTemplate(noQueue, 'existing-trail');
  assert.equal(parseTemplate(result.yaml).Parameters['SqsQueueArn']!.Default, undefined);
  assert.equal(result.parameters['SqsQueueArn']!.value, '$TRAILSCOPE_QUEUE_ARN');
  assert.match(result.steps.join('\n'), /set TRAILSCOPE_QUEUE_ARN to its ARN/);
  assert.match(result.steps.join('\n'), /"SqsQueueArn=\$TRAILSCOPE_QUEUE_ARN"/);
});

test('existing trail: the doctor may read the named trail, bucket, queue and key, and the trail only when its ARN is given', () => {
  const t = parseTemplate(cloudFormationTemplate(testConnector({ kmsKeyArn: KEY_ARN }), 'existing-trail').yaml);
  const withTrail = instantiate(t, { TrailscopePrincipalArn: PRINCIPAL, TrailArn: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' });
  const doc = statements(props(withTrail, 'DiagnosticsPolicy')['PolicyDocument']);
  assert.deepEqual(
    doc.map((s) => [s['Sid'], s['Resource']]),
    [
      ['FindTrails', '*'],
      ['InspectTrail', '!Ref TrailArn'],
      ['InspectBucket', '!Sub arn:${AWS::Partition}:s3:::prod-cloudtrail-logs'],
      ['InspectQueues', ['!Ref SqsQueueArn']],
      ['FindEventRules', '*'],
      ['ReadQueueAge', '*'],
      ['InspectEventRules', '!Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*'],
      ['InspectKey', KEY_ARN],
    ],
  );
  const withoutTrail = instantiate(t, { TrailscopePrincipalArn: PRINCIPAL });
  assert.ok(!statements(props(withoutTrail, 'DiagnosticsPolicy')['PolicyDocument']).some((s) => s['Sid'] === 'InspectTrail'));
});

test('organization: log archive, organization trail and member StackSet, in deployment order', () => {
  const result = cloudFormationTemplate(testConnector({ type: 'organization', organizationId: 'o-a1b2c3d4e5', prefix: 'org' }), 'organization', { principalArn: PRINCIPAL });
  assert.deepEqual(
    result.documents.map((d) => [d.file, d.stackName]),
    [
      ['trailscope-prod-log-archive.yaml', 'trailscope-prod-log-archive'],
      ['trailscope-prod-organization-trail.yaml', 'trailscope-prod-organization-trail'],
      ['trailscope-prod-member-accounts.yaml', 'trailscope-prod-members'],
    ],
  );
  assert.equal(result.yaml, result.documents[0]!.yaml);
  const steps = result.steps.join('\n');
  assert.ok(steps.indexOf('--stack-name trailscope-prod-log-archive') < steps.indexOf('--stack-name trailscope-prod-organization-trail'));
  assert.match(steps, /create-stack-set --stack-set-name trailscope-prod-members --template-body file:\/\/trailscope-prod-member-accounts\.yaml --permission-model SERVICE_MANAGED/);
  assert.match(steps, /create-stack-instances --stack-set-name trailscope-prod-members --deployment-targets "OrganizationalUnitIds=\$TRAILSCOPE_ROOT_OU_ID" --regions eu-west-1/);
  assert.match(steps, /"KmsKeyArn=\$TRAILSCOPE_KMS_KEY_ARN"/);
});

test('organization: the log archive takes the trail of the trail account and writes under AWSLogs/<org id>/', () => {
  const result = cloudFormationTemplate(testConnector({ type: 'organization', organizationId: 'o-a1b2c3d4e5', prefix: 'org' }), 'organization');
  const archive = instantiate(parseTemplate(result.documents[0]!.yaml), { TrailscopePrincipalArn: PRINCIPAL, TrailAccountId: '444455556666' });
  assert.equal(archive.Parameters['OrganizationId']!.Default, 'o-a1b2c3d4e5');
  assert.ok(!('Trail' in archive.Resources));
  const write = statements(props(archive, 'TrailBucketPolicy')['PolicyDocument']).find((s) => s['Sid'] === 'AWSCloudTrailWrite')!;
  assert.deepEqual(write['Resource'], [
    '!Sub arn:${AWS::Partition}:s3:::prod-cloudtrail-logs/org/AWSLogs/${TrailAccountId}/*',
    '!Sub arn:${AWS::Partition}:s3:::prod-cloudtrail-logs/org/AWSLogs/${OrganizationId}/*',
  ]);
  assert.deepEqual(write['Condition'], {
    StringEquals: {
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SourceArn': '!Sub arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${TrailAccountId}:trail/trailscope-prod',
    },
  });
  assert.equal(shortForm(archive.Outputs['OrganizationId']!.Value), '!Ref OrganizationId');

  const trail = instantiate(parseTemplate(result.documents[1]!.yaml), { KmsKeyArn: KEY_ARN });
  assert.deepEqual(Object.keys(trail.Resources), ['Trail']);
  const p = props(trail, 'Trail');
  assert.equal(p['IsOrganizationTrail'], true);
  assert.equal(p['IsMultiRegionTrail'], true);
  assert.equal(p['S3BucketName'], 'prod-cloudtrail-logs');
  assert.equal(p['S3KeyPrefix'], 'org');
  assert.equal(p['KMSKeyId'], '!Ref KmsKeyArn');
  assert.equal(props(instantiate(parseTemplate(result.documents[1]!.yaml), { KmsKeyArn: '' }), 'Trail')['KMSKeyId'], undefined);
});

test('organization: each member account gets one read-only role for iam sync, trusting the principal with the ExternalId', () => {
  const result = cloudFormationTemplate(testConnector({ type: 'organization' }), 'organization');
  const members = instantiate(parseTemplate(result.documents[2]!.yaml), { TrailscopePrincipalArn: PRINCIPAL, TrailAccountId: '444455556666', TrailRegion: 'eu-west-1' });
  assert.deepEqual(Object.keys(members.Resources), ['MemberReadRole']);
  const role = props(members, 'MemberReadRole');
  assert.equal(role['RoleName'], '!Ref MemberRoleName');
  assert.deepEqual(statements(role['AssumeRolePolicyDocument'])[0]!['Condition'], { StringEquals: { 'sts:ExternalId': '!Ref ExternalId' } });
  const policy = (role['Policies'] as { PolicyDocument: unknown }[])[0]!.PolicyDocument;
  assert.deepEqual(
    statements(policy).map((s) => [s['Action'], s['Resource']]),
    [
      [['iam:GetAccountAuthorizationDetails', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport'], '*'],
      [['cloudtrail:DescribeTrails'], '*'],
      [['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'], '!Sub arn:${AWS::Partition}:cloudtrail:${TrailRegion}:${TrailAccountId}:trail/trailscope-prod'],
    ],
  );
  assert.match(result.steps.join('\n'), /trailscope iam sync --org-role-name/);
});

test('fan-out: the bucket is left alone; S3 publishes to a topic, each consumer has its own queue with raw delivery', () => {
  const result = cloudFormationTemplate(testConnector({ prefix: 'trails/prod' }), 'fan-out');
  const raw = parseTemplate(result.yaml);
  assert.ok(!Object.values(raw.Resources).some((r) => r.Type.startsWith('AWS::S3::')), 'CloudFormation must not take over the existing bucket');
  const t = instantiate(raw, { TrailscopePrincipalArn: PRINCIPAL, ExistingConsumerQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:siem' });
  assert.deepEqual(statements(props(t, 'FanOutTopicPolicy')['PolicyDocument']), [
    {
      Sid: 'BucketPublishes',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: '!Ref FanOutTopic',
      Condition: { ArnEquals: { 'aws:SourceArn': '!Sub arn:${AWS::Partition}:s3:::prod-cloudtrail-logs' }, StringEquals: { 'aws:SourceAccount': '!Ref AWS::AccountId' } },
    },
  ]);
  const queuePolicy = statements(props(t, 'TrailQueuePolicy')['PolicyDocument'])[0]!;
  assert.deepEqual([queuePolicy['Principal'], queuePolicy['Condition']], [{ Service: 'sns.amazonaws.com' }, { ArnEquals: { 'aws:SourceArn': '!Ref FanOutTopic' } }]);
  assert.deepEqual(props(t, 'TrailscopeSubscription'), { TopicArn: '!Ref FanOutTopic', Protocol: 'sqs', Endpoint: '!GetAtt TrailQueue.Arn', RawMessageDelivery: true });
  assert.equal(t.Resources['TrailscopeSubscription']!.DependsOn, 'TrailQueuePolicy');
  assert.deepEqual(props(t, 'ExistingConsumerSubscription'), { TopicArn: '!Ref FanOutTopic', Protocol: 'sqs', Endpoint: '!Ref ExistingConsumerQueueArn', RawMessageDelivery: true });
  assert.ok(!('ExistingConsumerSubscription' in instantiate(raw, { TrailscopePrincipalArn: PRINCIPAL, ExistingConsumerQueueArn: '' }).Resources));
});

test('fan-out: the steps save the rules, open the old queue to the topic, then move the rule in one update', () => {
  const steps = cloudFormationTemplate(testConnector({ prefix: 'trails/prod' }), 'fan-out').steps;
  const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s));
  const save = at(/get-bucket-notification-configuration --bucket prod-cloudtrail-logs > notification-before\.json/);
  const deploy = at(/aws cloudformation deploy --template-file trailscope-prod-fan-out\.yaml/);
  const openQueue = at(/allowing sns\.amazonaws\.com sqs:SendMessage/);
  const move = at(/TopicConfigurations entry .* put-bucket-notification-configuration --bucket prod-cloudtrail-logs/);
  assert.ok(save >= 0 && deploy > save && openQueue > deploy && move > openQueue, steps.join('\n'));
  assert.match(steps[move]!, /trails\/prod\/AWSLogs\//);
});

test('the deploy commands quote what they pass and refuse a session ARN as the principal', () => {
  assert.throws(() => cloudFormationTemplate(testConnector(), 'existing-trail', { principalArn: 'arn:aws:sts::999988887777:assumed-role/x/y' }), OnboardingError);
  assert.throws(() => cloudFormationTemplate(testConnector(), 'existing-trail', { principalArn: "arn:aws:iam::999988887777:role/x'; rm -rf /" }), OnboardingError);
  assert.throws(() => cloudFormationTemplate(testConnector(), 'sideways' as never), /unknown onboarding mode "sideways"/);
  const result = cloudFormationTemplate(testConnector(), 'existing-trail');
  assert.equal(result.steps[0]!.startsWith('Set TRAILSCOPE_PRINCIPAL_ARN'), true);
  assert.match(result.steps.join('\n'), /--parameter-overrides "TrailscopePrincipalArn=\$TRAILSCOPE_PRINCIPAL_ARN"$/m);
});

test('existing trail: the steps name the key whose policy must also allow the read role', () => {
  const withKey = cloudFormationTemplate(testConnector({ kmsKeyArn: KEY_ARN }), 'existing-trail').steps.join('\n');
  assert.match(withKey, /The key arn:aws:kms:eu-west-1:111122223333:key\/1234abcd-12ab-34cd-56ef-1234567890ab must let the read role decrypt too/);
  assert.match(withKey, /account 111122223333/);
  assert.doesNotMatch(cloudFormationTemplate(testConnector(), 'existing-trail').steps.join('\n'), /must let the read role decrypt/);
});

test('organization: the doctor may describe the organization even when the connector still says account', () => {
  const archive = parseTemplate(cloudFormationTemplate(testConnector({ type: 'account' }), 'organization').documents[0]!.yaml);
  const doc = statements(props(instantiate(archive, { TrailscopePrincipalArn: PRINCIPAL, TrailAccountId: '444455556666', OrganizationId: 'o-a1b2c3d4e5' }), 'DiagnosticsPolicy')['PolicyDocument']);
  assert.deepEqual(doc.find((s) => s['Sid'] === 'FindOrganization'), { Sid: 'FindOrganization', Effect: 'Allow', Action: ['organizations:DescribeOrganization', 'organizations:ListAccounts'], Resource: '*' });
});

test("existing trail: a queue encrypted with a customer-managed key lets the role decrypt through SQS, only when the key is given", () => {
  const t = parseTemplate(cloudFormationTemplate(testConnector(), 'existing-trail').yaml);
  const queueKey = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-1111-2222-3333-444444444444';
  const readerStatements = (values: Record<string, string>) =>
    statements((props(instantiate(t, { TrailscopePrincipalArn: PRINCIPAL, ...values }), 'ReaderRole')['Policies'] as { PolicyDocument: unknown }[])[0]!.PolicyDocument);
  assert.deepEqual(readerStatements({ QueueKmsKeyArn: queueKey }).at(-1), {
    Sid: 'DecryptNotifications',
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: '!Ref QueueKmsKeyArn',
    Condition: { StringEquals: { 'kms:ViaService': '!Sub sqs.${AWS::Region}.amazonaws.com' } },
  });
  assert.ok(!readerStatements({}).some((s) => s['Sid'] === 'DecryptNotifications'));
});
