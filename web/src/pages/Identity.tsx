/** One identity: actions used and unused by service, resources, activity, findings, paths, policy. */
import { apiAll, apiGet, ApiError } from '../api';
import { useLoad, href } from '../hooks';
import type { AttackPath, EventItem, Finding, IdentityDetail, IdentitySummary, ServiceActions } from '../types';
import { Badge, CopyButton, ErrorBox, JsonText, Loading, Section } from '../components/ui';
import { BarChart } from '../components/BarChart';
import { count, when } from '../format';

/** Older servers have no GET /api/identities/:arn: rebuild what the lists can tell. */
async function fallbackDetail(arn: string): Promise<IdentityDetail & { partial: true }> {
  const [list, findings, events] = await Promise.all([
    apiAll<IdentitySummary>(`/api/identities?principal=${encodeURIComponent(arn)}`),
    apiAll<Finding>(`/api/findings?resource=${encodeURIComponent(arn)}&status=all`),
    apiAll<EventItem>(`/api/events?principal=${encodeURIComponent(arn)}`, 5000),
  ]);
  const identity = list[0];
  if (!identity) throw new ApiError(404, 'not-found', `no identity ${arn}`);
  const actions: Record<string, ServiceActions> = {};
  for (const a of identity.usedActions) (actions[a.split(':')[0]!] ??= { used: [], unused: [], unknown: [] }).used.push(a);
  const days = new Map<string, number>();
  for (const e of events) days.set(e.eventTime.slice(0, 10), (days.get(e.eventTime.slice(0, 10)) ?? 0) + 1);
  const byResource = new Map<string, IdentityDetail['resources'][number]>();
  for (const e of events) {
    for (const resource of e.resources) {
      const r = byResource.get(resource) ?? { resource, actions: [], successes: 0, failures: 0, lastSeen: e.eventTime };
      if (e.errorCode) r.failures++;
      else r.successes++;
      r.actions = [...new Set([...r.actions, ...e.actions])].sort();
      if (e.eventTime > r.lastSeen) r.lastSeen = e.eventTime;
      byResource.set(resource, r);
    }
  }
  const resources = [...byResource.values()].sort((a, b) => a.resource.localeCompare(b.resource));
  return { identity, actions, resources, activity: [...days].sort().map(([day, n]) => ({ day, events: n })), findings, paths: [], policy: null, partial: true };
}

async function loadDetail(arn: string): Promise<IdentityDetail & { partial?: true }> {
  try {
    return await apiGet<IdentityDetail>(`/api/identities/${encodeURIComponent(arn)}`);
  } catch (e) {
    if (e instanceof ApiError && e.routeMissing) return fallbackDetail(arn);
    throw e;
  }
}

