import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable, sanitizeCell } from './table.js';

describe('table output', () => {
  it('makes terminal escapes and bidi overrides visible', () => {
    assert.equal(sanitizeCell('a\u001b[31mred'), 'a\\u{1b}[31mred');
    assert.equal(sanitizeCell('evil\u202Egnp.exe'), 'evil\\u{202e}gnp.exe');
    assert.equal(sanitizeCell(null), '-');
  });

  it('aligns columns', () => {
    const lines = renderTable(['A', 'B'], [['xx', 1], ['y', 22]]).split('\n');
    assert.equal(lines[0], 'A   B');
    assert.equal(lines[2], 'xx  1');
    assert.equal(lines[3], 'y   22');
  });
});
