import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { classifyKey } from './keys.js';

describe('classifyKey', () => {
  test('single-account event file (real flaws2 key)', () => {
    const key =
      'AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/653711331788_CloudTrail_us-east-1_20181128T2305Z_zKlMhON7EpHala9u.json.gz';
    assert.deepEqual(classifyKey(key), {
      kind: 'events',
      accountId: '653711331788',
      region: 'us-east-1',
      date: '2018-11-28',
      prefix: '',
    });
  });

  test('organization trail under a prefix with spaces and slashes', () => {
    const key =
      'central logs/prod/AWSLogs/o-abcde12345/111122223333/CloudTrail/eu-west-1/2024/02/29/111122223333_CloudTrail_eu-west-1_20240229T0005Z_AbCdEfGhIjKlMnOp.json.gz';
    assert.deepEqual(classifyKey(key), {
      kind: 'events',
      orgId: 'o-abcde12345',
      accountId: '111122223333',
      region: 'eu-west-1',
      date: '2024-02-29',
      prefix: 'central logs/prod',
    });
  });

  test('a prefix that itself contains AWSLogs/ resolves to the innermost layout', () => {
    const info = classifyKey('AWSLogs/backup/AWSLogs/123456789012/CloudTrail/us-gov-west-1/2023/01/02/f.json.gz');
    assert.equal(info.kind, 'events');
    assert.equal(info.prefix, 'AWSLogs/backup');
    assert.equal(info.region, 'us-gov-west-1');
  });

  test('local absolute paths and Windows separators', () => {
    const posix = classifyKey('/data/flaws2/AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/x.json.gz');
    assert.equal(posix.kind, 'events');
    assert.equal(posix.prefix, '/data/flaws2');
    const win = classifyKey('C:\\logs\\AWSLogs\\653711331788\\CloudTrail\\us-east-1\\2018\\11\\28\\x.json.gz');
    assert.equal(win.kind, 'events');
    assert.equal(win.accountId, '653711331788');
  });

  test('digest files (single account and organization)', () => {
    const single = classifyKey(
      'AWSLogs/123456789123/CloudTrail-Digest/us-west-2/2020/09/11/123456789123_CloudTrail-Digest_us-west-2_leh-ct-test_us-west-2_20200911T193649Z.json.gz',
    );
    assert.equal(single.kind, 'digest');
    assert.equal(single.accountId, '123456789123');
    const org = classifyKey('p/AWSLogs/o-zzzzzzzzzz/123456789012/CloudTrail-Digest/us-east-1/2024/01/01/d.json.gz');
    assert.equal(org.kind, 'digest');
    assert.equal(org.orgId, 'o-zzzzzzzzzz');
  });

  test('insight files', () => {
    const info = classifyKey(
      'AWSLogs/o-aaaaaaaaaa/123456789012/CloudTrail-Insight/us-east-1/2020/09/09/123456789012_CloudTrail-Insight_us-east-1_20200909T2300Z_abcd.json.gz',
    );
    assert.equal(info.kind, 'insight');
    assert.equal(info.accountId, '123456789012');
  });

  test('anything else is other', () => {
    for (const key of [
      'AWSLogs/123456789012/Config/us-east-1/2024/01/01/ConfigSnapshot/x.json.gz',
      'AWSLogs/12345678901/CloudTrail/us-east-1/2024/01/01/x.json.gz', // 11-digit account
      'AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/01/', // folder marker
      'AWSLogs/123456789012/CloudTrail/us-east-1/2024/13/01/x.json.gz', // month 13
      'AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/01/extra/x.json.gz',
      'AWSLogs/o-short/123456789012/CloudTrail/us-east-1/2024/01/01/x.json.gz',
      'cloudtrail_test_events.jsonl',
      '',
    ]) {
      assert.deepEqual(classifyKey(key), { kind: 'other' }, key);
    }
  });
});
