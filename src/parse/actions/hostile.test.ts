import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapEventToActionsDetailed } from './index.js';
import { realEvents } from './real-events.test-helpers.js';

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD: unknown[] = [null, 0, -1, 1e308, true, '', ' ', 'arn:', 'arn:aws:iam::1:role/', [], [null], {}, { arn: 1 }, 'x'.repeat(10_000), ['arn:aws:iam::123456789012:role/a', 7]];

function mutate(value: unknown, rnd: () => number, depth = 0): unknown {
  if (depth > 6) return value;
  if (rnd() < 0.15) return WEIRD[Math.floor(rnd() * WEIRD.length)];
  if (Array.isArray(value)) return value.map((v) => mutate(v, rnd, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[rnd() < 0.1 ? k.toUpperCase() : k] = mutate(v, rnd, depth + 1);
    return out;
  }
  return value;
}

test('mutated real events never throw and only ever yield string actions and ARN-shaped resources', () => {
  const rnd = prng(20261124);
  let n = 0;
  for (const { record } of realEvents()) {
    for (let i = 0; i < 3; i++) {
      const m = mapEventToActionsDetailed(mutate(record, rnd) as Record<string, unknown>);
      for (const a of m.actions) assert.match(a, /^[a-z0-9-]+:[A-Za-z0-9*]+$/);
      for (const r of m.resources) {
        assert.equal(typeof r, 'string');
        assert.ok(r.startsWith('arn:') && r.length <= 4096, r.slice(0, 80));
      }
      n++;
    }
  }
  assert.ok(n > 3000);
});
