import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfig, connectorFromFlags, resolveConnectors, connectionOf, ConfigError } from './config.js';

const GOOD = `connectors:
  - name: prod
    type: account
    accountId: "111122223333"
    bucket: prod-cloudtrail-logs
    prefix: /trails/prod/
    queueUrl: https://sqs.eu-west-1.amazonaws.com/111122223333/trailscope-prod
    region: eu-west-1
  - name: org
    type: organization
    organizationId: o-a1b2c3d4e5
    bucket: org-trail-archive
    roleArn: arn:aws:iam::999988887777:role/TrailscopeReader
    externalId: 6f1c0c36-3c0c-4d5e
`;

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected an error');
}

test('config: a valid file parses, prefix slashes are trimmed', () => {
  const c = parseConfig(GOOD, 'ts.yaml');
  assert.equal(c.connectors.length, 2);
  assert.equal(c.connectors[0]!.prefix, 'trails/prod');
  assert.equal(c.connectors[0]!.accountId, '111122223333');
  assert.equal(c.connectors[1]!.type, 'organization');
  assert.deepEqual(connectionOf(c.connectors[1]!), {
    roleArn: 'arn:aws:iam::999988887777:role/TrailscopeReader',
    externalId: '6f1c0c36-3c0c-4d5e',
  });
});

test('config: errors point at file:line:col and the field path', () => {
  const bad = GOOD.replace('bucket: org-trail-archive', 'bucket: s3://Org_Trail').replace('type: account', 'type: acount');
  const msg = problems(() => parseConfig(bad, 'ts.yaml'));
  assert.match(msg, /^ts\.yaml:3:11: connectors\[0\]\.type: /m);
  assert.match(msg, /^ts\.yaml:12:13: connectors\[1\]\.bucket: not a valid S3 bucket name/m);
});

test('config: missing field, unknown field, duplicate names, externalId without role', () => {
  const text = `connectors:
  - name: a
    type: account
  - name: a
    type: account
    bucket: b-bucket
    bukket: x
    externalId: abc
`;
  const msg = problems(() => parseConfig(text, 'c.yaml'));
  assert.match(msg, /c\.yaml:2:5: connectors\[0\]\.bucket: required/);
  assert.match(msg, /c\.yaml:7:13: connectors\[1\]\.bukket: unknown field \(known: .*bucket/);
  assert.match(msg, /connectors\[1\]\.externalId: externalId is only used with roleArn/);
});

test('config: duplicate connector names', () => {
  const text = 'connectors:\n  - {name: a, type: account, bucket: bbb}\n  - {name: a, type: account, bucket: ccc}\n';
  assert.match(problems(() => parseConfig(text, 'd.yaml')), /^d\.yaml:3:\d+: connectors\[1\]\.name: duplicate connector name "a" \(also connectors\[0\]\)$/);
});

test('config: an unquoted account id with a leading zero is caught; YAML syntax errors have a line', () => {
  assert.match(problems(() => parseConfig('connectors:\n  - {name: a, type: account, bucket: bbb, accountId: 12345}\n', 'x.yaml')), /x\.yaml:2:\d+: connectors\[0\]\.accountId: an AWS account id is 12 digits/);
  assert.match(problems(() => parseConfig('connectors: [\n  - a: 1\n', 'y.yaml')), /^y\.yaml:\d+:\d+: YAML: /);
  assert.match(problems(() => parseConfig('', 'e.yaml')), /e\.yaml.*connectors/);
  assert.match(problems(() => parseConfig('connectors:\n  - name: a\n    type: account\n    bucket: bbb\n    prefix: logs/AWSLogs\n', 'p.yaml')), /p\.yaml:5:13: connectors\[0\]\.prefix: .*leave AWSLogs\/ out/);
});

test('config: loadConfig names an unreadable file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ts-config-'));
  await assert.rejects(loadConfig(join(dir, 'nope.yaml')), (e: Error) => e instanceof ConfigError && /nope\.yaml: cannot read the file/.test(e.message));
  const p = join(dir, 'ok.yaml');
  await writeFile(p, GOOD);
  assert.equal((await loadConfig(p)).connectors[1]!.name, 'org');
});

test('flags: one connector from flags, errors name the flag; flags override a selected connector', () => {
  const c = connectorFromFlags({ bucket: 'my-trail', roleArn: 'arn:aws:iam::111122223333:role/R', externalId: 'xyz', endpointUrl: 'http://localhost:4566' });
  assert.equal(c.name, 'default');
  assert.equal(c.type, 'account');
  assert.deepEqual(connectionOf(c).forcePathStyle, true);
  assert.equal(connectorFromFlags({ bucket: 'my-trail', organizationId: 'o-abcdefghij' }).type, 'organization');
  assert.match(problems(() => connectorFromFlags({ bucket: 'x', roleArn: 'role/R' })), /--bucket: not a valid S3 bucket name[\s\S]*--role-arn: must be an IAM role ARN/);
  assert.match(problems(() => connectorFromFlags({})), /--bucket: required/);

  const cfg = parseConfig(GOOD);
  assert.equal(resolveConnectors(cfg, {}).length, 2);
  const [org] = resolveConnectors(cfg, { prefix: 'p' }, 'org');
  assert.equal(org!.prefix, 'p');
  assert.equal(org!.type, 'organization');
  assert.equal(org!.bucket, 'org-trail-archive');
  assert.match(problems(() => resolveConnectors(cfg, { prefix: 'p' })), /--connector/);
  assert.match(problems(() => resolveConnectors(cfg, {}, 'nope')), /no connector named "nope" \(have: prod, org\)/);
});
