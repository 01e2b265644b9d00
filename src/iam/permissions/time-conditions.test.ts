import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildIamModel } from '../model.js';
import { createPermissionEvaluator } from './evaluator.js';
import { timeConditionVerdict, TOKEN_MAX_LIFETIME_MS } from './time-conditions.js';
import { A, ADMIN_DOC, allow, doc, snapshot, trustDoc, userArn, roleArn } from '../../graph/scenario.test-helpers.js';

const AS_OF = '2026-06-01T00:00:00Z';
const asOfMs = Date.parse(AS_OF);
const iso = (ms: number) => new Date(ms).toISOString();

describe('timeConditionVerdict', () => {
  it('aws:TokenIssueTime lies in [asOf - 36 h, asOf] for a role', () => {
    const justBefore = iso(asOfMs - TOKEN_MAX_LIFETIME_MS - 1000);
    const inside = iso(asOfMs - 3_600_000);
    assert.equal(timeConditionVerdict('DateGreaterThan', 'aws:TokenIssueTime', justBefore, asOfMs, 'role'), 'always');
    assert.equal(timeConditionVerdict('DateLessThan', 'aws:TokenIssueTime', justBefore, asOfMs, 'role'), 'never');
    assert.equal(timeConditionVerdict('DateGreaterThan', 'aws:TokenIssueTime', inside, asOfMs, 'role'), 'unknown');
    assert.equal(timeConditionVerdict('DateLessThan', 'aws:TokenIssueTime', iso(asOfMs + 1000), asOfMs, 'role'), 'always');
  });

  it('a user may call with long-term keys (no aws:TokenIssueTime): only IfExists and negated operators hold then', () => {
    const past = '2019-01-01T00:00:00Z';
    assert.equal(timeConditionVerdict('DateLessThan', 'aws:TokenIssueTime', past, asOfMs, 'user'), 'never');
    assert.equal(timeConditionVerdict('DateLessThanIfExists', 'aws:TokenIssueTime', past, asOfMs, 'user'), 'unknown');
    assert.equal(timeConditionVerdict('DateGreaterThan', 'aws:TokenIssueTime', past, asOfMs, 'user'), 'unknown');
    assert.equal(timeConditionVerdict('DateGreaterThanIfExists', 'aws:TokenIssueTime', past, asOfMs, 'user'), 'always');
  });

  it('aws:CurrentTime and aws:EpochTime are the analysis instant; several values are alternatives', () => {
    assert.equal(timeConditionVerdict('DateLessThanEquals', 'aws:CurrentTime', AS_OF, asOfMs, 'user'), 'always');
    assert.equal(timeConditionVerdict('DateLessThan', 'aws:CurrentTime', AS_OF, asOfMs, 'user'), 'never');
    assert.equal(timeConditionVerdict('DateEquals', 'aws:CurrentTime', ['2020-01-01T00:00:00Z', AS_OF], asOfMs, 'user'), 'always');
    assert.equal(timeConditionVerdict('DateNotEquals', 'aws:CurrentTime', ['2020-01-01T00:00:00Z', AS_OF], asOfMs, 'user'), 'never');
    assert.equal(timeConditionVerdict('NumericGreaterThan', 'aws:EpochTime', String(asOfMs / 1000 - 1), asOfMs, 'role'), 'always');
    assert.equal(timeConditionVerdict('DateGreaterThan', 'aws:EpochTime', String(asOfMs / 1000 + 60), asOfMs, 'role'), 'never');
    assert.equal(timeConditionVerdict('NumericLessThan', 'aws:CurrentTime', '1', asOfMs, 'role'), 'unknown');
    assert.equal(timeConditionVerdict('DateLessThan', 'aws:CurrentTime', 'not a date', asOfMs, 'role'), 'unknown');
    assert.equal(timeConditionVerdict('ForAnyValue:DateLessThan', 'aws:CurrentTime', '2019-01-01T00:00:00Z', asOfMs, 'role'), 'unknown');
  });
});

describe('evaluator with an analysis instant', () => {
  const snap = snapshot(A, {
    users: [
      {
        name: 'frozen',
        inline: [ADMIN_DOC, doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } })],
      },
      { name: 'assumer', inline: [doc(allow('sts:AssumeRole'))] },
      { name: 'until-2030', inline: [doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })] },
    ],
    roles: [
      { name: 'expired-trust', trust: trustDoc({ AWS: `arn:aws:iam::${A}:root` }, 'sts:AssumeRole', { DateLessThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } }) },
      { name: 'open-trust', trust: trustDoc({ AWS: `arn:aws:iam::${A}:root` }, 'sts:AssumeRole', { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }) },
      { name: 'old-sessions', inline: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2019-01-01T00:00:00Z' } } })] },
    ],
  });

  it('a Deny whose time condition always holds is unconditional; an Allow that can never apply grants nothing', async () => {
    const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snap] }), { validate: false, asOf: AS_OF });
    const frozen = ev.effective(userArn('frozen'));
    assert.equal(frozen.granted.get('iam:CreateUser'), undefined);
    assert.equal(frozen.granted.get('s3:GetObject'), 'full');
    assert.equal(ev.isAllowed(userArn('frozen'), 'iam:CreateUser', '*'), 'denied');
    assert.equal(ev.effective(roleArn('old-sessions')).granted.size, 0);
  });

  it('keys other than time stay undecided once the time part holds, and are shown', async () => {
    const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snap] }), { validate: false, asOf: AS_OF });
    assert.equal(ev.effective(userArn('until-2030')).granted.get('s3:GetObject'), 'conditional');
    assert.deepEqual(ev.conditionsOf(userArn('until-2030'), 's3:GetObject'), ['IpAddress aws:SourceIp 10.0.0.0/8']);
  });

  it('trust policies: a trust that expired before the analysis time admits no one, one that opened before it admits', async () => {
    const ev = await createPermissionEvaluator(buildIamModel({ snapshots: [snap] }), { validate: false, asOf: AS_OF });
    assert.equal(ev.isAllowed(userArn('assumer'), 'sts:AssumeRole', roleArn('expired-trust')), 'denied');
    assert.equal(ev.isAllowed(userArn('assumer'), 'sts:AssumeRole', roleArn('open-trust')), 'allowed');
  });
});
