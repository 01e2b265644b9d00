import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunPacer } from './pacer.js';

test('a long run pushes the next one back by twice its duration; a quick one barely', () => {
  const p = new RunPacer();
  assert.equal(p.mayRun(0), true, 'the first run is never held');
  p.ran(1_000, 31_000); // 30 s run
  assert.equal(p.mayRun(60_000), false);
  assert.equal(p.mayRun(90_999), false);
  assert.equal(p.mayRun(91_000), true);
  p.ran(100_000, 100_050); // 50 ms run
  assert.equal(p.mayRun(100_150), true);
  assert.equal(p.mayRun(100_149), false);
});

test('the factor sets the share of time the job may take', () => {
  const p = new RunPacer(0);
  p.ran(0, 10_000);
  assert.equal(p.mayRun(10_000), true);
});
