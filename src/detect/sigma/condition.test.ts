import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parseCondition } from './condition.js';

const IDS = ['selection', 'sel_a', 'sel_b', 'filter_main_x', 'filter_main_y', 'filter_other', '_hidden'];

/** The condition's truth table over which identifiers are true. */
function truth(condition: string, trueIds: string[]): boolean {
  return evaluate(parseCondition(condition, IDS), (name) => trueIds.includes(name));
}

describe('Sigma condition grammar', () => {
  it('binds not tighter than and, and tighter than or', () => {
    assert.equal(truth('selection or sel_a and sel_b', ['selection']), true);
    assert.equal(truth('(selection or sel_a) and sel_b', ['selection']), false);
    assert.equal(truth('not selection and sel_a', ['sel_a']), true);
    assert.equal(truth('not (selection and sel_a)', ['selection', 'sel_a']), false);
    assert.equal(truth('selection AND NOT sel_a', ['selection']), true);
  });

  it('expands "1 of" and "all of" over a pattern, and "them" over every identifier not starting with _', () => {
    assert.equal(truth('selection and not 1 of filter_main_*', ['selection', 'filter_main_y']), false);
    assert.equal(truth('selection and not 1 of filter_main_*', ['selection', 'filter_other']), true);
    assert.equal(truth('all of sel_*', ['sel_a']), false);
    assert.equal(truth('all of sel_*', ['sel_a', 'sel_b']), true);
    assert.equal(truth('all of them', IDS.filter((i) => i !== '_hidden')), true);
    assert.equal(truth('1 of them', ['_hidden']), false);
    assert.equal(truth('1 of selection', ['selection']), true);
  });

  it('reports what it cannot read instead of guessing', () => {
    assert.throws(() => parseCondition('selection | count() > 5', IDS), /aggregations/);
    assert.throws(() => parseCondition('selection and nosuch', IDS), /"nosuch" is not a search identifier/);
    assert.throws(() => parseCondition('1 of nothing_*', IDS), /names no search identifier/);
    assert.throws(() => parseCondition('(selection or sel_a', IDS), /not closed/);
    assert.throws(() => parseCondition('selection sel_a', IDS), /unexpected "sel_a"/);
    assert.throws(() => parseCondition('2 of sel_*', IDS), /only "1 of" and "all of"/);
    assert.throws(() => parseCondition('selection and', IDS), /ends too early/);
  });
});
