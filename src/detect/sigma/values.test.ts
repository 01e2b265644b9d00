import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldTest, valuesAt, SigmaUnsupported } from './values.js';
import { cidrMatcher } from './cidr.js';

/** Whether `field|mods: value` matches the record, as a Sigma selection would test it. */
function matches(record: unknown, key: string, value: unknown): boolean {
  const [path = '', ...mods] = key.split('|');
  return fieldTest(path, mods, value)(valuesAt(record, path), record);
}

const RECORD = {
  eventName: 'UpdateFunctionConfiguration20150331v2',
  userAgent: 'TruffleHog',
  sourceIPAddress: '203.0.113.77',
  errorCode: null,
  requestParameters: { enable: false, layers: ['arn:aws:lambda:us-east-1:1:layer:evil:1'], policyDocument: '{"Effect":"Allow"}', count: 12 },
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/alice', userName: 'alice', sessionContext: { sessionIssuer: { type: 'Role' } } },
  'flat.key': 'dotted',
};

describe('Sigma field matching', () => {
  it('compares text without regard to case, and other scalars by their text', () => {
    assert.equal(matches(RECORD, 'userAgent', 'trufflehog'), true);
    assert.equal(matches(RECORD, 'userAgent', 'TruffleHo'), false);
    assert.equal(matches(RECORD, 'requestParameters.enable', 'false'), true);
    assert.equal(matches(RECORD, 'requestParameters.count', 12), true);
    assert.equal(matches(RECORD, 'userAgent|cased', 'trufflehog'), false);
  });

  it('follows dotted paths into nested objects, through arrays, and accepts keys with dots', () => {
    assert.equal(matches(RECORD, 'userIdentity.sessionContext.sessionIssuer.type', 'Role'), true);
    assert.equal(matches(RECORD, 'requestParameters.layers|contains', ':layer:evil'), true);
    assert.equal(matches(RECORD, 'flat.key', 'dotted'), true);
    assert.equal(matches(RECORD, 'userIdentity.nothing.here', 'x'), false);
  });

  it('applies contains, startswith, endswith and wildcards, with Sigma escapes', () => {
    assert.equal(matches(RECORD, 'eventName|startswith', 'UpdateFunctionConfiguration'), true);
    assert.equal(matches(RECORD, 'eventName', 'UpdateFunctionConfiguration'), false);
    assert.equal(matches(RECORD, 'eventName', 'update*v?'), true);
    assert.equal(matches(RECORD, 'userIdentity.arn|endswith', ':user/alice'), true);
    assert.equal(matches(RECORD, 'userAgent|contains', 'fleH'), true);
    assert.equal(matches({ a: 'x*y' }, 'a', 'x\\*y'), true);
    assert.equal(matches({ a: 'xzy' }, 'a', 'x\\*y'), false);
    assert.equal(matches({ a: 'xzy' }, 'a', 'x*y'), true);
  });

  it('reads objects as their JSON text, so contains looks inside request parameters', () => {
    assert.equal(matches(RECORD, 'requestParameters|contains|all', ['"enable":false', 'layer:evil']), true);
    assert.equal(matches(RECORD, 'requestParameters|contains|all', ['"enable":false', 'no-such-text']), false);
    assert.equal(matches(RECORD, 'requestParameters|contains', ['no-such-text', 'layer:evil']), true);
  });

  it('matches a wildcard-only value only when the field has a value', () => {
    assert.equal(matches(RECORD, 'requestParameters.layers|contains', '*'), true);
    assert.equal(matches(RECORD, 'errorMessage|contains', '*'), false);
    assert.equal(matches(RECORD, 'errorCode|contains', '*'), false);
  });

  it('treats null as absent-or-null, and exists as present and not null', () => {
    assert.equal(matches(RECORD, 'errorCode', null), true);
    assert.equal(matches(RECORD, 'errorMessage', null), true);
    assert.equal(matches(RECORD, 'userAgent', null), false);
    assert.equal(matches(RECORD, 'errorCode|exists', true), false);
    assert.equal(matches(RECORD, 'userAgent|exists', true), true);
    assert.equal(matches(RECORD, 'errorMessage|exists', false), true);
  });

  it('runs regular expressions (unanchored, case-sensitive unless |i) and CIDR ranges', () => {
    assert.equal(matches(RECORD, 'userIdentity.arn|re', ':user/al'), true);
    assert.equal(matches(RECORD, 'userIdentity.arn|re', ':USER/AL'), false);
    assert.equal(matches(RECORD, 'userIdentity.arn|re|i', ':USER/AL'), true);
    assert.equal(matches(RECORD, 'sourceIPAddress|cidr', ['10.0.0.0/8', '203.0.113.0/24']), true);
    assert.equal(matches(RECORD, 'sourceIPAddress|cidr', '203.0.112.0/24'), false);
    assert.equal(matches({ sourceIPAddress: 'AWS Internal' }, 'sourceIPAddress|cidr', '0.0.0.0/0'), false);
  });

  it('compares a field with another field (fieldref) and numbers (gt, lte)', () => {
    assert.equal(matches(RECORD, 'userIdentity.userName|fieldref', 'userIdentity.userName'), true);
    assert.equal(matches(RECORD, 'userIdentity.userName|fieldref', 'userAgent'), false);
    assert.equal(matches(RECORD, 'requestParameters.count|gt', 10), true);
    assert.equal(matches(RECORD, 'requestParameters.count|lte', 10), false);
  });

  it('refuses what it does not implement, naming the field and the modifier', () => {
    assert.throws(() => fieldTest('src_ip', ['expand'], '%ranges%'), (e: Error) => e instanceof SigmaUnsupported && /src_ip.*\|expand/.test(e.message));
    assert.throws(() => fieldTest('a', ['base64offset', 'contains'], 'x'), /\|base64offset/);
    assert.throws(() => fieldTest('a', ['re'], '(?<=x'), /regular expression/);
    assert.throws(() => fieldTest('a', ['cidr'], '10.0.0.0/33'), /CIDR/);
  });
});

describe('CIDR ranges', () => {
  it('matches IPv4 and IPv6 prefixes, and nothing across families', () => {
    const v4 = cidrMatcher('192.168.0.0/16')!;
    assert.deepEqual(['192.168.4.5', '192.169.0.1', '::1', 'example.com'].map(v4), [true, false, false, false]);
    const v6 = cidrMatcher('2001:db8::/32')!;
    assert.deepEqual(['2001:db8:1::5', '2001:db9::1', '192.168.0.1'].map(v6), [true, false, false]);
    assert.equal(cidrMatcher('::ffff:10.0.0.0/104')!('::ffff:10.1.2.3'), true);
    assert.equal(cidrMatcher('1.2.3.4')!('1.2.3.4'), true);
    assert.equal(cidrMatcher('300.1.1.1/8'), null);
  });
});
