import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAtt, ifCondition, Intrinsic, noValue, parseCloudFormationYaml, ref, sub, subLiteral, toCloudFormationYaml } from './cfn-yaml.js';

test('intrinsics are written in short form, never as Ref:/Fn:: maps', () => {
  const yaml = toCloudFormationYaml({
    A: ref('Bucket'),
    B: sub('arn:${AWS::Partition}:s3:::b/*'),
    C: getAtt('Queue', 'Arn'),
    D: ifCondition('UseKey', 'x', noValue()),
  });
  assert.match(yaml, /^A: !Ref Bucket$/m);
  assert.match(yaml, /^B: !Sub arn:\$\{AWS::Partition\}:s3:::b\/\*$/m);
  assert.match(yaml, /^C: !GetAtt Queue\.Arn$/m);
  assert.match(yaml, /^D: !If\n {2}- UseKey\n {2}- x\n {2}- !Ref AWS::NoValue$/m);
  assert.doesNotMatch(yaml, /Ref:|Fn::/);
});

test('templates read back to the same intrinsics', () => {
  const template = { R: { P: [ref('X'), getAtt('Role', 'Arn'), ifCondition('C', { a: sub('${X}-y') }, noValue())] } };
  const back = parseCloudFormationYaml(toCloudFormationYaml(template));
  assert.deepEqual(back, template);
  const getAttBack = (back as { R: { P: unknown[] } }).R.P[1];
  assert.ok(getAttBack instanceof Intrinsic);
  assert.deepEqual(getAttBack.args, ['Role', 'Arn']);
});

test('unknown tags and YAML errors are refused when reading a template back', () => {
  assert.throws(() => parseCloudFormationYaml('A: !Reff X\n'), /Unresolved tag: !Reff/);
  assert.throws(() => parseCloudFormationYaml('A: 1\nA: 2\n'), /not a valid CloudFormation YAML/);
});

test("strings YAML 1.1 would read as dates, booleans or numbers are quoted, as CloudFormation reads 1.1", () => {
  const yaml = toCloudFormationYaml({ AWSTemplateFormatVersion: '2010-09-09', P: { Version: '2012-10-17', Prefix: 'on', Other: 'yes', Octal: '012', Plain: 'trails' } });
  assert.match(yaml, /^AWSTemplateFormatVersion: "2010-09-09"$/m);
  assert.match(yaml, /^ {2}Version: "2012-10-17"$/m);
  assert.match(yaml, /^ {2}Prefix: "on"$/m);
  assert.match(yaml, /^ {2}Other: "yes"$/m);
  assert.match(yaml, /^ {2}Octal: "012"$/m);
  assert.match(yaml, /^ {2}Plain: trails$/m);
  assert.deepEqual(parseCloudFormationYaml(yaml), { AWSTemplateFormatVersion: '2010-09-09', P: { Version: '2012-10-17', Prefix: 'on', Other: 'yes', Octal: '012', Plain: 'trails' } });
  // Read back as 1.1, an unquoted `on` is the boolean CloudFormation would see.
  assert.deepEqual(parseCloudFormationYaml('Prefix: on\n'), { Prefix: true });
});

test('a value used twice is written twice, never as an anchor and alias; anchors are refused when read', () => {
  const shared = { Effect: 'Allow' };
  const yaml = toCloudFormationYaml({ A: shared, B: shared, C: [ref('X'), ref('X')] });
  assert.doesNotMatch(yaml, /[&*]a\d/);
  assert.throws(() => parseCloudFormationYaml('A: &x { a: 1 }\nB: *x\n'), /aliases are not supported.*|anchor &x is not supported/);
});

test('!Sub: literal text is escaped, and a template without variables is a plain string', () => {
  assert.equal(subLiteral('a${b}c'), 'a${!b}c');
  assert.equal(sub(`arn:aws:kms:eu-west-1:111122223333:key/k`), 'arn:aws:kms:eu-west-1:111122223333:key/k');
  assert.equal(sub(`x-${subLiteral('${y}')}`), 'x-${y}');
  assert.ok(sub('${AWS::Region}') instanceof Intrinsic);
});