export function IdentityPage({ arn }: { arn: string }) {
  const detail = useLoad(() => loadDetail(arn), arn);
  if (detail.error) return <ErrorBox error={detail.error} what={arn} />;
  if (!detail.data) return <Loading what="the identity" />;
  const d = detail.data;
  const i = d.identity;
  // Services the identity used first (most used first), then the rest by name.
  const services = Object.keys(d.actions).sort((a, b) => d.actions[b]!.used.length - d.actions[a]!.used.length || a.localeCompare(b));
  const policyText = d.policy ? JSON.stringify(d.policy, null, 2) : '';
  return (
    <>
      <p>
        <a href={href('identities')}>← Identities</a>
      </p>
      <h1 className="break">{i.name}</h1>
      <p className="break muted">{i.arn}</p>
      <dl className="facts">
        <dt>Type</dt>
        <dd>{i.type}</dd>
        <dt>Account</dt>
        <dd>{i.accountId}</dd>
        <dt>Created</dt>
        <dd>{when(i.createdAt)}</dd>
        <dt>Last activity</dt>
        <dd>{when(i.lastActivity)}</dd>
        <dt>Granted / used / unused</dt>
        <dd>
          {count(i.grantedActionCount)} / {count(i.usedActions.length)} / {count(i.unusedActionCount)}
        </dd>
        <dt>Admin</dt>
        <dd>{i.isAdmin === null ? 'unknown' : i.isAdmin ? 'yes' : 'no'}</dd>
        {i.people?.length ? (
          <>
            <dt>People</dt>
            <dd>{i.people.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {(d.notices ?? []).map((n, k) => (
        <div key={k} className="notice" role="note">
          <p>{n.message}</p>
          {n.commands.length ? <pre tabIndex={0}>{n.commands.join('\n')}</pre> : null}
        </div>
      ))}
      {d.partial ? <p className="notice">This server has no identity detail route: unused actions, paths and the suggested policy are not shown.</p> : null}
      <Section title="Actions by service">
        {services.length === 0 ? <p className="muted">No actions known.</p> : null}
        <div className="services">
          {services.map((s) => {
            const a = d.actions[s]!;
            return (
              <details key={s} className="service" open={a.used.length > 0 || services.length <= 6}>
                <summary>
                  <strong>{s}</strong> <span className="used-count">{a.used.length} used</span>, <span className="unused-count">{a.unused.length} unused</span>
                  {a.unknown.length ? `, ${a.unknown.length} unknown` : ''}
                </summary>
                <ActionList title="Used" kind="used" actions={a.used} />
                <ActionList title="Unused" kind="unused" actions={a.unused} />
                <ActionList title="Unknown" kind="unknown" actions={a.unknown} />
              </details>
            );
          })}
        </div>
      </Section>
      <Section title="Activity">
        {d.activity.length ? <BarChart data={d.activity.map((a) => ({ label: a.day, value: a.events }))} label="Events per day" unit="events" /> : <p className="muted">No activity in the window.</p>}
        <p>
          <a href={`#/events?principal=${encodeURIComponent(i.arn)}`}>This identity's events</a>
        </p>
      </Section>
      <Section title={`Resources touched (${d.resources.length})`}>
        <ul className="plain resources">
          {d.resources.slice(0, 200).map((r) => (
            <li key={r.resource}>
              <span className="break">{r.resource}</span>{' '}
              <span className="muted">
                {r.actions.join(', ')} · {r.successes} ok{r.failures ? `, ${r.failures} denied` : ''} · last {when(r.lastSeen)}
              </span>
            </li>
          ))}
        </ul>
        {d.resources.length > 200 ? <p className="muted">and {d.resources.length - 200} more</p> : null}
      </Section>
      <Section title={`Findings (${d.findings.length})`}>
        <ul className="plain">
          {d.findings.map((f) => (
            <li key={f.id}>
              <Badge kind={f.severity}>{f.severity}</Badge> <a href={`#/recommendations?rule=${encodeURIComponent(f.rule)}&status=all`}>{f.rule}</a> {f.title}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={`Escalation paths (${d.paths.length})`}>
        <PathList paths={d.paths} />
        {d.paths.length ? <a href={`#/paths?principal=${encodeURIComponent(i.arn)}`}>Show in the graph</a> : null}
      </Section>
      <Section title="Suggested least-privilege policy" actions={policyText ? <CopyButton text={policyText} label="Copy policy" /> : undefined}>
        {d.policy ? <JsonText value={d.policy} label="Suggested policy" /> : <p className="muted">No suggestion (nothing used, or permissions unknown).</p>}
        {d.policyNotes?.length ? (
          <ul className="plain muted">
            {d.policyNotes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
      </Section>
    </>
  );
}

function ActionList({ title, kind, actions }: { title: string; kind: string; actions: string[] }) {
  if (!actions.length) return null;
  return (
    <div className={`actions-${kind}`}>
      <h3>{title}</h3>
      <ul className="chips">
        {actions.map((a) => (
          <li key={a} className={`chip chip-${kind}`}>
            {a}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PathList({ paths }: { paths: AttackPath[] }) {
  return (
    <ol className="paths">
      {paths.map((p, n) => (
        <li key={`${p.from}-${p.to}-${n}`}>
          <Badge kind={p.status}>{p.status}</Badge> <span className="break">{p.from}</span> → <span className="break">{p.to}</span>
          <ol className="steps">
            {p.steps.map((s, k) => (
              <li key={k}>
                {s.techniqueName} <span className="muted">({s.technique})</span> <Badge kind={s.status}>{s.status}</Badge>
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ol>
  );
}
