/**
 * Plain-text tables for terminals. Hostile values have their control, C1 and bidi characters made
 * visible (src/model/text.ts). On a terminal the table fits its width: the widest columns are
 * shortened in the middle with `…`; piped output is never shortened (JSON, CSV and SARIF never are).
 */
import { escapeForTerminal, shortenMiddle } from '../../model/index.js';

export function sanitizeCell(value: unknown): string {
  return value === null || value === undefined ? '-' : escapeForTerminal(value);
}

export interface TableOptions {
  /**
   * The width to fit, in characters. Default: the terminal's columns when stdout is a terminal,
   * no limit otherwise. `null` means no limit.
   */
  width?: number | null;
}

const GAP = 2;
/** A column is never shortened below this (or its header), so every column stays recognisable. */
const MIN_COLUMN = 8;

export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number | null {
  return stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : null;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[], opts: TableOptions = {}): string {
  const width = opts.width === undefined ? terminalWidth() : opts.width;
  const cells = rows.map((r) => headers.map((_, i) => sanitizeCell(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => length(r[i] ?? ''))));
  if (width !== null) fitWidths(widths, headers, width);
  const shown = cells.map((r) => r.map((c, i) => shortenMiddle(c, widths[i] ?? 0)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join(' '.repeat(GAP)).trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...shown.map(line)].join('\n') + '\n';
}

/** Narrows the widest columns, one character at a time, until the table fits or none can shrink. */
function fitWidths(widths: number[], headers: readonly string[], width: number): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const floor = Math.max(MIN_COLUMN, headers[i]?.length ?? 0);
      if ((widths[i] ?? 0) > floor && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess--;
  }
}

function length(s: string): number {
  return Array.from(s).length;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - length(s)));
}
