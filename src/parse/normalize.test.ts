import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sharedData } from '../../test/support/paths.js';
import { normalizeRecord, compareEventVersion, RecordRejected } from './index.js';

type Rec = Record<string, unknown>;

/** Line n (1-based) of an NDJSON fixture. */
function line(path: string, n: number): Rec {
  const text = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim())[n - 1];
  assert.ok(text, `${path} has no line ${n}`);
  return JSON.parse(text) as Rec;
}
const elastic = (file: string, n = 1) => line(sharedData('elastic-cloudtrail-fixtures', 'integrations', file), n);
const panther = (n: number) => line(sharedData('panther-analysis', 'cloudtrail_test_events.jsonl'), n).event as Rec;
function stratus(file: string, eventID: string): Rec {
  const records = JSON.parse(readFileSync(sharedData('stratus-red-team', 'detonation-logs', file), 'utf8')) as Rec[];
  const r = records.find((x) => x.eventID === eventID);
  assert.ok(r);
  return r;
}
function flaws(eventName: string): Rec {
  const dir = sharedData('flaws2-cloudtrail', 'AWSLogs', '653711331788', 'CloudTrail', 'us-east-1', '2018', '11', '28');
  for (const f of readdirSync(dir).sort()) {
    const { Records } = JSON.parse(gunzipSync(readFileSync(`${dir}/${f}`)).toString()) as { Records: Rec[] };
    const r = Records.find((x) => x.eventName === eventName);
    if (r) return r;
  }
  assert.fail(`no ${eventName} in flaws2`);
}

