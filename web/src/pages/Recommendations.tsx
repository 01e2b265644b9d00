/** Findings grouped by rule: filters, remediation, evidence, suppression, CSV/JSON export. */
import { useState, type FormEvent } from 'react';
import { apiAll, apiSend, query } from '../api';
import { useLoad, href } from '../hooks';
import type { Finding, Severity } from '../types';
import { Badge, ErrorBox, Loading, Section } from '../components/ui';
import { SelectFilter, setParams } from '../components/Filters';
import { download, toCsv, when } from '../format';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const STATUSES = ['open', 'suppressed', 'resolved', 'all'] as const;

export function RecommendationsPage({ params }: { params: URLSearchParams }) {
  const filters = { rule: params.get('rule') ?? '', severity: params.get('severity') ?? '', account: params.get('account') ?? '', status: params.get('status') ?? 'open' };
  const url = `/api/findings${query(filters)}`;
  const findings = useLoad(() => apiAll<Finding>(url), url);
  // The rule and account choices come from every finding, not the filtered list.
  const everything = useLoad(() => apiAll<Finding>('/api/findings?status=all'), `all:${findings.data?.length ?? -1}`);
  const set = (k: string, v: string) => setParams('recommendations', { ...filters, [k]: v });
  const rules = [...new Set((everything.data ?? []).map((f) => f.rule))].sort();
  const accounts = [...new Set((everything.data ?? []).map((f) => f.accountId))].sort();
  const list = findings.data ?? [];
  const groups = new Map<string, Finding[]>();
  for (const f of list) groups.set(f.rule, [...(groups.get(f.rule) ?? []), f]);

  return (
    <>
      <h1>Recommendations</h1>
      <div className="filters" role="search" aria-label="Filter findings">
        <SelectFilter label="Status" name="status" value={filters.status} onChange={(v) => set('status', v)} options={STATUSES.map((s) => ({ value: s, label: s }))} />
        <SelectFilter label="Severity" name="severity" value={filters.severity} onChange={(v) => set('severity', v)} options={[{ value: '', label: 'any' }, ...SEVERITIES.map((s) => ({ value: s, label: s }))]} />
        <SelectFilter label="Rule" name="rule" value={filters.rule} onChange={(v) => set('rule', v)} options={[{ value: '', label: 'any' }, ...rules.map((r) => ({ value: r, label: r }))]} />
        <SelectFilter label="Account" name="account" value={filters.account} onChange={(v) => set('account', v)} options={[{ value: '', label: 'any' }, ...accounts.map((a) => ({ value: a, label: a }))]} />
        <div className="actions">
          <button type="button" disabled={!list.length} onClick={() => download('findings.json', 'application/json', JSON.stringify(list, null, 2))}>
            Export JSON
          </button>
          <button type="button" disabled={!list.length} onClick={() => download('findings.csv', 'text/csv', findingsCsv(list))}>
            Export CSV
          </button>
        </div>
      </div>
      {findings.error ? <ErrorBox error={findings.error} what="findings" /> : null}
      {findings.loading && !findings.data ? <Loading what="findings" /> : null}
      {findings.data ? (
        <p className="muted" aria-live="polite">
          {list.length} finding(s) in {groups.size} rule(s)
        </p>
      ) : null}
      {[...groups].map(([rule, items]) => (
        <Section key={rule} title={rule} actions={<Badge kind={worst(items)}>{worst(items)}</Badge>}>
          <ul className="findings" data-rule={rule}>
            {items.map((f) => (
              <FindingItem key={f.id} finding={f} onChange={findings.reload} />
            ))}
          </ul>
        </Section>
      ))}
    </>
  );
}

function worst(items: Finding[]): Severity {
  return SEVERITIES.find((s) => items.some((f) => f.severity === s)) ?? 'info';
}

function findingsCsv(list: Finding[]): string {
  return toCsv([
    ['id', 'rule', 'severity', 'status', 'accountId', 'resource', 'title', 'remediation', 'firstSeen', 'lastSeen', 'suppressedReason', 'evidence'],
    ...list.map((f) => [f.id, f.rule, f.severity, f.status, f.accountId, f.resource, f.title, f.remediation, f.firstSeen, f.lastSeen, f.suppression?.reason ?? '', f.evidence.join(' ')]),
  ]);
}

function FindingItem({ finding: f, onChange }: { finding: Finding; onChange: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const isIdentity = /^arn:aws:iam::\d{12}:(user|role)\//.test(f.resource);
  const unsuppress = async () => {
    try {
      await apiSend('DELETE', `/api/findings/${encodeURIComponent(f.id)}/suppression`);
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <li className="finding" data-finding-id={f.id} data-status={f.status}>
      <div className="finding-head">
        <Badge kind={f.severity}>{f.severity}</Badge>
        <span className="finding-title">{f.title}</span>
        <Badge kind={f.status}>{f.status}</Badge>
      </div>
      <p className="resource">
        {isIdentity ? <a href={href('identities', f.resource)}>{f.resource}</a> : <span>{f.resource}</span>} <span className="muted">in {f.accountId}</span>
      </p>
      <p>{f.description}</p>
      <p>
        <strong>Remediation: </strong>
        {f.remediation}
      </p>
      <p className="muted">
        First seen {when(f.firstSeen)}, last seen {when(f.lastSeen)}
        {f.resolvedAt ? `, resolved ${when(f.resolvedAt)}` : ''}
      </p>
      {f.suppression ? (
        <p className="suppression">
          Suppressed by {f.suppression.by}: {f.suppression.reason}
          {f.suppression.until ? ` (until ${when(f.suppression.until)})` : ''}
        </p>
      ) : null}
      {f.evidence.length ? (
        <details>
          <summary>Evidence: {f.evidence.length} event(s)</summary>
          <ul className="evidence">
            {f.evidence.slice(0, 50).map((id) => (
              <li key={id}>
                <a href={href('events', id)}>{id}</a>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <div className="actions">
        {f.status === 'suppressed' ? (
          <button type="button" onClick={() => void unsuppress()}>
            Unsuppress
          </button>
        ) : (
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            Suppress…
          </button>
        )}
      </div>
      {open && f.status !== 'suppressed' ? <SuppressForm id={f.id} onDone={() => { setOpen(false); onChange(); }} /> : null}
      {error ? <p className="error">{error}</p> : null}
    </li>
  );
}

function SuppressForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await apiSend('PUT', `/api/findings/${encodeURIComponent(id)}/suppression`, { reason, by: 'console', ...(until ? { until: new Date(until).toISOString() } : {}) });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="suppress" onSubmit={(e) => void submit(e)}>
      <label>
        Reason
        <input name="reason" required maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <label>
        Until (optional)
        <input name="until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
      </label>
      <button type="submit">Suppress</button>
      {error ? <p className="error">{error}</p> : null}
    </form>
  );
}
