import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { ACCOUNT, addRecords, allow, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { loadAnalysis } from './load.js';
import { suggestPolicy, type SuggestedPolicy } from './policy.js';
import type { PolicyStatement } from '../iam/types.js';

const AS_OF = '2026-06-01T00:00:00Z';
const OLD = '2025-01-01T00:00:00Z';
const USER = `arn:aws:iam::${ACCOUNT}:user/builder`;
const FN_ROLE = `arn:aws:iam::${ACCOUNT}:role/fn-exec`;
let t: TempStore;
let policy: SuggestedPolicy;

async function suggestFor(arn: string): Promise<SuggestedPolicy> {
  const { ctx, evaluator } = await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90, principalArn: arn, accountId: ACCOUNT });
  const id = ctx.identities[0];
  assert.ok(id, `${arn} analysed`);
  return suggestPolicy({
    principalArn: arn,
    usage: id.usage,
    permissions: id.permissions,
    evaluator,
    identity: id.iam,
    snapshot: ctx.snapshots[0] ?? null,
    passRoleServices: ctx.passRoleServices?.get(arn),
  });
}

const actionsOf = (s: PolicyStatement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const find = (p: SuggestedPolicy, action: string) => p.document.Statement.find((s) => actionsOf(s).includes(action));

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          {
            name: 'builder',
            created: OLD,
            inline: [
              allow(['s3:*', 'lambda:*', 'iam:PassRole', 'ec2:DescribeInstances']),
              allow(['iam:GetRole'], `arn:aws:iam::${ACCOUNT}:role/app-*`),
            ],
          },
        ],
        roles: [{ name: 'fn-exec', created: OLD, inline: [allow(['logs:PutLogEvents'])] }],
      }),
    ],
  });
  const who = { user: 'builder' };
  await addRecords(t.store, [
    record(who, 's3:GetBucketAcl', daysBefore(AS_OF, 3), { requestParameters: { bucketName: 'reports' }, resources: [{ ARN: 'arn:aws:s3:::reports', type: 'AWS::S3::Bucket' }] }),
    record(who, 's3:GetBucketAcl', daysBefore(AS_OF, 4), { requestParameters: { bucketName: 'exports' }, resources: [{ ARN: 'arn:aws:s3:::exports', type: 'AWS::S3::Bucket' }] }),
    record(who, 'ec2:DescribeInstances', daysBefore(AS_OF, 5)),
    // S3 keys are free text: '*', '?' and '$' in them are literal characters, not wildcards
    ...['*', 'q?1', 'cost$1'].map((key, k) =>
      record(who, 's3:GetObject', daysBefore(AS_OF, 9 + k), {
        requestParameters: { bucketName: 'reports', key },
        resources: [{ ARN: `arn:aws:s3:::reports/${key}`, type: 'AWS::S3::Object' }],
      }),
    ),
    record(who, 'lambda:CreateFunction20150331', daysBefore(AS_OF, 6), {
      requestParameters: { functionName: 'etl', role: FN_ROLE, runtime: 'nodejs20.x' },
    }),
    // limited grant (role/app-*), request names no resource
    record(who, 'iam:GetRole', daysBefore(AS_OF, 7)),
    // succeeded but not granted by the user's policies (resource policy, or removed since)
    record(who, 'dynamodb:DescribeTable', daysBefore(AS_OF, 8)),
    // failed: never in the policy
    record(who, 's3:DeleteBucket', daysBefore(AS_OF, 2), { error: 'AccessDenied', requestParameters: { bucketName: 'reports' } }),
  ]);
  policy = await suggestFor(USER);
});
after(async () => t?.close());

describe('suggestPolicy', () => {
  it('is a valid identity policy document', () => {
    assert.equal(policy.document.Version, '2012-10-17');
    assert.deepEqual(validateIdentityPolicy(JSON.parse(JSON.stringify(policy.document))), []);
  });

  it('scopes actions to the resources CloudTrail showed, "*" where none was named', () => {
    assert.deepEqual(find(policy, 's3:GetBucketAcl')?.Resource, ['arn:aws:s3:::exports', 'arn:aws:s3:::reports']);
    assert.equal(find(policy, 'ec2:DescribeInstances')?.Resource, '*');
  });

  it('writes wildcard characters of observed names as literals (${*}, ${?}, ${$}), never as wildcards', () => {
    assert.deepEqual(find(policy, 's3:GetObject')?.Resource, ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/${*}', 'arn:aws:s3:::reports/cost${$}1', 'arn:aws:s3:::reports/q${?}1']);
  });

  it('allows iam:PassRole only on the passed role, to the service it was passed to', () => {
    const st = find(policy, 'iam:PassRole');
    assert.ok(st, JSON.stringify(policy.document));
    assert.equal(st.Resource, FN_ROLE);
    assert.deepEqual(st.Condition, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
  });

  it('never exceeds the grants: limited grants keep their pattern, ungranted and failed actions are left out', () => {
    assert.equal(find(policy, 'iam:GetRole')?.Resource, `arn:aws:iam::${ACCOUNT}:role/app-*`);
    assert.equal(find(policy, 'dynamodb:DescribeTable'), undefined);
    assert.ok(policy.notes.some((n) => n.includes('dynamodb:DescribeTable')));
    assert.equal(find(policy, 's3:DeleteBucket'), undefined);
  });

  it('groups statements by service with distinct Sids', () => {
    const sids = policy.document.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length);
    for (const s of policy.document.Statement) {
      const services = new Set(actionsOf(s).map((a) => a?.split(':')[0]));
      assert.equal(services.size, 1, JSON.stringify(s));
    }
  });

  it('an identity with no activity gets an empty policy and a note', async () => {
    const idle = await suggestFor(FN_ROLE);
    assert.deepEqual(idle.document.Statement, []);
    assert.ok(idle.notes.some((n) => n.includes('no successful activity')));
  });
});
