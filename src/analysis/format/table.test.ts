import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable, sanitizeCell, terminalWidth } from './table.js';

describe('table output', () => {
  it('makes terminal escapes, line breaks, C1 and bidi characters visible', () => {
    assert.equal(sanitizeCell('a\u001b[31mred'), 'a\\x1b[31mred');
    assert.equal(sanitizeCell('\u001b]0;pwned\u0007'), '\\x1b]0;pwned\\x07');
    assert.equal(sanitizeCell('two\nlines\ttab'), 'two\\x0alines\\x09tab');
    assert.equal(sanitizeCell('c1\u0085\u009b2J'), 'c1\\x85\\x9b2J');
    assert.equal(sanitizeCell('evil\u202Egnp.exe'), 'evil\\u{202e}gnp.exe');
    assert.equal(sanitizeCell(null), '-');
  });

  it('aligns columns', () => {
    const lines = renderTable(['A', 'B'], [['xx', 1], ['y', 22]], { width: null }).split('\n');
    assert.equal(lines[0], 'A   B');
    assert.equal(lines[2], 'xx  1');
    assert.equal(lines[3], 'y   22');
  });

  it('fits a given width by shortening the widest column in the middle', () => {
    const arn = 'arn:aws:iam::111122223333:role/service-role/very-long-deployment-role-name';
    const out = renderTable(['ACCOUNT', 'RESOURCE'], [['111122223333', arn]], { width: 50 });
    const lines = out.trimEnd().split('\n');
    for (const l of lines) assert.ok(Array.from(l).length <= 50, `"${l}" is wider than 50`);
    const cell = lines[2]!.slice('111122223333  '.length);
    assert.match(cell, /^arn:aws:iam::1111.*….*role-name$/);
  });

  it('never shortens when there is no width (piped output)', () => {
    const long = 'x'.repeat(500);
    assert.ok(renderTable(['A'], [[long]], { width: null }).includes(long));
    assert.equal(terminalWidth({ isTTY: false, columns: 80 }), null);
    assert.equal(terminalWidth({ isTTY: true, columns: 120 }), 120);
  });
});
