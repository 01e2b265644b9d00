import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runRules, selectRules } from './engine.js';
import { makeFinding } from './finding.js';
import { DEFAULT_RULE_OPTIONS, type Rule, type RuleContext } from './types.js';

const ctx: RuleContext = {
  asOf: '2026-06-01T00:00:00Z',
  windowDays: 90,
  windowStart: '2026-03-03T00:00:00Z',
  identities: [],
  snapshots: [],
  evaluator: null,
  options: DEFAULT_RULE_OPTIONS,
};

function rule(id: string, out: Array<{ severity: 'high' | 'low'; account: string }>, fail = false): Rule {
  const r: Rule = {
    id,
    title: id,
    severity: 'low',
    description: 'd',
    remediation: 'r',
    references: [],
    evaluate: () => {
      if (fail) throw new Error('boom');
      return out.map((o, i) =>
        makeFinding(r, { accountId: o.account, resource: `arn:aws:iam::${o.account}:user/u${i}`, description: 'x', details: {}, severity: o.severity }),
      );
    },
  };
  return r;
}

describe('rules engine', () => {
  it('runs any rule list, sorts most severe first and filters by severity and account', () => {
    const rules = [rule('a-rule', [{ severity: 'low', account: '111111111111' }]), rule('b-rule', [{ severity: 'high', account: '222222222222' }])];
    const all = runRules(rules, ctx).findings;
    assert.deepEqual(all.map((f) => f.rule), ['b-rule', 'a-rule']);
    assert.deepEqual(runRules(rules, ctx, { severities: ['low'] }).findings.map((f) => f.rule), ['a-rule']);
    assert.deepEqual(runRules(rules, ctx, { accountId: '222222222222' }).findings.map((f) => f.rule), ['b-rule']);
    assert.deepEqual(runRules(rules, ctx, { rules: ['a-rule'] }).findings.map((f) => f.rule), ['a-rule']);
  });

  it('a failing rule is reported and does not stop the others', () => {
    const res = runRules([rule('bad', [], true), rule('good', [{ severity: 'low', account: '111111111111' }])], ctx);
    assert.deepEqual(res.errors, [{ rule: 'bad', message: 'boom' }]);
    assert.equal(res.findings.length, 1);
  });

  it('rejects unknown rule ids', () => {
    assert.throws(() => selectRules([rule('x', [])], ['nope']), /unknown rule id\(s\): nope/);
  });

  it('finding ids are stable and distinguish subjects', () => {
    const r = rule('x', []);
    const base = { accountId: '1', resource: 'arn:aws:iam::111111111111:user/a', description: '', details: {} };
    assert.equal(makeFinding(r, base).id, makeFinding(r, base).id);
    assert.notEqual(makeFinding(r, { ...base, subject: 'key1' }).id, makeFinding(r, { ...base, subject: 'key2' }).id);
  });
});

describe('rule inputs', () => {
  it('rules that declare no needs let the loader skip costly inputs; undeclared rules get everything', async () => {
    const { rulesNeed } = await import('./types.js');
    const lean = { ...rule('lean', []), needs: [] as const };
    assert.equal(rulesNeed([lean], 'escalationEvents'), false);
    assert.equal(rulesNeed([lean, rule('legacy', [])], 'escalationEvents'), true);
    assert.equal(rulesNeed([{ ...lean, needs: ['escalationEvents'] as const }], 'escalationEvents'), true);
  });
});
