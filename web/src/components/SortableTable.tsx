/** A table sorted client-side by clicking (or pressing Enter on) a column header button. */
import { useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  value: (row: T) => string | number | null;
  render?: (row: T) => ReactNode;
  numeric?: boolean;
}

export function SortableTable<T>({ rows, columns, rowKey, caption, initialSort }: { rows: T[]; columns: Column<T>[]; rowKey: (row: T) => string; caption: string; initialSort?: { key: string; desc?: boolean } }) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: initialSort?.key ?? columns[0]!.key, desc: initialSort?.desc ?? false });
  const col = columns.find((c) => c.key === sort.key) ?? columns[0]!;
  const sorted = [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sort.desc ? -r : r;
  });
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={c.key === sort.key ? (sort.desc ? 'descending' : 'ascending') : 'none'} className={c.numeric ? 'num' : undefined}>
                <button type="button" className="th-button" onClick={() => setSort({ key: c.key, desc: c.key === sort.key ? !sort.desc : false })}>
                  {c.label}
                  <span aria-hidden="true">{c.key === sort.key ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined} data-label={c.label}>
                  {c.render ? c.render(r) : (c.value(r) ?? '—')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length === 0 ? <p className="muted">Nothing to show.</p> : null}
    </div>
  );
}
