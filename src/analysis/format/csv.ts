/**
 * CSV output. Every value is hostile (identity names, session names and event fields come
 * from whoever can call AWS): each field is quoted (RFC 4180, quotes doubled) and a field that
 * a spreadsheet would read as a formula (leading =, +, -, @, tab, CR, or their full-width
 * forms) is prefixed with a single quote (OWASP "CSV injection").
 */
import type { Finding } from '../../model/index.js';

export const FINDING_CSV_COLUMNS = [
  'id',
  'rule',
  'severity',
  'accountId',
  'resource',
  'title',
  'description',
  'remediation',
  'evidence',
  'details',
] as const;

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Spreadsheets cut a cell at 32,767 characters; longer details are truncated with a pointer to JSON. */
export const MAX_CELL = 32_000;
const TRUNCATED = '…(truncated: use --format json for the full value)';

function cell(value: string): string {
  return value.length > MAX_CELL ? value.slice(0, MAX_CELL - TRUNCATED.length) + TRUNCATED : value;
}

export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

export function findingsToCsv(findings: readonly Finding[]): string {
  let out = csvRow(FINDING_CSV_COLUMNS);
  for (const f of findings) {
    out += csvRow([
      f.id,
      f.rule,
      f.severity,
      f.accountId,
      f.resource,
      f.title,
      f.description,
      f.remediation,
      f.evidence.join(' '),
      cell(JSON.stringify(f.details)),
    ]);
  }
  return out;
}