describe('normalizeRecord: identity types (real records)', () => {
  test('IAMUser console sign-in: user ARN, MFA from additionalEventData.MFAUsed', () => {
    const e = normalizeRecord(elastic('test-console-login-json.log', 1));
    assert.equal(e.identityType, 'IAMUser');
    assert.equal(e.principalArn, 'arn:aws:iam::111122223333:user/JohnDoe');
    assert.equal(e.principalAccountId, '111122223333');
    assert.equal(e.sessionName, null);
    assert.equal(e.mfaAuthenticated, false);
  });

  test('IAMUser with invokedBy: the user stays the principal, the service is kept apart', () => {
    const e = normalizeRecord(elastic('test-tls-details-json.log', 1));
    assert.equal(e.principalArn, 'arn:aws:iam::0123456789012:user/Alice'); // 13-digit account kept verbatim
    assert.equal(e.invokedBy, 'signin.amazonaws.com');
    assert.equal(e.mfaAuthenticated, true); // sessionContext.attributes.mfaAuthenticated "true"
  });

  test('AssumedRole: role ARN from sessionIssuer with its path, person as session name', () => {
    const e = normalizeRecord(elastic('test-tls-details-json.log', 3));
    assert.equal(e.identityType, 'AssumedRole');
    assert.equal(e.principalArn, 'arn:aws:iam::001122334455:role/aws-reserved/sso.amazonaws.com/eu-west-1/SomeRole');
    assert.equal(e.sessionName, 'some.user@my.company.com');
    assert.equal(e.mfaAuthenticated, false);
    assert.equal(e.readOnly, true);
  });

  test('AssumedRole without sessionIssuer: role derived from the session ARN, never the STS ARN', () => {
    const r = structuredClone(elastic('test-assume-role-email-session-json.log'));
    delete ((r.userIdentity as Rec).sessionContext as Rec).sessionIssuer;
    const e = normalizeRecord(r);
    assert.equal(e.principalArn, 'arn:aws:iam::111111111111:role/AWSReservedSSO_SecurityAudit_8df5ccd37b');
    assert.equal(e.sessionName, 'firstname.lastname@example.com');
  });

  test('us-gov partition: partition preserved in the role ARN', () => {
    const e = normalizeRecord(elastic('test-us-gov-arn.log'));
    assert.equal(e.principalArn, 'arn:aws-us-gov:iam::111111111111:role/ExampleRole');
    assert.equal(e.sessionName, 'i-example1234567890');
    assert.equal(e.awsRegion, 'us-gov-east-1');
    assert.equal(e.eventVersion, '1.11');
  });

  test('Root: arn:<partition>:iam::<acct>:root, built with the region partition when arn is absent', () => {
    const e = normalizeRecord(panther(326));
    assert.equal(e.identityType, 'Root');
    assert.equal(e.principalArn, 'arn:aws:iam::123456789012:root');
    const r = structuredClone(panther(326));
    delete (r.userIdentity as Rec).arn;
    r.awsRegion = 'cn-north-1';
    assert.equal(normalizeRecord(r).principalArn, 'arn:aws-cn:iam::123456789012:root');
  });

  test('AWSService: the service principal from invokedBy', () => {
    const e = normalizeRecord(elastic('test-assume-role-aws-service-json.log'));
    assert.equal(e.identityType, 'AWSService');
    assert.equal(e.principalArn, 'ec2.amazonaws.com');
    assert.equal(e.invokedBy, 'ec2.amazonaws.com');
    assert.equal(e.principalAccountId, null);
    assert.equal(normalizeRecord(flaws('Invoke')).principalArn, 'apigateway.amazonaws.com');
  });

  test('FederatedUser: the issuing IAM user, federation name as session', () => {
    const e = normalizeRecord(stratus('aws.persistence.sts-federation-token.json', '91529247-c4c4-4793-afc8-d70bbcfe9d19'));
    assert.equal(e.identityType, 'FederatedUser');
    assert.equal(e.principalArn, 'arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user');
    assert.equal(e.sessionName, 'stratus_red_team');
    // Without sessionIssuer (panther sample) the issuer is unknown: null, never the STS ARN.
    const bare = normalizeRecord(panther(4));
    assert.equal(bare.principalArn, null);
    assert.equal(bare.sessionName, 'federated-user');
  });

  test('SAMLUser without sessionIssuer: no IAM principal, userName as session', () => {
    const e = normalizeRecord(elastic('test-tls-details-json.log', 2));
    assert.equal(e.identityType, 'SAMLUser');
    assert.equal(e.principalArn, null);
    assert.equal(e.sessionName, 'some.user@my.company.com');
    assert.equal(e.errorCode, '200'); // odd values kept verbatim
  });

  test('SAMLUser with sessionIssuer: the role', () => {
    const r = structuredClone(elastic('test-tls-details-json.log', 2));
    (r.userIdentity as Rec).sessionContext = {
      sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::001122334455:role/SamlRole', accountId: '001122334455' },
    };
    assert.equal(normalizeRecord(r).principalArn, 'arn:aws:iam::001122334455:role/SamlRole');
  });

  test('IdentityCenterUser: no IAM principal, the person as session name', () => {
    const e = normalizeRecord(elastic('test-user-authentication.log'));
    assert.equal(e.identityType, 'IdentityCenterUser');
    assert.equal(e.principalArn, null);
    assert.equal(e.sessionName, 'redacted@example.com');
    assert.equal(e.accessKeyId, null); // "" means absent
  });

  test('WebIdentityUser (AssumeRoleWithWebIdentity shape): issuer role when present, userName as session', () => {
    const r: Rec = {
      eventVersion: '1.08',
      userIdentity: {
        type: 'WebIdentityUser',
        principalId: 'accounts.google.com:1234567890',
        userName: '1234567890',
        identityProvider: 'accounts.google.com',
      },
      eventTime: '2024-03-01T10:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithWebIdentity',
      awsRegion: 'us-east-1',
      eventID: 'w-1',
    };
    const e = normalizeRecord(r);
    assert.equal(e.principalArn, null);
    assert.equal(e.sessionName, '1234567890');
  });

  test('no identity type, only invokedBy (plaso lookup-events sample): the service principal', () => {
    const lines = readFileSync(sharedData('plaso-lookup-events', 'aws_cloudtrail.jsonl'), 'utf8').split('\n').filter(Boolean);
    const records = lines.map((l) => JSON.parse((JSON.parse(l) as { CloudTrailEvent: string }).CloudTrailEvent) as Rec);
    const r = records.find((x) => (x.userIdentity as Rec).type === undefined);
    assert.ok(r);
    const e = normalizeRecord(r);
    assert.equal(e.identityType, null);
    assert.equal(e.principalArn, 'ec2.amazonaws.com');
    assert.equal(e.principalAccountId, '012345678901');
  });

  test('AWSAccount (anonymous S3 access): no principal ARN, account kept verbatim', () => {
    const e = normalizeRecord(flaws('GetObject'));
    assert.equal(e.identityType, 'AWSAccount');
    assert.equal(e.principalArn, null);
    assert.equal(e.principalAccountId, 'ANONYMOUS_PRINCIPAL');
  });
});

