/** Every identity with its permissions use: a sortable table, filtered by type, account and name. */
import { apiAll } from '../api';
import { useLoad, href } from '../hooks';
import type { Finding, IdentitySummary, Severity } from '../types';
import { Badge, ErrorBox, Loading } from '../components/ui';
import { SortableTable, type Column } from '../components/SortableTable';
import { FilterForm, SelectFilter, setParams } from '../components/Filters';
import { count, when } from '../format';

const RISK_ORDER: (Severity | 'none')[] = ['critical', 'high', 'medium', 'low', 'info', 'none'];

interface Row extends IdentitySummary {
  risk: Severity | 'none';
  findings: number;
}

export function IdentitiesPage({ params }: { params: URLSearchParams }) {
  const filters = { type: params.get('type') ?? '', account: params.get('account') ?? '', q: params.get('q') ?? '' };
  const identities = useLoad(() => apiAll<IdentitySummary>('/api/identities'), 'identities');
  const findings = useLoad(() => apiAll<Finding>('/api/findings'), 'findings');
  const risk = new Map<string, { risk: Severity; n: number }>();
  for (const f of findings.data ?? []) {
    const r = risk.get(f.resource);
    const worse = !r || RISK_ORDER.indexOf(f.severity) < RISK_ORDER.indexOf(r.risk);
    risk.set(f.resource, { risk: worse ? f.severity : r.risk, n: (r?.n ?? 0) + 1 });
  }
  const all: Row[] = (identities.data ?? []).map((i) => ({ ...i, risk: risk.get(i.arn)?.risk ?? 'none', findings: risk.get(i.arn)?.n ?? 0 }));
  const types = [...new Set(all.map((i) => i.type))].sort();
  const accounts = [...new Set(all.map((i) => i.accountId))].sort();
  const needle = filters.q.toLowerCase();
  const rows = all.filter((i) => (!filters.type || i.type === filters.type) && (!filters.account || i.accountId === filters.account) && (!needle || i.arn.toLowerCase().includes(needle)));
  const set = (v: Partial<typeof filters>) => setParams('identities', { ...filters, ...v });

  const columns: Column<Row>[] = [
    { key: 'name', label: 'Identity', value: (r) => r.name, render: (r) => <a href={href('identities', r.arn)} title={r.arn}>{r.name}</a> },
    { key: 'type', label: 'Type', value: (r) => r.type },
    { key: 'account', label: 'Account', value: (r) => r.accountId },
    { key: 'last', label: 'Last activity', value: (r) => r.lastActivity, render: (r) => (r.activity === 'unknown' && !r.lastActivity ? 'unknown (no coverage)' : when(r.lastActivity)) },
    { key: 'granted', label: 'Granted', value: (r) => r.grantedActionCount, numeric: true, render: (r) => count(r.grantedActionCount) },
    { key: 'used', label: 'Used', value: (r) => r.usedActions.length, numeric: true },
    { key: 'unused', label: 'Unused', value: (r) => r.unusedActionCount, numeric: true, render: (r) => count(r.unusedActionCount) },
    {
      key: 'risk',
      label: 'Risk',
      value: (r) => RISK_ORDER.length - RISK_ORDER.indexOf(r.risk) + (r.isAdmin ? 0.5 : 0),
      render: (r) => (
        <>
          {r.risk === 'none' ? <span className="muted">none</span> : <Badge kind={r.risk}>{`${r.risk} (${r.findings})`}</Badge>}
          {r.isAdmin ? <Badge kind="admin">admin</Badge> : null}
        </>
      ),
    },
  ];

  return (
    <>
      <h1>Identities</h1>
      <FilterForm fields={[{ name: 'q', label: 'Name or ARN contains', placeholder: 'e.g. deploy' }]} values={filters} onApply={(v) => set({ q: v.q ?? '' })}>
        <SelectFilter label="Type" name="type" value={filters.type} onChange={(v) => set({ type: v })} options={[{ value: '', label: 'any' }, ...types.map((t) => ({ value: t, label: t }))]} />
        <SelectFilter label="Account" name="account" value={filters.account} onChange={(v) => set({ account: v })} options={[{ value: '', label: 'any' }, ...accounts.map((a) => ({ value: a, label: a }))]} />
      </FilterForm>
      {identities.error ? <ErrorBox error={identities.error} what="identities" /> : null}
      {identities.loading && !identities.data ? <Loading what="identities" /> : null}
      {identities.data ? (
        <>
          <p className="muted" aria-live="polite">
            {rows.length} of {all.length} identities
          </p>
          <SortableTable rows={rows} columns={columns} rowKey={(r) => r.arn} caption="Identities" initialSort={{ key: 'risk', desc: true }} />
        </>
      ) : null}
    </>
  );
}
