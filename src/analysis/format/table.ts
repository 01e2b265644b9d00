/** Plain-text tables for terminals. Control characters in hostile values are made visible. */

export function sanitizeCell(value: unknown): string {
  const s = value === null || value === undefined ? '-' : String(value);
  // C0/C1 controls (terminal escapes) and bidi overrides (text that reads differently than it is).
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[], maxWidth = 80): string {
  const cells = rows.map((r) => r.map((c) => truncate(sanitizeCell(c), maxWidth)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
