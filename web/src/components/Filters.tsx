/** Filter controls whose values live in the hash query, so a filtered view has a URL. */
import { useState, type FormEvent, type ReactNode } from 'react';

export function setParams(page: string, values: Record<string, string | undefined>): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) q.set(k, v);
  const s = q.toString();
  window.location.hash = `#/${page}${s ? `?${s}` : ''}`;
}

export function SelectFilter({ label, name, value, options, onChange }: { label: string; name: string; value: string; options: { value: string; label: string }[]; onChange: (v: string) => void }) {
  return (
    <label className="filter">
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Text filters applied on submit (Enter or the button), not on every key. */
export function FilterForm({ fields, values, onApply, children }: { fields: { name: string; label: string; placeholder?: string; type?: string }[]; values: Record<string, string>; onApply: (v: Record<string, string>) => void; children?: ReactNode }) {
  const [draft, setDraft] = useState(values);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={submit} role="search">
      {fields.map((f) => (
        <label key={f.name} className="filter">
          {f.label}
          <input name={f.name} type={f.type ?? 'text'} placeholder={f.placeholder} value={draft[f.name] ?? ''} onChange={(e) => setDraft({ ...draft, [f.name]: e.target.value })} />
        </label>
      ))}
      {children}
      <button type="submit">Apply</button>
    </form>
  );
}
