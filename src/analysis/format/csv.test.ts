import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, findingsToCsv, FINDING_CSV_COLUMNS } from './csv.js';
import { parseCsv } from '../../iam/snapshot/credential-report.js';
import type { Finding } from '../../model/finding.js';

const hostile: Finding = {
  id: 'abc',
  rule: 'inactive-identity',
  severity: 'medium',
  accountId: '111122223333',
  resource: 'arn:aws:iam::111122223333:user/=HYPERLINK("http://evil","x")',
  title: '+SUM(1,2)',
  description: 'line one\nline "two", with comma',
  remediation: '@cmd',
  details: { note: '-2+3' },
  evidence: ['e1', 'e2'],
};

describe('CSV output', () => {
  it('neutralises spreadsheet formulas at the start of a field', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r', '\uFF1D']) {
      assert.equal(csvField(`${lead}1+1`), `"'${lead}1+1"`);
    }
    assert.equal(csvField('a=1'), '"a=1"');
  });

  it('quotes every field and doubles quotes; a CSV parser reads the values back', () => {
    const text = findingsToCsv([hostile]);
    const rows = parseCsv(text.replace(/\r\n/g, '\n'));
    assert.deepEqual(rows[0], [...FINDING_CSV_COLUMNS]);
    const row = rows[1]!;
    assert.equal(row.length, FINDING_CSV_COLUMNS.length);
    assert.equal(row[4], hostile.resource, 'a formula inside a value is left alone');
    assert.equal(row[5], "'+SUM(1,2)");
    assert.equal(row[6], hostile.description);
    assert.equal(row[7], "'@cmd");
    assert.equal(row[8], 'e1 e2');
    assert.deepEqual(JSON.parse(row[9]!), hostile.details);
  });
});

describe('CSV cell size', () => {
  it('truncates details past the spreadsheet cell limit', async () => {
    const { MAX_CELL } = await import('./csv.js');
    const big = { ...hostile, details: { list: 'x'.repeat(MAX_CELL * 2) } };
    const rows = parseCsv(findingsToCsv([big]).replace(/\r\n/g, '\n'));
    assert.ok(rows[1]![9]!.length <= MAX_CELL);
    assert.match(rows[1]![9]!, /truncated/);
  });
});