describe('normalizeRecord: fields', () => {
  test('eventCategory: present kept; absent before 1.07 is Management, or Data when managementEvent is false', () => {
    assert.equal(normalizeRecord(elastic('test-us-gov-arn.log')).eventCategory, 'Management');
    const old = normalizeRecord(elastic('test-console-login-json.log', 1));
    assert.equal(old.eventVersion, '1.05');
    assert.equal(old.eventCategory, 'Management');
    const invoke = normalizeRecord(flaws('Invoke')); // Lambda Invoke, eventVersion 1.06, managementEvent false
    assert.equal(invoke.eventCategory, 'Data');
  });

  test('readOnly from booleans and strings ("true", "True", "false"), null otherwise', () => {
    assert.equal(normalizeRecord(panther(110)).readOnly, true); // the sample writes "True"
    const r = structuredClone(elastic('test-us-gov-arn.log'));
    for (const [value, expected] of [['true', true], ['false', false], [false, false], ['yes', null], [undefined, null]] as const) {
      r.readOnly = value;
      assert.equal(normalizeRecord(r).readOnly, expected, String(value));
    }
  });

  test('raw is the record itself, unchanged', () => {
    const r = elastic('test-us-gov-arn.log');
    const before = JSON.stringify(r);
    const e = normalizeRecord(r);
    assert.equal(e.raw, r);
    assert.equal(JSON.stringify(e.raw), before);
  });

  test('records without eventID get a stable derived id independent of key order', () => {
    const r = panther(423);
    assert.equal(r.eventID, undefined);
    const id = normalizeRecord(r).eventID;
    assert.match(id, /^derived-[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(r).reverse());
    assert.equal(normalizeRecord(reordered).eventID, id);
    assert.notEqual(normalizeRecord(panther(424)).eventID, id);
  });

  test('eventTime: canonical form; zone-less times read as UTC; offsets converted; no time means rejection', () => {
    const r = structuredClone(elastic('test-us-gov-arn.log'));
    r.eventTime = '2024-06-02 20:27:12.000000000';
    assert.equal(normalizeRecord(r).eventTime, '2024-06-02T20:27:12Z');
    r.eventTime = '2022-02-08 09:23:37+11:00';
    assert.equal(normalizeRecord(r).eventTime, '2022-02-07T22:23:37Z');
    r.eventTime = '2022-02-08T09:23:37.250Z';
    assert.equal(normalizeRecord(r).eventTime, '2022-02-08T09:23:37.250Z');
    r.eventTime = '2024-02-30T10:00:00Z';
    assert.throws(() => normalizeRecord(r), (err: unknown) => err instanceof RecordRejected && /not a valid date/.test(err.reason));
    r.eventTime = 'yesterday';
    assert.throws(() => normalizeRecord(r), (err: unknown) => err instanceof RecordRejected && /ISO-8601/.test(err.reason));
    delete r.eventTime;
    assert.throws(() => normalizeRecord(r), (err: unknown) => err instanceof RecordRejected && /eventTime is missing/.test(err.reason));
  });

  test('missing eventName or eventSource is a rejection with a reason', () => {
    const r = structuredClone(elastic('test-us-gov-arn.log'));
    delete r.eventName;
    assert.throws(() => normalizeRecord(r), (err: unknown) => err instanceof RecordRejected && /eventName is missing/.test(err.reason));
  });

  test('recipientAccountId falls back to the key account only when the record has none', () => {
    const r = structuredClone(elastic('test-console-login-json.log', 1)); // 1.05 sample without recipientAccountId
    assert.equal(normalizeRecord(r).recipientAccountId, null);
    assert.equal(normalizeRecord(r, { accountId: '111122223333' }).recipientAccountId, '111122223333');
    const withOwn = elastic('test-us-gov-arn.log');
    assert.equal(normalizeRecord(withOwn, { accountId: '999999999999' }).recipientAccountId, '111111111111');
  });

  test('actions come from the action mapper', () => {
    const e = normalizeRecord(elastic('test-us-gov-arn.log'));
    assert.ok(e.actions.includes('ssm:UpdateInstanceInformation'));
  });
});

describe('compareEventVersion', () => {
  test('numeric, not lexical', () => {
    assert.ok(compareEventVersion('1.10', '1.9') > 0);
    assert.ok(compareEventVersion('1.9', '1.10') < 0);
    assert.equal(compareEventVersion('1.07', '1.7'), 0);
    assert.equal(compareEventVersion('1', '1.0'), 0);
    assert.ok(compareEventVersion('2.0', '1.11') > 0);
    assert.ok(compareEventVersion('1.05', '1.07') < 0);
  });

  test('non-numeric versions sort before real ones', () => {
    assert.ok(compareEventVersion('abc', '1.0') < 0);
    assert.ok(compareEventVersion('1.0', '') > 0);
    assert.equal(compareEventVersion('x', 'y'), 0);
  });
});

describe('console sign-in outcome', () => {
  test('a failed console login carries an error code, a successful one none (real records)', () => {
    const records = [1, 2, 3].map((n) => elastic('test-console-login-json.log', n));
    const normalised = records.map((r) => normalizeRecord(r));
    const failed = normalised.filter((e, i) => JSON.stringify(records[i]!.responseElements).includes('Failure'));
    const succeeded = normalised.filter((e, i) => JSON.stringify(records[i]!.responseElements).includes('Success'));
    assert.ok(failed.length > 0 && succeeded.length > 0, 'the fixture holds both outcomes');
    for (const e of failed) assert.equal(e.errorCode, 'SignInFailure');
    for (const e of succeeded) assert.equal(e.errorCode, null);
  });
});
