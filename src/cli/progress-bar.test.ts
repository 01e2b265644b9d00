import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar } from './progress-bar.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (s: string) => chunks.push(s) > 0 }, text: () => chunks.join('') };
}

describe('ProgressBar', () => {
  it('redraws one line in place on a terminal, and ends each part on a line of its own', () => {
    let t = 0;
    const s = sink(true);
    const bar = new ProgressBar(s.out, { label: 'migrate', width: 10, now: () => (t += 1000) });
    bar.update('events', 0, 200);
    bar.update('events', 100, 200);
    bar.update('events', 200, 200);
    bar.update('files', 3, 3);
    bar.done();
    assert.ok(s.text().includes('\r\u001b[K[#####.....]  50% migrate: events 100/200'), s.text());
    assert.equal(s.text().split('\n').filter(Boolean).length, 2);
    assert.match(s.text(), /migrate: events 200\/200\n/);
    assert.match(s.text(), /migrate: files 3\/3\n$/);
  });

  it('writes plain lines, no control sequences, at most one per interval and one per finished part, when not a terminal', () => {
    let t = 0;
    const s = sink(false);
    const bar = new ProgressBar(s.out, { label: 'migrate', plainEveryMs: 10_000, now: () => (t += 1000) });
    for (let i = 0; i <= 100; i++) bar.update('events', i * 10, 1000);
    bar.update('usage_hourly', 5, null);
    bar.done();
    const lines = s.text().split('\n').filter(Boolean);
    assert.ok(!s.text().includes('\r') && !s.text().includes('\u001b'));
    // 101 updates a second apart: one line at the start and one per 10 s, then the part's end.
    assert.ok(lines.length >= 10 && lines.length <= 13, lines.join(' | '));
    assert.equal(lines.at(-2), 'migrate: events 1000/1000');
    assert.equal(lines.at(-1), 'migrate: usage_hourly 5');
  });
});
